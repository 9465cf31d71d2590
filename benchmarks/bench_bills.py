"""Benchmark: 1,000 received bills imported through the product's use case.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_bills.py [--bills 1000] [--runs 3] [--db sqlite|postgresql|both]

Each database runs in a child process of its own with a throw-away database (SQLite in a
temporary data directory; PostgreSQL a scratch database on the local server, skipped when
it is not reachable). The bills are made up by the tests' e-invoice maker (tests/einvoices.py):
45 % XRechnung UBL, 45 % CII, 5 % credit notes (UBL), 5 % GiroCode pictures (PNG) that are
decoded; 30 suppliers, 1 to 12 lines each, Skonto terms on half of them. Making the files is
not timed. Each run imports --bills new bills (new invoice numbers) with `flows.bills.bills_import`,
as the CLI and the upload do: read, check, keep the file, flag, audit, written a batch at a
time (payables.services.BATCH bills a transaction). Printed: the total of a run (min / median
of the runs), files per second, the CPU time of the importing process per run (what the import
costs, whatever else runs on the machine), and, apart, the p50 / p95 of reading one file by
kind (the pure readers alone, without the database; of all runs).

Goal (issue 16): 1,000 bills imported in at most 10 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import harness  # noqa: E402

GOAL_SECONDS = 10.0


def make_files(count: int, run: int, rng: random.Random) -> list[tuple[str, bytes]]:
    from schwifty import IBAN

    from einvoices import Spec, girocode_payload, girocode_picture, ubl
    from einvoices import cii as cii_xml

    suppliers = [(f"Lieferant {n:02d} GmbH", f"DE{100000000 + n}",
                  str(IBAN.generate("DE", bank_code="37040044", account_code=f"{n + 1:010d}").compact))
                 for n in range(30)]
    files = []
    for n in range(count):
        name, vat, iban = rng.choice(suppliers)
        lines = tuple((f"Artikel {k}", Decimal(rng.randint(1, 20)), Decimal(rng.randint(100, 99999)) / 100)
                      for k in range(rng.randint(1, 12)))
        terms = f"#SKONTO#TAGE={rng.choice([7, 10, 14])}#PROZENT=2.00#" if rng.random() < 0.5 else "30 Tage netto"
        spec = Spec(number=f"R{run}-{n:05d}", seller=name, seller_vat=vat, iban=iban, lines=lines, terms=terms)
        roll = rng.random()
        if roll < 0.45:
            files.append(("ubl", ubl(spec)))
        elif roll < 0.90:
            files.append(("cii", cii_xml(spec)))
        elif roll < 0.95:
            files.append(("credit_note", ubl(spec.with_(credit_note=True))))
        else:
            payload = girocode_payload(name=name, iban=iban, amount=f"EUR{rng.randint(100, 99999) / 100:.2f}",
                                       text=f"Rechnung R{run}-{n:05d}")
            files.append(("girocode_png", girocode_picture(payload)))
    return files


def run_child(bills: int, runs: int) -> None:
    harness.django_ready()
    from kassenwart.companies.services import company_create
    from kassenwart.flows.bills import bills_import
    from kassenwart.payables.readers import read_bill

    company = company_create("Nordlicht Software GmbH", via="bench")
    rng = random.Random(bills)
    totals, cpu, per_kind = [], [], defaultdict(list)
    for run in range(runs):
        files = make_files(bills, run, rng)
        started, started_cpu = time.perf_counter(), time.process_time()
        results = bills_import(company, [(f"{kind}.bin", data) for kind, data in files], user=None, via="bench")
        totals.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        for result in results:
            if result.status != "imported":
                raise SystemExit(f"a bill was not imported: {result.status} {result.messages}")
        for kind, data in files:  # the readers alone, not timed above
            one = time.perf_counter()
            read_bill(data)
            per_kind[kind].append(time.perf_counter() - one)
    harness.report({"totals": totals, "cpu": cpu, "per_kind": {kind: sorted(values) for kind, values in per_kind.items()}})


def show(db: str, figures: dict, bills: int) -> None:
    total = harness.Figure(figures["totals"])
    print(f"{db}: {bills} bills in {total.show()} (min / median of {len(total.values)} runs), "
          f"{bills / total.median:.0f} bills/s; goal <= {GOAL_SECONDS:.0f} s: "
          f"{harness.verdict(total.median <= GOAL_SECONDS * bills / 1000, scaled=bills != 1000)}")
    print(f"  CPU time of the importing process: {harness.Figure(figures['cpu']).show()} (min / median; the "
          f"wall time above counts waiting for a CPU on a loaded machine, and on PostgreSQL the server's work)")
    print("  reading one file (the pure readers, no database):")
    for kind, values in sorted(figures["per_kind"].items()):
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(f"  {kind:13} {len(values):5} files  p50 {statistics.median(values) * 1000:6.1f} ms  "
              f"p95 {p95 * 1000:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bills", type=int, default=1000)
    parser.add_argument("--runs", type=harness.runs_argument, default=harness.MIN_RUNS)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_child(args.bills, args.runs)
    print(f"bench_bills: {args.bills} bills per run, {args.runs} runs; {harness.load()}")
    for db in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        with tempfile.TemporaryDirectory(prefix="bench_bills_") as folder:
            env = {"KASSENWART_DATA_DIR": folder, "DATABASE_URL": ""}
            child_args = ["--child", "--bills", str(args.bills), "--runs", str(args.runs)]
            if db == "postgresql":
                if not harness.postgres_reachable():
                    print("postgresql: not reachable, skipped")
                    continue
                with harness.scratch_database("bench_bills") as url:
                    figures = harness.child(__file__, child_args, {**env, "DATABASE_URL": url})
            else:
                figures = harness.child(__file__, child_args, env)
            show(db, figures, args.bills)
    harness.closing()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
