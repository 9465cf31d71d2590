"""Between the database and the pure engine: model rows in, engine dataclasses out."""

from __future__ import annotations

from decimal import Decimal

from kassenwart.banking.models import Transaction
from kassenwart.receivables.models import Invoice
from kassenwart.reconciliation import engine
from kassenwart.reconciliation.models import LearnedPayer, MatchingConfig, RejectedSuggestion


def engine_invoice(invoice: Invoice) -> engine.Invoice:
    customer = invoice.customer
    return engine.Invoice(
        id=str(invoice.pk),
        number=invoice.number,
        customer_number=customer.number,
        customer_name=customer.name,
        amount=invoice.amount,
        open_amount=invoice.open_amount,
        currency=invoice.currency,
        customer_ibans=(customer.iban,) if customer.iban else (),
        payment_reference=invoice.payment_reference,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
    )


def engine_transaction(tx: Transaction) -> engine.Transaction:
    code = tx.transaction_code
    if tx.dk_code:
        code = f"{code}+{tx.dk_code}"
    if tx.return_reason or tx.reversal:
        code = f"{code}+RRTN"  # the engine never matches returns and reversals
    return engine.Transaction(
        id=str(tx.pk),
        amount=tx.amount,
        currency=tx.currency,
        booking_date=tx.booking_date,
        counterparty_name=tx.counterparty_name,
        counterparty_iban=tx.counterparty_iban,
        remittance=tx.remittance,
        structured_reference=tx.structured_reference,
        end_to_end_id=tx.end_to_end_id,
        bank_transaction_code=code,
    )


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
    rejected = frozenset(
        (str(tx_id), frozenset(str(i) for i in ids))
        for tx_id, ids in RejectedSuggestion.objects.filter(company=company).values_list("transaction_id", "invoice_ids")
    )
    return engine.Knowledge(customers_by_iban=by_iban, customers_by_name=by_name, rejected=rejected)


def proposal_as_json(proposal: engine.Proposal) -> dict:
    return {
        "allocations": {k: str(v) for k, v in proposal.allocations.items()},
        "confidence": round(proposal.confidence, 3),
        "reasons": list(proposal.reasons),
        "surplus": str(proposal.surplus),
        "write_off": str(proposal.write_off),
    }
