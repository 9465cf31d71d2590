"""Run the reconciliation engine on a reconbench sample and write score.py's matches CSV.

    .venv/bin/python benchmarks/reconbench_run.py INVOICES.csv STATEMENT.xml MATCHES.csv
    python3 ../shared/reconbench/score.py ../shared/reconbench/dev/truth.csv MATCHES.csv

INVOICES.csv has the columns the product imports (invoice_number, customer_number,
customer_name, customer_iban, issue_date, due_date, amount, currency, payment_reference;
optional open_amount). MATCHES.csv gets one row per allocated invoice:
transaction_ref, invoice_number, kind (auto | suggestion), rank, amount, confidence, reason.
"""

from __future__ import annotations

import csv
import re
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from kassenwart.banking.formats.camt import parse_camt
from kassenwart.banking.formats.statement import Entry
from kassenwart.reconciliation.engine import (
    Decision,
    Invoice,
    Proposal,
    Status,
    Transaction,
    reconcile,
)

FIELDS = ["transaction_ref", "invoice_number", "kind", "rank", "amount", "confidence", "reason"]


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value.strip() else None


def read_invoices(path: str | Path) -> list[Invoice]:
    with open(path, newline="", encoding="utf-8") as f:
        return [_invoice(row) for row in csv.DictReader(f)]


def _invoice(row: dict[str, str]) -> Invoice:
    amount = Decimal(row["amount"])
    return Invoice(
        id=row["invoice_number"],
        number=row["invoice_number"],
        customer_number=row["customer_number"],
        customer_name=row["customer_name"],
        amount=amount,
        open_amount=Decimal(row["open_amount"]) if row.get("open_amount") else amount,
        currency=row.get("currency") or "EUR",
        customer_ibans=tuple(i for i in re.split(r"[;, ]+", row.get("customer_iban", "")) if i),
        payment_reference=row.get("payment_reference", ""),
        issue_date=_date(row.get("issue_date", "")),
        due_date=_date(row.get("due_date", "")),
    )


def read_transactions(path: str | Path) -> list[Transaction]:
    return [_transaction(item) for item in parse_camt(str(path)) if isinstance(item, Entry)]


def _transaction(entry: Entry) -> Transaction:
    code = entry.transaction_code + (f"+{entry.dk_code}" if entry.dk_code else "")
    return Transaction(
        id=entry.bank_reference,
        amount=entry.amount,
        currency=entry.currency,
        booking_date=entry.booking_date,
        counterparty_name=entry.counterparty_name,
        counterparty_iban=entry.counterparty_iban,
        remittance=entry.remittance,
        structured_reference=entry.structured_reference,
        end_to_end_id=entry.end_to_end_id,
        bank_transaction_code=code,
    )


def rows(decisions: Iterable[Decision], numbers: dict[str, str]) -> Iterator[dict[str, object]]:
    for decision in decisions:
        ref = decision.transaction_id
        if decision.status is Status.AUTO and decision.match is not None:
            yield from _proposal_rows(ref, decision.match, "auto", 1, numbers)
        for rank, suggestion in enumerate(decision.suggestions, start=1):
            yield from _proposal_rows(ref, suggestion, "suggestion", rank, numbers)


def _proposal_rows(
    ref: str, proposal: Proposal, kind: str, rank: int, numbers: dict[str, str]
) -> Iterator[dict[str, object]]:
    for invoice_id, amount in proposal.allocations.items():
        yield {
            "transaction_ref": ref,
            "invoice_number": numbers[invoice_id],
            "kind": kind,
            "rank": rank,
            "amount": amount,
            "confidence": f"{proposal.confidence:.3f}",
            "reason": "; ".join(proposal.reasons),
        }


def run(invoices_csv: str, statement: str, matches_csv: str) -> None:
    invoices = read_invoices(invoices_csv)
    transactions = read_transactions(statement)
    started = time.perf_counter()
    decisions = reconcile(invoices, transactions)
    elapsed = time.perf_counter() - started
    numbers = {inv.id: inv.number for inv in invoices}
    with open(matches_csv, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        writer.writerows(rows(decisions, numbers))
    auto = sum(d.status is Status.AUTO for d in decisions)
    print(
        f"{len(invoices)} invoices, {len(transactions)} transactions: {auto} auto, "
        f"{len(decisions) - auto} open, matched in {elapsed:.2f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    run(*sys.argv[1:])
