"""Between the database and the pure engine: the company's settings and what was learned in,
as the engine's dataclasses; a suggestion out, as it is stored. (Invoices and transactions go
in as rows: rows.py.)"""

from __future__ import annotations

from decimal import Decimal

from kassenwart.receivables.models import Customer
from kassenwart.reconciliation import engine
from kassenwart.reconciliation.models import LearnedPayer, MatchingConfig, RejectedSuggestion
from kassenwart.reconciliation.reasons import stored


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
