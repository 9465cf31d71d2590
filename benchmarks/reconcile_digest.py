"""A digest of every row a matching run writes: a change meant to make the run faster shows
with it that the run still writes the same.

    benchmarks/reconcile_digest.py [--invoices 100000] [--base DIR] [--src PATH] [--rows FILE]

The workload of bench_pipeline (workload.py: N open invoices, a statement of 0.75 N lines)
goes through the product into a SQLite database in --base (invoice CSV import, camt.053
import; done once, a later call with the same --base takes the database it finds there).
A copy of it gets one matching run (reconcile_company), and a digest is printed per kind of
row the run writes: payment records (Match), allocations, transaction states, the invoices'
open amounts and status, audit events, matched days, notifications.

Content only: every row is keyed by what it is about (the transaction, the invoice: the same
ids after the same imports), never by an id the run draws itself (match ids follow the order
it writes in) nor by a time. --src runs the matching with the code in another source tree
(e.g. `git archive main src | tar -x -C DIR`, then --src DIR/src) on the same database, to
compare two versions; --rows writes the rows as text, one per line, for diff.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402 (beside this file)
import workload  # noqa: E402

COMPANY = "Digest GmbH"


def build(size: int) -> dict:
    """In a child whose data directory is the base: the company, its invoices and statement."""
    folder = Path(os.environ["KASSENWART_DATA_DIR"])
    work = workload.build(size)
    work.write_invoices_csv(folder / "invoices.csv")
    work.write_statement(folder / "statement.xml")
    harness.django_ready()
    from kassenwart.banking.services import statement_import
    from kassenwart.companies.services import company_create
    from kassenwart.receivables.services import invoice_import

    company = company_create(COMPANY, via="bench")
    invoice_import(company, (folder / "invoices.csv").read_bytes(), via="bench")
    imported = statement_import(company, folder / "statement.xml", via="bench")
    return {"lines": imported.added}


def run(rows_path: str) -> dict:
    """In a child whose data directory is a copy of the base: one matching run, its rows."""
    harness.django_ready()
    from kassenwart.companies.models import Company
    from kassenwart.reconciliation.services import reconcile_company

    company = Company.objects.get(name=COMPANY)
    result = reconcile_company(company, via="bench")
    tables = written_rows(company)
    if rows_path:
        with open(rows_path, "w") as out:
            for table, rows in tables.items():
                out.writelines(f"{table}\t{row}\n" for row in rows)
    return {"auto": result.auto, "open": result.open,
            "digests": {table: _digest(rows) for table, rows in tables.items()}}


def written_rows(company) -> dict[str, list[str]]:
    """Every row the run wrote, as sorted text, keyed by content."""
    from kassenwart.core.models import AuditEvent
    from kassenwart.notifications.models import Notification
    from kassenwart.receivables.models import Invoice
    from kassenwart.reconciliation.models import Allocation, Match, MatchedDay, TransactionState

    match_tx = dict(Match.objects.filter(company=company).values_list("pk", "transaction_id"))
    tables = {
        "matches": Match.objects.filter(company=company).values_list(
            "transaction_id", "kind", "confidence", "reasons", "created_by_id", "undone_at"),
        "allocations": Allocation.objects.filter(match__company=company).values_list(
            "match__transaction_id", "invoice_id", "amount", "write_off"),
        "states": TransactionState.objects.filter(company=company).values_list(
            "transaction_id", "status", "suggestions", "note", "ignore_reason"),
        "invoices": Invoice.objects.filter(company=company).values_list("pk", "open_amount", "status"),
        "matched days": MatchedDay.objects.filter(company=company).values_list(
            "account_id", "currency", "day", "count", "total_cents"),
        "notifications": Notification.objects.filter(company=company).values_list("kind", "key", "params", "text", "link"),
    }
    rows = {table: sorted(_text(row) for row in query) for table, query in tables.items()}
    events = AuditEvent.objects.filter(company=company, action__startswith="match.").values_list(
        "action", "actor_id", "actor_label", "object_type", "object_id", "before", "after")
    # the event's object is the match: named by its transaction instead of its id
    rows["audit events"] = sorted(_text((*row[:4], match_tx[int(row[4])], *row[5:])) for row in events)
    return rows


def _text(row) -> str:
    return json.dumps(row, sort_keys=True, default=str)


def _digest(rows: list[str]) -> str:
    sha = hashlib.sha256()
    for row in rows:
        sha.update(row.encode() + b"\n")
    return f"{len(rows):>7,} rows {sha.hexdigest()[:16]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=100_000, help="open invoices (statement: 0.75 of them)")
    parser.add_argument("--base", help="folder of the imported database, made when missing (else a temporary one)")
    parser.add_argument("--src", help="run the matching with the code of this source folder")
    parser.add_argument("--rows", default="", help="write the rows the run wrote to this file")
    parser.add_argument("--child", choices=["build", "run"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "build":
        return harness.report(build(args.invoices))
    if args.child == "run":
        return harness.report(run(args.rows))

    with tempfile.TemporaryDirectory(prefix="kassenwart-digest-") as scratch:
        base = Path(args.base or Path(scratch) / "base")
        base.mkdir(parents=True, exist_ok=True)
        if not (base / "kassenwart.sqlite3").exists():
            built = harness.child(__file__, ["--child", "build", "--invoices", str(args.invoices)],
                                  {"KASSENWART_DATA_DIR": str(base), "DATABASE_URL": ""})
            print(f"imported {args.invoices:,} invoices and {built['lines']:,} statement lines into {base}")
        copy = Path(scratch) / "run"
        shutil.copytree(base, copy)
        env = {"KASSENWART_DATA_DIR": str(copy), "DATABASE_URL": ""}
        if args.src:
            env["PYTHONPATH"] = os.path.abspath(args.src)
        ran = harness.child(__file__, ["--child", "run", "--rows", os.path.abspath(args.rows) if args.rows else ""],
                            env)
    print(f"code: {args.src or 'this checkout'}; {ran['auto']:,} automatic, {ran['open']:,} open")
    for table, digest in ran["digests"].items():
        print(f"  {table:<14} {digest}")
    overall = hashlib.sha256(json.dumps(ran["digests"], sort_keys=True).encode()).hexdigest()[:16]
    print(f"all rows: {overall}")


if __name__ == "__main__":
    main()
