"""Run the reconciliation engine on a reconbench sample, time it, write score.py's matches CSV.

    benchmarks/reconbench_run.py INVOICES.csv STATEMENT.xml MATCHES.csv [--truth TRUTH.csv]
                                 [--runs 3] [--categories]
    python3 ../shared/reconbench/score.py ../shared/reconbench/dev/truth.csv MATCHES.csv

INVOICES.csv has the columns the product imports (invoice_number, customer_number,
customer_name, customer_iban, issue_date, due_date, amount, currency, payment_reference;
optional open_amount). MATCHES.csv gets one row per allocated invoice:
transaction_ref, invoice_number, kind (auto | suggestion), rank, amount, confidence, reason.

The engine and the baseline (the exact-reference matcher of bench_match, see
workload.exact_reference_matches) take turns on the same input, --runs rounds; reading the
files is not timed. With --truth the automatic matches of both are scored as score.py does
(precision, recall); `workload.py --invoices N --out DIR` writes a sample of any size with
the labelled sample's variety, truth included.

Goals: precision 1.0 (no wrong automatic match); time per line within the budget of the
engine's goal (10 s for 75,000 lines, 133 us a line).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kassenwart.banking.formats.camt import parse_camt  # noqa: E402
from kassenwart.banking.formats.statement import Entry  # noqa: E402
from kassenwart.reconciliation.engine import (  # noqa: E402
    Decision,
    Invoice,
    Proposal,
    Status,
    Transaction,
    reconcile,
)

import harness  # noqa: E402 (beside this file)
import workload  # noqa: E402

FIELDS = ["transaction_ref", "invoice_number", "kind", "rank", "amount", "confidence", "reason"]
BUDGET_US_PER_LINE = 10.0 / 75_000 * 1e6


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


def run(invoices_csv: str, statement: str, matches_csv: str, truth_csv: str | None = None,
        runs: int = harness.MIN_RUNS, categories: bool = False) -> None:
    invoices = read_invoices(invoices_csv)
    transactions = read_transactions(statement)
    numbers = {inv.id: inv.number for inv in invoices}
    harness.preamble(
        f"reconbench_run: {len(invoices):,} invoices, {len(transactions):,} statement lines ({statement})",
        "exact-reference matcher (pretix style: invoice number as written + exact open amount)",
        ["precision 1.0: no wrong automatic match",
         f"time per line within the engine's budget, {BUDGET_US_PER_LINE:.0f} us (10 s for 75,000 lines)"],
        runs,
    )
    engine, baseline = harness.Figure(), harness.Figure()
    for _ in range(runs):
        started = time.perf_counter()
        found = workload.exact_reference_matches(invoices, transactions)
        baseline.add(time.perf_counter() - started)
        started = time.perf_counter()
        decisions = reconcile(invoices, transactions)
        engine.add(time.perf_counter() - started)
    with open(matches_csv, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        writer.writerows(rows(decisions, numbers))
    auto = sum(d.status is Status.AUTO for d in decisions)
    per_line = engine.median / len(transactions) * 1e6
    print(f"\nengine   {engine.show()}  ({per_line:.0f} us a line), {auto:,} automatic, "
          f"{len(decisions) - auto:,} open; matches in {matches_csv}")
    print(f"baseline {baseline.show()}  engine / baseline {harness.ratio(engine, baseline)}")
    print(f"goal time: {per_line:.0f} us a line, goal <= {BUDGET_US_PER_LINE:.0f}: "
          f"{harness.verdict(per_line <= BUDGET_US_PER_LINE)}")
    if truth_csv:
        truth = workload.read_truth(truth_csv)
        ours = workload.score(truth, *workload.engine_outcome(decisions, numbers))
        theirs = workload.score(truth, {ref: {numbers[i] for i in ids} for ref, ids in found.items()})
        print(f"engine:   {ours.line()}")
        print(f"baseline: {theirs.line()}")
        if categories:
            print(ours.table())
        print(f"goal precision: {ours.precision:.4f} ({ours.wrong_auto} wrong of {ours.auto:,} automatic), "
              f"goal 1.0: {harness.verdict(ours.wrong_auto == 0)}")
    else:
        print("precision: give --truth TRUTH.csv (or score MATCHES.csv with score.py)")
    harness.closing()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("invoices")
    parser.add_argument("statement")
    parser.add_argument("matches", help="CSV to write the engine's matches and suggestions to")
    parser.add_argument("--truth", help="truth.csv to score against")
    parser.add_argument("--runs", type=harness.runs_argument, default=3, help="rounds (at least 3)")
    parser.add_argument("--categories", action="store_true", help="with --truth: the score per category")
    args = parser.parse_args()
    run(args.invoices, args.statement, args.matches, args.truth, args.runs, args.categories)


if __name__ == "__main__":
    main()
