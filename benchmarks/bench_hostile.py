"""Benchmark: the MT940 file of issue 12 that made the import backtrack, at growing sizes.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_hostile.py [--sizes 8000 16000 32000 64000 100000]
        [--library 2000 4000 8000]

The file: a :61: with a valid value date and mark, then thousands of digits, then two short
lines. Printed per size: the CPU time of parse_mt940 (which refuses the file), min of 3 runs,
and its ratio to the size before. Linear time doubles with the size; the library's patterns
quadruple (their figures beside, from the library's own :61: patterns, SWIFT then GLS, on the
same values: the parser's fallback before issue 12). Then other files of about 100 KB made
of what costs most per byte: tens of thousands of tags, statements or empty lines (each was
over the budget before issue 12: a line count from the file's start per tag, an envelope
lookup per statement, the CSV layout detection reading the whole file once per bank).
Goal: any file under 100 KB within 1 s.
"""

from __future__ import annotations

import argparse
import time

import mt940

from kassenwart.banking.formats.bank_csv import PROFILES, detect_profile, parse_csv
from kassenwart.banking.formats.mt940 import parse_mt940
from kassenwart.banking.formats.statement import StatementFormatError


def statement_line(digits: int) -> str:
    return "261201C1" + "1" * digits + "\nAB\nCD"


def hostile(digits: int) -> bytes:
    lines = [":20:HOSTILE", ":25:DE89370400440532013000", ":60F:C261201EUR100,00",
             ":61:" + statement_line(digits), ":62F:C261201EUR100,00"]
    return ("\n".join(lines) + "\n").encode()


def cpu(work, runs: int = 3) -> float:
    best = float("inf")
    for _run in range(runs):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def parsed(data: bytes) -> None:
    try:
        list(parse_mt940(data))
    except StatementFormatError:
        pass


HEAD = ":20:X\n:25:DE89370400440532013000\n:60F:C261201EUR0,00\n"
CSV_HEADER = ('"Auftragskonto";"Buchungstag";"Valutadatum";"Buchungstext";"Verwendungszweck";'
              '"Beguenstigter/Zahlungspflichtiger";"Kontonummer/IBAN";"BIC (SWIFT-Code)";"Betrag";"Waehrung"\n')
SHAPES = {
    "MT940, 16,000 :86: tags": (HEAD + ":86:a\n" * 16_000).encode(),
    "MT940, 16,000 statements": (":20:X\n" * 16_000).encode(),
    "MT940, 4,000 statements in envelopes": ("{1:F01}{2:O940}{4:\n:20:X\n" * 4_000).encode(),
    "CSV, 99,000 empty lines": (CSV_HEADER + "\n" * 99_000).encode(),
}


def csv_parsed(data: bytes) -> None:
    list(parse_csv(data, PROFILES[detect_profile(data[:65536])]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[8000, 16000, 32000, 64000, 100000])
    parser.add_argument("--library", type=int, nargs="+", default=[2000, 4000, 8000])
    args = parser.parse_args()
    print("parse_mt940 (refuses the file)")
    before = None
    for digits in args.sizes:
        data = hostile(digits)
        seconds = cpu(lambda data=data: parsed(data))
        ratio = f"x{seconds / before:.1f}" if before else ""
        print(f"  {len(data):>8,} bytes  {seconds * 1000:8.1f} ms CPU  {ratio}")
        before = seconds
    print("other files of about 100 KB")
    for name, data in SHAPES.items():
        work = csv_parsed if name.startswith("CSV") else parsed
        seconds = cpu(lambda data=data, work=work: work(data))
        print(f"  {name:38} {len(data):>8,} bytes  {seconds * 1000:8.1f} ms CPU")
    print("the library's :61: patterns, SWIFT then GLS (the fallback before issue 12)")
    swift, gls = mt940.tags.Statement(), mt940.tags.StatementGLS()
    before = None
    for digits in args.library:
        value = statement_line(digits)
        seconds = cpu(lambda value=value: swift.re.match(value) or gls.re.match(value), runs=1)
        ratio = f"x{seconds / before:.1f}" if before else ""
        print(f"  {len(value):>8,} bytes  {seconds * 1000:8.1f} ms CPU  {ratio}")
        before = seconds


if __name__ == "__main__":
    main()
