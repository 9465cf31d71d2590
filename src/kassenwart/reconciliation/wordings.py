"""The reconciliation app's stored messages (see kassenwart.core.messages): run results, and
the reasons of matches and suggestions ("reconciliation.reason.<key>", the keys of
engine/reasons.py, stored by `said` in reasons.py)."""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from kassenwart.core.messages import amount, define, nested, render

define("reconciliation.auto_matched", ngettext_lazy(
    "%(count)d payment was reconciled automatically.", "%(count)d payments were reconciled automatically.", "count"))
define("reconciliation.needs_person", ngettext_lazy(
    "%(count)d payment needs a person.", "%(count)d payments need a person.", "count"))


def _listed(values) -> str:
    """Several reasons in a row (how a number deviates): "without leading zeros, 1 wrong digit"."""
    return ", ".join(render(value) for value in values)


def _percent(value) -> str:
    return number_format(Decimal(value), use_l10n=True)


def _reason(key: str, text, **shown_as) -> None:
    define(f"reconciliation.reason.{key}", text, **shown_as)


# What matched: references and invoice numbers.
_reason("invoice_number", _("invoice number %(number)s in remittance"))
_reason("invoice_number_deviating", _("invoice number %(number)s in remittance, %(detail)s"), detail=_listed)
_reason("short_form", _("“%(text)s” in remittance, short for invoice number %(number)s"))
_reason("reference_matches", _("payment reference %(ref)s matches"))
_reason("reference_in_remittance", _("payment reference %(ref)s in remittance"))
_reason("without_leading_zeros", _("without leading zeros"))
_reason("after_other_digits", _("right after other digits"))
_reason("also_customer_number", _("also a customer number"))
_reason("other_prefix", _("prefix %(found)s instead of %(expected)s"))
_reason("missing_digit", _("1 digit missing"))
_reason("missing_character", _("1 character missing"))
_reason("extra_digit", _("1 digit too many"))
_reason("extra_character", _("1 character too many"))
_reason("wrong_digit", _("1 wrong digit"))
_reason("wrong_character", _("1 wrong character"))
_reason("transposition", _("1 transposition"))

# Who the payer is.
_reason("iban_known", _("payer IBAN known for customer %(customer)s"))
_reason("iban_learned", _("payer IBAN learned for customer %(customer)s"))
_reason("name_matches", _("%(label)s matches customer %(customer)s"), label=nested)
_reason("name", _("payer name"))
_reason("name_learned", _("payer name (learned)"))
_reason("name_truncated", _("payer name (cut short)"))
_reason("name_other_legal_form", _("payer name (other legal form)"))
_reason("name_shared", _("payer name, shared by several customers"))
_reason("name_similar", _("payer name similar to customer %(customer)s"))
_reason("customer_number", _("customer number %(customer)s in remittance"))
_reason("other_customer", _("invoice of customer %(invoice)s, payer known as customer %(payer)s"))
_reason("payer_elsewhere", _("payer points to another customer"))

# The amount.
_reason("amount_equals", _("amount equals open amount"))
_reason("amount_equals_sum", _("amount equals sum of %(count)s open amounts"))
_reason("skonto", _("Skonto %(percent)s %% (%(amount)s deducted)"), percent=_percent, amount=amount)
_reason("bank_fee", _("%(amount)s less than open amount (bank fee)"), amount=amount)
_reason("bank_fee_sum", _("%(amount)s less than sum of %(count)s open amounts (bank fee)"), amount=amount)
_reason("installment", _("installment: amount is 1/%(parts)s of open amount"))
_reason("installment_sum", _("installment: amount is 1/%(parts)s of sum of %(count)s open amounts"))
_reason("partial", _("partial payment, %(amount)s of open amount stays open"), amount=amount)
_reason("partial_sum", _("partial payment, %(amount)s of sum of %(count)s open amounts stays open"), amount=amount)
_reason("overpaid", _("overpaid by %(amount)s"), amount=amount)
_reason("amount_does_not_fit", _("amount does not fit open amount"))
_reason("amount_does_not_fit_sum", _("amount does not fit sum of %(count)s open amounts"))

# A person's word, a collection, and why a payment has no suggestion.
_reason("undone_before", _("undone by a person before"))
_reason("no_fit", _("no open invoice fits"))
_reason("outgoing", _("outgoing payment"))
_reason("return_or_reversal", _("return or reversal"))
_reason("mapped_by_hand", _("mapped by hand"))
_reason("suggestion_accepted", _("suggestion accepted"))
_reason("mandate_collected", _("direct debit collected under mandate %(mandate)s"))

# Why a payment is not an invoice payment: a person's words, or a direct debit that came back.
_reason("given", "%(text)s")
_reason("debit_returned", _("direct debit returned (return code %(code)s)"))
