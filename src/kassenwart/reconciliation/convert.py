"""Between the database and the pure engine: database rows in, engine dataclasses out."""

from __future__ import annotations

from decimal import Decimal

from kassenwart.receivables.models import Customer
from kassenwart.reconciliation import engine
from kassenwart.reconciliation.models import LearnedPayer, MatchingConfig, RejectedSuggestion
from kassenwart.reconciliation.reasons import stored

# What the engine reads of an open invoice and of a transaction, as `values_list` columns:
# a run loads 100,000 invoices, and model instances would cost more than the matching.
INVOICE_COLUMNS = (
    "pk", "number", "customer__number", "customer__name", "customer__iban", "amount",
    "open_amount", "currency", "payment_reference", "issue_date", "due_date",
)
TRANSACTION_COLUMNS = (
    "pk", "amount", "currency", "booking_date", "counterparty_name", "counterparty_iban",
    "remittance", "structured_reference", "end_to_end_id", "transaction_code", "dk_code",
    "return_reason", "reversal", "account_id",
)


def engine_invoice(row: tuple) -> engine.Invoice:
    """An invoice from its INVOICE_COLUMNS."""
    pk, number, customer_number, customer_name, iban, amount, open_amount, currency, reference, issued, due = row
    # by position, in the order of engine.Invoice's fields (a run makes 100,000 of them)
    return engine.Invoice(
        str(pk), number, customer_number, customer_name, amount, open_amount, currency,
        (iban,) if iban else (), reference, issued, due,
    )


def engine_transaction(row: tuple) -> engine.Transaction:
    """A transaction from its TRANSACTION_COLUMNS."""
    (pk, amount, currency, booked, name, iban, remittance, reference, end_to_end_id,
     code, dk_code, return_reason, reversal, _account) = row
    if dk_code:
        code = f"{code}+{dk_code}"
    if return_reason or reversal:
        code = f"{code}+RRTN"  # the engine never matches returns and reversals
    # by position, in the order of engine.Transaction's fields
    return engine.Transaction(str(pk), amount, currency, booked, name, iban, remittance, reference, end_to_end_id, code)


def engine_config(config: MatchingConfig) -> engine.MatchingConfig:
    percents = tuple(Decimal(p) for p in config.skonto_percents.replace(",", " ").split())
    return engine.MatchingConfig(
        criteria=frozenset(engine.Criterion(c) for c in config.criteria),
        skonto_percents=percents,
        max_fee=config.max_fee,
        max_overpayment=config.max_overpayment,
        allow_multiple=config.allow_multiple,
        automation=engine.Automation(config.automation),
    )


def engine_knowledge(company) -> engine.Knowledge:
    by_iban, by_name = {}, {}
    for kind, key, number in LearnedPayer.objects.filter(company=company).values_list("kind", "key", "customer__number"):
        (by_iban if kind == LearnedPayer.Kind.IBAN else by_name)[key] = number
    rejected, undone = set(), set()
    pairs = RejectedSuggestion.objects.filter(company=company).values_list("transaction_id", "invoice_ids", "undone")
    for tx_id, ids, was_undone in pairs:
        (undone if was_undone else rejected).add((str(tx_id), frozenset(str(i) for i in ids)))
    ibans = Customer.objects.filter(company=company).exclude(iban="").values_list("iban", "number")
    return engine.Knowledge(
        customers_by_iban=by_iban, customers_by_name=by_name, rejected=frozenset(rejected), undone=frozenset(undone),
        customer_ibans=tuple(ibans),
    )


def proposal_as_json(proposal: engine.Proposal, said=stored) -> dict:
    """A suggestion as TransactionState stores it; `said` stores a reason (a run's StoredOnce)."""
    return {
        "allocations": {k: str(v) for k, v in proposal.allocations.items()},
        "confidence": round(proposal.confidence, 3),
        "reasons": [said(reason) for reason in proposal.reasons],
        "surplus": str(proposal.surplus),
        "write_off": str(proposal.write_off),
    }
