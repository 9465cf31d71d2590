"""What the engine says about a payment, by key: the English words (for tests, logs and the
command line) with the key and the parameters beside, so that the app stores the key and
words it in the reader's language (reconciliation/wordings.py, "reconciliation.reason.<key>").
The same idea as a statement parser's Note (banking/formats/statement.py), without Django.

Every reason says exactly what matched: the invoice number and how the remittance deviates
from it, the customer a payer's IBAN or name is known for, the amounts. A parameter may be a
reason (how a payer name was read) or a list of them (the deviations of an invoice number
read from the remittance).
"""

from __future__ import annotations

REASONS = {
    # references
    "invoice_number": "invoice number %(number)s in remittance",
    "invoice_number_deviating": "invoice number %(number)s in remittance, %(detail)s",
    "short_form": "'%(text)s' in remittance, short for invoice number %(number)s",
    "reference_matches": "payment reference %(ref)s matches",
    "reference_in_remittance": "payment reference %(ref)s in remittance",
    # how a number in the remittance deviates from the invoice number (detail of the above)
    "without_leading_zeros": "without leading zeros",
    "after_other_digits": "right after other digits",
    "also_customer_number": "also a customer number",
    "other_prefix": "prefix %(found)s instead of %(expected)s",
    "missing_digit": "1 missing digit",
    "missing_character": "1 missing character",
    "extra_digit": "1 extra digit",
    "extra_character": "1 extra character",
    "wrong_digit": "1 wrong digit",
    "wrong_character": "1 wrong character",
    "transposition": "1 transposition",
    # who the payer is
    "iban_known": "payer IBAN known for customer %(customer)s",
    "iban_learned": "payer IBAN learned for customer %(customer)s",
    "name_matches": "%(label)s matches customer %(customer)s",
    # how the payer name was read (the label of the above)
    "name": "payer name",
    "name_learned": "payer name (learned)",
    "name_truncated": "payer name (truncated)",
    "name_other_legal_form": "payer name (other legal form)",
    "name_shared": "payer name, shared by several customers",
    "name_similar": "payer name similar to customer %(customer)s",
    "customer_number": "customer number %(customer)s in remittance",
    "other_customer": "invoice of customer %(invoice)s, payer known as customer %(payer)s",
    "payer_elsewhere": "payer points to another customer",
    # the amount, against one open amount or the sum of several (_sum: with their count)
    "amount_equals": "amount equals open amount",
    "amount_equals_sum": "amount equals sum of %(count)s open amounts",
    "skonto": "Skonto %(percent)s %% (%(amount)s deducted)",
    "bank_fee": "%(amount)s less than open amount (bank fee)",
    "bank_fee_sum": "%(amount)s less than sum of %(count)s open amounts (bank fee)",
    "installment": "installment: amount is 1/%(parts)s of open amount",
    "installment_sum": "installment: amount is 1/%(parts)s of sum of %(count)s open amounts",
    "partial": "partial payment, %(amount)s of open amount stays open",
    "partial_sum": "partial payment, %(amount)s of sum of %(count)s open amounts stays open",
    "overpaid": "overpaid by %(amount)s",
    "amount_does_not_fit": "amount does not fit open amount",
    "amount_does_not_fit_sum": "amount does not fit sum of %(count)s open amounts",
    # a person's earlier word, and why there is no suggestion
    "undone_before": "undone by a person before",
    "no_fit": "no open invoice fits",
    "outgoing": "outgoing payment",
    "return_or_reversal": "return or reversal",
}


class Reason(str):
    """A reason's English words, with `key` and `params` beside. Made for a reading worth
    telling a person, not per invoice compared."""

    def __new__(cls, text: str, key: str, params: dict):
        made = super().__new__(cls, text)
        made.key = key
        made.params = params
        return made

    def __reduce__(self):
        # what it is made of, no instance dict to restore: a run in a child interpreter
        # sends its parent a hundred thousand reasons
        return Reason, (str(self), self.key, self.params)


def reason(key: str, **params) -> Reason:
    words = params
    for value in params.values():  # a run says hundreds of thousands of reasons: lists are rare
        if isinstance(value, list):
            words = {name: ", ".join(v) if isinstance(v, list) else v for name, v in params.items()}
            break
    return Reason(REASONS[key] % words, key, params)


def sum_of(key: str, count: int, **params) -> Reason:
    """A reason about the amount: against the open amount, or the sum of `count` of them."""
    return reason(key, **params) if count == 1 else reason(f"{key}_sum", count=count, **params)
