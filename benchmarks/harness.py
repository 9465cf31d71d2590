"""How the benchmarks measure: every figure at least three times (min and median), the
machine's load beside it, peak memory of one phase, children that report JSON, throw-away
databases, and the floors that parsing is compared with.

The benchmarks import it from beside them (they put their own folder first on sys.path when
run as scripts). Nothing here imports Django until a function needs it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
MIN_RUNS = 3


# -- repeated figures ------------------------------------------------------------------------
def runs_argument(text: str) -> int:
    """argparse type for --runs: at least MIN_RUNS, or a figure's median says little."""
    runs = int(text)
    if runs < MIN_RUNS:
        raise argparse.ArgumentTypeError(f"at least {MIN_RUNS} runs")
    return runs


@dataclass
class Figure:
    """One quantity measured several times."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def min(self) -> float:
        return min(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def show(self, unit: str = "s", digits: int = 2) -> str:
        return f"{self.min:.{digits}f} / {self.median:.{digits}f} {unit}"


def ratio(ours: Figure, baseline: Figure) -> str:
    """Ours over the baseline, of the medians (and of the minima, less disturbed by load)."""
    return f"{ours.median / baseline.median:.2f}x (min/min {ours.min / baseline.min:.2f}x)"


def verdict(met: bool, scaled: bool = False) -> str:
    """"met" or "NOT MET"; a goal scaled down from its own size only orients a smoke run."""
    return ("met" if met else "NOT MET") + (" (scaled goal, for orientation only)" if scaled else "")


# -- the machine ---------------------------------------------------------------------------------
def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} CPUs"


def preamble(title: str, baseline: str, goals: Sequence[str], runs: int) -> None:
    print(title)
    print(f"baseline: {baseline}")
    for goal in goals:
        print(f"goal: {goal}")
    print(f"each figure: {runs} runs, printed as min / median; ours and the baseline alternate in "
          f"every round, so load on the machine falls on both")
    print(f"at start: {load()}")
    sys.stdout.flush()


def closing() -> None:
    print(f"at end:   {load()}")


# -- peak memory of a phase ------------------------------------------------------------------------
def _status_kb(field_name: str) -> int:
    with open("/proc/self/status") as status:
        return int(re.search(rf"^{field_name}:\s+(\d+) kB", status.read(), re.M).group(1))


class PeakMemory:
    """Resident memory of this process during a `with` block: `before_mb` just before it,
    `peak_mb` its highest point during it, `grown_mb` the difference (what the block itself
    needed). The kernel's high-water mark (VmHWM) is reset just before the block by writing
    5 to /proc/self/clear_refs; where that is not allowed, a thread samples VmRSS every 5 ms."""

    METHOD = "peak RSS during the step minus RSS just before it (VmHWM reset at its start)"

    def __enter__(self) -> PeakMemory:
        self.before_mb = _status_kb("VmRSS") / 1024
        self._sampler = None
        try:
            with open("/proc/self/clear_refs", "w") as clear:
                clear.write("5")
        except OSError:
            self._highest = self.before_mb
            self._stop = threading.Event()
            self._sampler = threading.Thread(target=self._sample, daemon=True)
            self._sampler.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self._highest = max(self._highest, _status_kb("VmRSS") / 1024)

    def __exit__(self, *exc_info) -> None:
        if self._sampler is None:
            self.peak_mb = _status_kb("VmHWM") / 1024
        else:
            self._stop.set()
            self._sampler.join()
            self.peak_mb = max(self._highest, _status_kb("VmRSS") / 1024)
        self.grown_mb = self.peak_mb - self.before_mb


# -- children ------------------------------------------------------------------------------------
def child(script: str, args: Sequence[str], env: dict[str, str] | None = None) -> dict:
    """Run a benchmark script in a fresh interpreter; its last stdout line is JSON."""
    done = subprocess.run([sys.executable, script, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise SystemExit(f"{os.path.basename(script)} {' '.join(args)} failed:\n{done.stderr[-5000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(figures: dict) -> None:
    """A child's answer to `child`."""
    print(json.dumps(figures))


def django_ready() -> None:
    """Django set up for the database in DATABASE_URL (or SQLite in KASSENWART_DATA_DIR),
    migrated. Call in a child, before importing models."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kassenwart.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# -- databases -------------------------------------------------------------------------------------
@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A database on the local PostgreSQL server, dropped afterwards whatever happens;
    yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", f"DROP DATABASE {name}"], check=False)


def postgres_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
        return True
    except Exception:
        return False


# -- floors --------------------------------------------------------------------------------------
def camt_floor(path: str) -> int:
    """The C-level floor of reading a camt file: libxml2 parses, lxml hands over only the
    Ntry elements (tag filter in C), each is cleared and the ones before it are freed, so
    memory stays flat. No Python code runs per element below Ntry. Returns the entries."""
    from lxml import etree

    count = 0
    for _, entry in etree.iterparse(path, events=("end",), tag="{*}Ntry", resolve_entities=False,
                                    no_network=True):
        count += 1
        entry.clear(keep_tail=False)
        parent = entry.getparent()
        while entry.getprevious() is not None:
            del parent[0]
    return count


def camt_python_walk(path: str) -> int:
    """The older, weaker floor: every element of the file passes through Python once."""
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


def csv_floor(path: str) -> int:
    """The C-level floor of reading a CSV file: the csv module's reader, rows counted."""
    with open(path, newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f)) - 1


@contextmanager
def timed(into: dict, key: str, cpu_key: str | None = None) -> Iterator[None]:
    """Wall-clock seconds of the block into `into[key]`, CPU seconds into `into[cpu_key]`."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        into[key] = time.perf_counter() - wall
        if cpu_key:
            into[cpu_key] = time.process_time() - cpu
