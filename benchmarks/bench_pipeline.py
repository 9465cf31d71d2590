"""Benchmark: the whole reconciliation pipeline through the product.

    .venv/bin/python benchmarks/bench_pipeline.py [--sizes 25000 50000 100000] [--postgres]

For N open invoices (60 % of them paid on a statement of 0.75 * N lines, the same data as
bench_match.py), a fresh database gets the invoice CSV import, the camt.053 import and one
matching run that persists its decisions (payment records, states, audit events). Prints the
seconds of each step: the two imports, the matching run (match + persist; of it the engine
alone, and the run's CPU seconds, which a shared machine disturbs less), the whole pipeline,
and the peak memory of the process. Each size runs in its own process with its own data
directory (SQLite unless --postgres). Goal: 100k invoices matched and persisted well under
20 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch_db import scratch_database  # noqa: E402 (beside this file)


def files(size: int, folder: Path) -> tuple[Path, Path]:
    """Invoice CSV and camt.053 for the benchmark data (valid IBANs for the import)."""
    from schwifty import IBAN

    from kassenwart.banking.formats.camt_writer import write_camt
    from kassenwart.banking.formats.statement import BalanceSnapshot, Entry, StatementHeader

    from bench_match import make_invoices, make_statement

    rng = random.Random(size)
    invoices = make_invoices(rng, size)
    statement = make_statement(rng, invoices, size * 3 // 4)
    valid: dict[str, str] = {}

    def iban(raw: str) -> str:
        if raw not in valid:
            valid[raw] = str(IBAN.generate("DE", bank_code=raw[2:10], account_code=raw[10:20]).compact)
        return valid[raw]

    csv_path = folder / "invoices.csv"
    with open(csv_path, "w", encoding="utf-8") as out:
        out.write("invoice_number,customer_number,customer_name,customer_iban,issue_date,due_date,amount,currency,payment_reference\n")
        for inv in invoices:
            ibans = inv.customer_ibans[0] if inv.customer_ibans else ""
            out.write(
                f'{inv.number},{inv.customer_number},"{inv.customer_name}",{iban(ibans) if ibans else ""},'
                f"{inv.issue_date or ''},{inv.due_date or ''},{inv.amount},EUR,{inv.payment_reference}\n"
            )
    entries = [
        Entry(
            amount=tx.amount, currency="EUR", booking_date=tx.booking_date, value_date=tx.booking_date,
            counterparty_name=tx.counterparty_name, counterparty_iban=iban(tx.counterparty_iban),
            remittance=tx.remittance, structured_reference=tx.structured_reference,
            bank_reference=f"B{index:012d}", transaction_code="PMNT/RCDT/ESCT" if tx.amount > 0 else "PMNT/ICDT/ESCT",
        )
        for index, tx in enumerate(statement)
    ]
    opening = Decimal("100000.00")
    day = date(2026, 10, 1)
    header = StatementHeader(
        format="camt.053.001.08", account_iban="DE89370400440532013000", currency="EUR",
        statement_id="PIPE", period_from=day, period_to=day,
        opening=BalanceSnapshot(opening, "EUR", day, "opening"),
        closing=BalanceSnapshot(opening + sum((e.amount for e in entries), Decimal(0)), "EUR", day, "closing"),
    )
    camt_path = folder / "statement.xml"
    with open(camt_path, "wb") as out:
        write_camt(out, header, entries, message="053")
    return csv_path, camt_path


def child(size: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kassenwart.settings")
    django.setup()
    from django.core.management import call_command

    from kassenwart.banking.services import statement_import
    from kassenwart.companies.services import company_create
    from kassenwart.receivables.services import invoice_import
    from kassenwart.reconciliation import services
    from kassenwart.reconciliation.services import reconcile_company

    engine_seconds = []
    run_engine = services.engine.reconcile

    def timed_engine(*args):  # the engine's share of the matching run
        mark = time.perf_counter()
        try:
            return run_engine(*args)
        finally:
            engine_seconds.append(time.perf_counter() - mark)

    services.engine.reconcile = timed_engine

    folder = Path(os.environ["KASSENWART_DATA_DIR"])
    csv_path, camt_path = files(size, folder)
    call_command("migrate", verbosity=0)
    company = company_create("Pipeline GmbH", via="bench")
    times = {}
    started = time.perf_counter()
    invoice_import(company, csv_path.read_bytes(), via="bench")
    times["import invoices"] = time.perf_counter() - started
    mark = time.perf_counter()
    imported = statement_import(company, camt_path, via="bench")
    times["import statement"] = time.perf_counter() - mark
    mark, cpu = time.perf_counter(), time.process_time()
    result = reconcile_company(company, via="bench")
    times["match + persist"] = time.perf_counter() - mark
    times["match cpu"] = time.process_time() - cpu
    times["engine"] = sum(engine_seconds)
    times["pipeline"] = time.perf_counter() - started
    print(json.dumps({
        "invoices": size, "lines": imported.added, "auto": result.auto, "open": result.open,
        "times": times, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25000, 50000, 100000])
    parser.add_argument("--postgres", action="store_true", help="run on the local PostgreSQL")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    print(
        f"{'invoices':>9} {'lines':>7} {'auto':>7} {'invoices s':>10} {'statement s':>11} {'match s':>8} "
        f"{'engine s':>8} {'match cpu':>9} {'pipeline s':>10} {'peak MB':>8}"
    )
    for size in args.sizes:
        env = {**os.environ, "KASSENWART_DATA_DIR": tempfile.mkdtemp(prefix="kassenwart-pipe-"), "DATABASE_URL": ""}
        with scratch_database("kassenwart_pipe") if args.postgres else nullcontext("") as url:
            env["DATABASE_URL"] = url
            done = subprocess.run([sys.executable, __file__, "--child", str(size)], capture_output=True, text=True,
                                  env=env)
        if done.returncode:
            raise SystemExit(done.stderr)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        t = row["times"]
        print(
            f"{row['invoices']:>9} {row['lines']:>7} {row['auto']:>7} {t['import invoices']:>10.1f} "
            f"{t['import statement']:>11.1f} {t['match + persist']:>8.1f} {t['engine']:>8.1f} {t['match cpu']:>9.1f} "
            f"{t['pipeline']:>10.1f} {row['peak_mb']:>8.0f}"
        )

if __name__ == "__main__":
    main()
