"""Benchmark: importing a large camt.053 (75,000 entries, about 65 MB) against the C-level floor.

    benchmarks/bench_import.py [--entries 75000] [--runs 3] [--quick] [--no-postgres] [--keep]

The file is the statement bench_match and bench_pipeline use (workload.py, for 4/3 as many
invoices as entries), each entry padded with what real files carry besides (a BIC and a
second remittance line): about 870 bytes an entry.

Steps, each in a fresh process, --runs rounds of all of them one after the other (so load
on the machine falls on every step alike):

- C-level floor (the baseline): lxml iterparse(path, tag="{*}Ntry"), each entry cleared and
  the entries before it freed (harness.camt_floor). libxml2 does the parsing and the tag
  filter in C; no Python code runs per element below Ntry. Nothing that reads the file
  can be faster in this stack.
- Python-walk floor (secondary, the floor this benchmark used to compare with): the same
  iterparse handing every element to Python.
- parse_camt alone: the product's parser, its Entry objects counted and dropped.
- the import into SQLite, and into PostgreSQL when it is reachable: statement_import into
  a freshly migrated database (a new PostgreSQL database for every run). The text search's
  index is caught up after the import's commit, by a background task; the benchmark runs
  what that task runs (text_search.index_new) right after the import and times it apart
  (the "indexing" rows).
- the write alone (secondary), on each database: the import's rows, made beforehand, written
  as the import writes them (core.bulk.BatchInserter in batches, in one transaction, committed).
  The C-level floor plus this is the least any import of the file into that database could
  take in this stack: what the schema's table and indexes cost is not the parser's.

Time is that of the step alone: not the interpreter's start, Django's set-up or migrate.
Memory is that of the step alone too (harness.PeakMemory): the highest resident memory
during the step minus the resident memory just before it (for the imports: after Django's
set-up, migrate and the company's creation). The absolute peak is printed beside it. A file
this large is parsed in a child interpreter (banking/formats/camt_child.py): its CPU seconds
are printed apart (the import's "cpu s" are those of the importing process); its memory
(some 25 MB) is not in the import's.

Goals: the whole import within 3x the C-level floor (medians); the import's memory below
300 MB.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402 (beside this file)
import workload  # noqa: E402

GOAL_RATIO, GOAL_MB = 3.0, 300


def _parse(path: str) -> int:
    from kassenwart.banking.formats.camt import parse_camt
    from kassenwart.banking.formats.statement import Entry

    return sum(isinstance(item, Entry) for item in parse_camt(path))


STEPS = {"floor": harness.camt_floor, "walk": harness.camt_python_walk, "parse": _parse}
LABELS = {
    "floor": "C-level floor (baseline)",
    "walk": "Python-walk floor (old, secondary)",
    "parse": "parse_camt alone",
    "sqlite-write": "the write alone, SQLite (secondary)",
    "sqlite": "import into SQLite",
    "postgres-write": "the write alone, PostgreSQL (second.)",
    "postgres": "import into PostgreSQL",
    "sqlite-index": "  then indexing, SQLite (background)",
    "postgres-index": "  then indexing, PostgreSQL (backgr.)",
}
DATABASE_STEPS = ("sqlite", "sqlite-write", "postgres", "postgres-write")


def step(name: str, path: str) -> dict:
    """One step in this process: its entries, seconds, CPU seconds and memory."""
    figures: dict = {}
    if name in STEPS:
        with harness.PeakMemory() as memory, harness.timed(figures, "seconds", "cpu"):
            figures["entries"] = STEPS[name](path)
    elif name.endswith("-write"):
        write = _prepared_write(path)
        with harness.PeakMemory() as memory, harness.timed(figures, "seconds", "cpu"):
            figures["entries"] = write()
    else:
        harness.django_ready()
        from kassenwart.banking.services import statement_import
        from kassenwart.banking.text_search import index_new
        from kassenwart.companies.services import company_create

        company = company_create("Benchmark GmbH", via="bench")
        thread_cpu, child_cpu = time.thread_time(), _children_cpu()
        with harness.PeakMemory() as memory, harness.timed(figures, "seconds", "cpu"):
            result = statement_import(company, path, via="cli")
        # the importing thread alone: the batches' writes run beside it (core.bulk.BatchInserter)
        figures["thread_cpu"] = time.thread_time() - thread_cpu
        # the child interpreter that parses a large file (banking/formats/camt_child.py)
        figures["child_cpu"] = _children_cpu() - child_cpu
        if not result.balance_ok:
            raise SystemExit(f"import did not balance: {result.message}")
        figures["entries"] = result.added
        # what the background task does after the import's commit, timed on its own
        indexing: dict = {}
        with harness.PeakMemory() as index_memory, harness.timed(indexing, "seconds", "cpu"):
            index_new()
        figures.update(index_seconds=indexing["seconds"], index_cpu=indexing["cpu"],
                       index_grown_mb=index_memory.grown_mb, index_peak_mb=index_memory.peak_mb)
    figures.update(before_mb=memory.before_mb, peak_mb=memory.peak_mb, grown_mb=memory.grown_mb)
    return figures


def _children_cpu() -> float:
    """CPU seconds of this process's children that have ended."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _prepared_write(path: str):
    """The import's rows of the file, made now (parsed, fingerprinted); returns what writes
    them as the import does: in batches through core.bulk.BatchInserter, in one transaction."""
    harness.django_ready()
    from django.db import transaction

    from kassenwart.banking import importer
    from kassenwart.banking.formats.camt import parse_camt
    from kassenwart.banking.formats.statement import StatementHeader
    from kassenwart.banking.models import StatementImport, Transaction
    from kassenwart.companies.services import company_create
    from kassenwart.core.bulk import BatchInserter

    company = company_create("Benchmark GmbH", via="bench")
    record = StatementImport.objects.create(company=company, file_name="bench", sha256="-", status="imported")
    writer = importer.StatementWriter(record, may_create_accounts=True)
    items = list(parse_camt(path))
    if sum(isinstance(item, StatementHeader) for item in items) != 1:
        raise SystemExit("the write step expects a file of one statement")
    writer.feed(items[0])  # the account
    batches = []
    for start in range(1, len(items), importer.BATCH):
        writer._batch = items[start : start + importer.BATCH]
        batches.append(writer._rows())
    same = (company.pk, writer._account.pk, record.pk)

    def write() -> int:
        with transaction.atomic(), BatchInserter(Transaction, importer._ROW, importer._SAME,
                                                 unless_exists=("account", "fingerprint")) as inserter:
            for rows in batches:
                inserter.add(rows, same)
            return inserter.wait()

    return write


def generate(path: Path, entries: int) -> None:
    work = workload.build(entries * 4 // 3, lines=entries)
    work.write_statement(path, pad=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=75_000)
    parser.add_argument("--runs", type=harness.runs_argument, default=3, help="rounds (at least 3)")
    parser.add_argument("--quick", action="store_true", help="10,000 entries, for a smoke run")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--keep", action="store_true", help="keep the generated file and the runs' data directories")
    parser.add_argument("--step", choices=[*STEPS, *DATABASE_STEPS], help=argparse.SUPPRESS)
    parser.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        return harness.report(step(args.step, args.file))

    entries = 10_000 if args.quick else args.entries
    harness.preamble(
        f"bench_import: a camt.053 of {entries:,} entries into the database",
        'C-level floor: lxml iterparse(path, tag="{*}Ntry") with clear() and the previous entries freed',
        [f"the whole import within {GOAL_RATIO:.0f}x the C-level floor (medians)",
         f"memory of the import below {GOAL_MB} MB ({harness.PeakMemory.METHOD})"],
        args.runs,
    )
    work = Path(tempfile.mkdtemp(prefix="kassenwart-bench-import-"))
    path = work / "statement.camt053.xml"
    started = time.perf_counter()
    generate(path, entries)
    print(f"file: {entries:,} entries, {path.stat().st_size / 1e6:.1f} MB, made in "
          f"{time.perf_counter() - started:.1f} s: {path}")
    steps = ["floor", "walk", "parse", "sqlite-write", "sqlite"]
    if args.no_postgres:
        print("PostgreSQL: left out (--no-postgres)")
    elif harness.postgres_reachable():
        steps += ["postgres-write", "postgres"]
    else:
        print(f"PostgreSQL: not reachable at {harness.PG_SERVER}, left out")
    runs: dict[str, list[dict]] = {name: [] for name in steps}
    for round_number in range(1, args.runs + 1):
        for name in steps:
            runs[name].append(_run(name, path, work / f"data-{name}-{round_number}"))
        print(f"round {round_number} done, {harness.load()}", flush=True)
    _print(runs, entries)
    if not args.keep:
        shutil.rmtree(work)  # the file and every run's data directory
    harness.closing()


def _run(name: str, path: Path, data_dir: Path) -> dict:
    command = ["--step", name, str(path)]
    if name.startswith("postgres"):
        with harness.scratch_database("kassenwart_bench_import") as url:
            return harness.child(__file__, command, {"KASSENWART_DATA_DIR": str(data_dir), "DATABASE_URL": url})
    return harness.child(__file__, command, {"KASSENWART_DATA_DIR": str(data_dir), "DATABASE_URL": ""})


def _print(runs: dict[str, list[dict]], entries: int) -> None:
    seconds = {name: harness.Figure([r["seconds"] for r in done]) for name, done in runs.items()}
    floor, walk = seconds["floor"], seconds["walk"]
    print(f"\n{'step':<36} {'seconds min / med':>18} {'entries/s':>10} {'x C floor':>10} {'x walk':>7} "
          f"{'grown MB':>9} {'peak MB':>8} {'cpu s med':>9} {'cpu/wall':>8}")
    for name, done in list(runs.items()):
        if name in ("sqlite", "postgres"):  # the indexing after the import, as a row of its own
            index = f"{name}-index"
            runs[index] = [{"entries": r["entries"], "seconds": r["index_seconds"], "cpu": r["index_cpu"],
                            "grown_mb": r["index_grown_mb"], "peak_mb": r["index_peak_mb"]} for r in done]
            seconds[index] = harness.Figure([r["seconds"] for r in runs[index]])
    for name, done in runs.items():
        figure = seconds[name]
        if any(r["entries"] != entries for r in done):
            raise SystemExit(f"{name}: {[r['entries'] for r in done]} entries instead of {entries}")
        cpu, share = harness.Figure([r["cpu"] for r in done]), harness.Figure([r["cpu"] / r["seconds"] for r in done])
        print(f"{LABELS[name]:<36} {figure.show():>18} {entries / figure.median:>10,.0f} "
              f"{figure.median / floor.median:>10.2f} {figure.median / walk.median:>7.2f} "
              f"{max(r['grown_mb'] for r in done):>9.0f} {max(r['peak_mb'] for r in done):>8.0f} "
              f"{cpu.median:>9.2f} {share.median:>8.2f}")
    print("(grown MB: the largest of the runs; peak MB: highest resident memory of the process during the step; "
          "cpu/wall below 1: the step waited, for the disk, the database server or the machine's load)")
    print()
    for name in ("sqlite", "postgres"):
        if name not in runs:
            continue
        index = seconds[f"{name}-index"]
        print(f"     {LABELS[name]} and the indexing after it, together: "
              f"{harness.ratio(harness.Figure([a + b for a, b in zip(seconds[name].values, index.values)]), floor)} "
              f"the C-level floor")
        figure, grown = seconds[name], max(r["grown_mb"] for r in runs[name])
        print(f"goal {LABELS[name]}: {harness.ratio(figure, floor)} the C-level floor, goal <= {GOAL_RATIO:.0f}x: "
              f"{harness.verdict(figure.median <= GOAL_RATIO * floor.median)}; vs the Python walk "
              f"{harness.ratio(figure, walk)}")
        cpu = harness.Figure([r["cpu"] for r in runs[name]])
        floor_cpu = harness.Figure([r["cpu"] for r in runs["floor"]])
        print(f"     in CPU seconds of this process (less disturbed by load; without the database server's "
              f"work): {harness.ratio(cpu, floor_cpu)}")
        thread = harness.Figure([r["thread_cpu"] for r in runs[name]])
        print(f"     in CPU seconds of the importing thread alone (the writes run beside it; on two idle cores "
              f"the least the import's wall time can be): {harness.ratio(thread, floor_cpu)}")
        child = harness.Figure([r["child_cpu"] for r in runs[name]])
        print(f"     CPU seconds of the child interpreter that parses the file (beside this process): "
              f"{child.show()}, {harness.ratio(child, floor_cpu)} the floor's")
        print(f"goal {LABELS[name]} memory: grew by {grown:.0f} MB at most, goal < {GOAL_MB} MB: "
              f"{harness.verdict(grown < GOAL_MB)}")
        write = seconds.get(f"{name}-write")
        if write is not None:
            least = harness.Figure([f + w for f, w in zip(floor.values, write.values, strict=True)])
            print(f"     the least an import could take here (C-level floor + the write alone): "
                  f"{harness.ratio(least, floor)} the C-level floor; the import is {harness.ratio(figure, least)} that")


if __name__ == "__main__":
    main()
