"""Benchmark: importing a large camt.053 (75,000 entries, about 65 MB).

    .venv/bin/python benchmarks/bench_import.py [--entries 75000] [--keep]

Prints entries per second for plain lxml iterparse (the floor), for parsing alone, and for
the whole import into SQLite and (when reachable) PostgreSQL, with each phase's peak memory.
Each phase runs in its own process so that peak memory is its own.
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
from datetime import date
from decimal import Decimal
from pathlib import Path

from scratch_db import PG_SERVER, scratch_database

HERE = Path(__file__).resolve()


def generate(path: Path, entries: int) -> None:
    from kassenwart.banking.formats.camt_writer import write_camt
    from kassenwart.demo import generator

    rng = random.Random(75)
    people = generator.customers(rng, 5000)
    invoices = generator.invoices(rng, people, entries * 3 // 4, date(2026, 1, 1), 365)
    rows = generator.statement_entries(rng, invoices, entries - len(invoices), date(2026, 1, 1), 365)
    for index, row in enumerate(rows):  # real files carry more detail per entry (~870 bytes)
        row.counterparty_bic = "GENODEF1M04"
        row.end_to_end_id = row.end_to_end_id or f"NOTPROVIDED-{index}"
        row.remittance += f"\nBeleg {index:09d} Buchungstext SEPA-Gutschrift Kundenreferenz {index * 7:012d}"
    opening = Decimal("100000.00")
    closing = opening + sum((e.amount for e in rows), Decimal("0.00"))
    header, _ = next(generator.monthly_statements("DE89370400440532013000", rows[:1], opening))
    header.period_to = date(2026, 12, 31)
    header.statement_id = "BENCH-2026"
    header.closing = type(header.opening)(closing, "EUR", date(2026, 12, 31), "closing")
    with open(path, "wb") as out:
        write_camt(out, header, rows, message="053")


def phase_iterparse(path: str) -> int:
    from lxml import etree

    count = 0
    for _, element in etree.iterparse(path, events=("end",), resolve_entities=False, no_network=True):
        if element.tag.endswith("}Ntry"):
            count += 1
        if element.getparent() is not None and element.tag.endswith(("}Ntry", "}Bal", "}GrpHdr")):
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]
    return count


def phase_parse(path: str) -> int:
    from kassenwart.banking.formats.camt import parse_camt
    from kassenwart.banking.formats.statement import Entry

    return sum(isinstance(item, Entry) for item in parse_camt(path))


def phase_import(path: str) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kassenwart.settings")
    django.setup()
    from django.core.management import call_command

    from kassenwart.banking.services import statement_import
    from kassenwart.companies.services import company_create

    call_command("migrate", verbosity=0)
    company = company_create("Benchmark GmbH", via="bench")
    started = time.perf_counter()
    result = statement_import(company, path, via="cli")
    elapsed = time.perf_counter() - started
    assert result.balance_ok, result.message
    print(json.dumps({"import_seconds": elapsed}), file=sys.stderr)
    return result.added


PHASES = {"iterparse": phase_iterparse, "parse": phase_parse, "import": phase_import}


def run_phase(name: str, path: Path, env: dict | None = None) -> dict:
    command = [sys.executable, str(HERE), "--phase", name, str(path)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})})
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{done.stderr}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["wall_seconds"] = elapsed
    for line in done.stderr.splitlines():
        if line.startswith("{"):
            figures.update(json.loads(line))
    return figures


def child(name: str, path: str) -> None:
    started = time.perf_counter()
    count = PHASES[name](path)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"entries": count, "seconds": seconds, "peak_mb": peak_mb}))


def postgres_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
        return True
    except Exception:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=75_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        return child(args.phase, args.file)

    work = Path(tempfile.mkdtemp(prefix="kassenwart-bench-"))
    path = work / "large.camt053.xml"
    started = time.perf_counter()
    generate(path, args.entries)
    size_mb = path.stat().st_size / 1e6
    print(f"generated {args.entries} entries, {size_mb:.1f} MB in {time.perf_counter() - started:.1f} s: {path}")

    rows = [("lxml iterparse walk (floor)", run_phase("iterparse", path))]
    rows.append(("parse_camt (parsing alone)", run_phase("parse", path)))
    rows.append(("import into SQLite", run_phase("import", path, {"KASSENWART_DATA_DIR": str(work / "sqlite"), "DATABASE_URL": ""})))
    if postgres_reachable():
        with scratch_database("kassenwart_bench") as url:
            rows.append(("import into PostgreSQL", run_phase("import", path, {"KASSENWART_DATA_DIR": str(work / "pg"), "DATABASE_URL": url})))
    else:
        print("PostgreSQL not reachable at 127.0.0.1:5432: skipped")

    floor = rows[0][1]["seconds"]
    print(f"\n{'phase':<30} {'entries':>8} {'seconds':>8} {'entries/s':>10} {'x floor':>8} {'peak MB':>8}")
    for label, figures in rows:
        seconds = figures.get("import_seconds", figures["seconds"])
        print(
            f"{label:<30} {figures['entries']:>8} {seconds:>8.2f} {figures['entries'] / seconds:>10.0f} "
            f"{seconds / floor:>8.2f} {figures['peak_mb']:>8.0f}"
        )
    if not args.keep:
        path.unlink()


if __name__ == "__main__":
    main()
