"""Small builders for engine tests: a company's open invoices and its incoming payments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from kassenwart.reconciliation.engine import (
    Decision,
    Invoice,
    Knowledge,
    MatchingConfig,
    Status,
    Transaction,
    reconcile,
)

_ids = count(1)


def invoice(number: str, amount: str, customer: str = "10234", **fields) -> Invoice:
    values = {
        "id": number,
        "number": number,
        "customer_number": customer,
        "customer_name": f"Kunde {customer} GmbH",
        "amount": Decimal(amount),
        "open_amount": Decimal(fields.pop("open_amount", amount)),
        "issue_date": date(2026, 9, 1),
        "due_date": date(2026, 9, 1) + timedelta(days=next(_ids) % 30),
    }
    values.update(fields)
    return Invoice(**values)


def payment(amount: str, remittance: str = "", **fields) -> Transaction:
    values = {
        "id": f"T{next(_ids)}",
        "amount": Decimal(amount),
        "currency": "EUR",
        "booking_date": date(2026, 10, 1),
        "counterparty_name": "Unbekannt",
        "counterparty_iban": "DE00000000000000000000",
        "remittance": remittance,
        "bank_transaction_code": "PMNT/RCDT/ESCT",
    }
    values.update(fields)
    return Transaction(**values)


def numbered(count_: int, prefix: str = "RE-2026-", start: int = 1000) -> list[Invoice]:
    """Background invoices so that a shape can be learned: other customers, odd amounts,
    every seventh serial from `start`."""
    return [
        invoice(
            f"{prefix}{n:05d}",
            f"{100 + n % 997}.{n % 100:02d}",
            customer=str(20000 + n),
            customer_name=f"Firma {n} KG",
        )
        for n in range(start, start + 7 * count_, 7)
    ]


def run(
    invoices: list[Invoice],
    payments: list[Transaction],
    config: MatchingConfig | None = None,
    knowledge: Knowledge | None = None,
) -> list[Decision]:
    return reconcile(invoices, payments, config or MatchingConfig(), knowledge or Knowledge())


def one(invoices: list[Invoice], tx: Transaction, **kwargs) -> Decision:
    (decision,) = run(invoices, [tx], **kwargs)
    return decision


def auto_ids(decision: Decision) -> set[str]:
    assert decision.status is Status.AUTO, (decision.note, decision.suggestions)
    return set(decision.match.allocations)


def suggested(decision: Decision) -> list[set[str]]:
    assert decision.status is Status.OPEN, decision.match
    return [set(s.allocations) for s in decision.suggestions]
