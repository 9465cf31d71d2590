"""Fuzzing the statement parsers: real files from ../shared/bankfiles, mutated, fed to the camt,
MT940 and CSV parsers. Shared by the short run in the test suite (Hypothesis draws the
mutations: tests/banking/formats/test_parser_fuzz.py) and the long one (scripts/fuzz, which
draws them at random and keeps a corpus).

What a parser may do with any input: yield statements, or refuse the file with
StatementFormatError. Anything else is a crash. And no input under 100 KB may take more than
one second of CPU time (a budget, not a benchmark: a good file takes milliseconds, and a
parser that backtracks takes seconds on a few kilobytes).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kassenwart.banking.formats import detect_format
from kassenwart.banking.formats.bank_csv import PROFILES, detect_profile, parse_csv
from kassenwart.banking.formats.camt import parse_camt
from kassenwart.banking.formats.mt940 import parse_mt940
from kassenwart.banking.formats.statement import Entry, StatementFormatError

FAMILIES = ("camt", "mt940", "csv")
MAX_SIZE = 100_000  # bytes: larger inputs are cut
BUDGET = 1.0  # seconds of CPU time an input under MAX_SIZE may take

# Pieces that make a parser take another path: field tags, separators, long runs, amounts the
# books cannot hold, the characters of patterns (//, ?20, SVWZ+), markup.
TOKENS = [
    b":20:", b":25:", b":28C:", b":60F:", b":61:", b":62F:", b":64:", b":86:", b":NS:", b"\n", b"\r\n", b"\r",
    b"//", b"?20", b"?32", b"SVWZ+", b"EREF+", b"C", b"D", b"RC", b"EUR", b",", b".", b";", b'"', b"\t", b"-",
    b"{1:F01}", b"{4:", b"-}", b"0" * 30, b"9" * 27 + b",00", b"1" * 2000, b" " * 500, b"\x00", b"\xff\xfe",
    b"<Ntry>", b"</Ntry>", b"<Amt Ccy=\"EUR\">", b"</Amt>", b"<Bal>", b"<!DOCTYPE x [<!ENTITY a \"b\">]>",
    b"<CdtDbtInd>DBIT</CdtDbtInd>", b"<Dt>2026-02-30</Dt>", b"&amp;", b"]]>", "ä€".encode(), "ä".encode("cp1252"),
    b"261201", b"2612011201", b"Buchungstag", b"Betrag", b"Saldo nach Buchung", b"Neuer Kontostand",
]

IBAN = "DE89370400440532013000"
CROWDED = {"mt940": "mt940", "mt940 bare": "mt940", "camt": "camt", "csv": "csv"}  # shape -> family


def crowded(shape: str, size: int = 96 * 1024) -> bytes:
    """A file of `size` bytes made of as many of the smallest statements (MT940, camt) or rows
    (CSV) as fit: what costs per statement rather than per byte shows here. Shapes: "mt940"
    (each statement closes on a day of its own, so the import writes a balance for each),
    "mt940 bare" (statements of a :20: alone, about 20,000), "camt", "csv"."""
    if shape == "mt940 bare":
        return b":20:\n" * (size // 5)
    if shape == "mt940":
        def statement(n):
            day = f"{26 - n // 365 % 20:02d}{1 + n // 28 % 12:02d}{1 + n % 28:02d}"
            return f":20:{n}\n:25:{IBAN}\n:28C:1\n:60F:C{day}EUR0,\n:62F:C{day}EUR0,\n-\n".encode()
        return _filled(b"", statement, b"", size)
    if shape == "camt":
        head = (b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
                b"<BkToCstmrStmt><GrpHdr><MsgId>M</MsgId><CreDtTm>2026-01-01T00:00:00</CreDtTm></GrpHdr>")
        return _filled(head, lambda n: f"<Stmt><Id>{n}</Id><Acct><Id><IBAN>{IBAN}</IBAN></Id></Acct></Stmt>".encode(),
                       b"</BkToCstmrStmt></Document>", size)
    head = (b"Auftragskonto;Buchungstag;Valutadatum;Buchungstext;Verwendungszweck;Beguenstigter/Zahlungspflichtiger;"
            b"Kontonummer/IBAN;BIC (SWIFT-Code);Betrag;Waehrung;Info\n")
    return _filled(head, lambda n: f"{IBAN};01.01.26;01.01.26;X;{n};;;;0,01;EUR;Umsatz gebucht\n".encode(), b"", size)


def _filled(head: bytes, piece: Callable[[int], bytes], tail: bytes, size: int) -> bytes:
    parts, length, n = [head], len(head) + len(tail), 0
    while length + len(next_piece := piece(n)) <= size:
        parts.append(next_piece)
        length += len(next_piece)
        n += 1
    return b"".join(parts) + tail


# choose(n) -> an int in range(n): Hypothesis' draw in the tests, random.randrange in the script.
Choose = Callable[[int], int]


def seed_files(shared: Path, kept: Path | None = None) -> dict[str, list[bytes]]:
    """The corpus files of each family under MAX_SIZE, and those a long run kept."""
    folders = {"camt": "camt", "mt940": "mt940", "csv": "csv"}
    seeds: dict[str, list[bytes]] = {}
    for family, folder in folders.items():
        paths = [p for p in sorted((shared / folder).rglob("*")) if p.is_file() and p.suffix != ".md"]
        if kept is not None and (kept / family).is_dir():
            paths += sorted((kept / family).iterdir())
        seeds[family] = [data for p in paths if 0 < len(data := p.read_bytes()) <= MAX_SIZE]
    return seeds


def mutated(data: bytes, others: list[bytes], choose: Choose, steps: int) -> bytes:
    """`data` after `steps` mutations: a byte changed, a piece removed, a token inserted, a
    piece repeated, a piece of another file spliced in."""
    for _step in range(steps):
        data = _MUTATIONS[choose(len(_MUTATIONS))](data, others, choose)
    return data[:MAX_SIZE]


def _span(data: bytes, choose: Choose, longest: int = 64) -> tuple[int, int]:
    start = choose(len(data) + 1)
    return start, min(len(data), start + choose(longest + 1))


def _change_byte(data, others, choose):
    if not data:
        return data
    at = choose(len(data))
    return data[:at] + bytes([choose(256)]) + data[at + 1 :]


def _remove(data, others, choose):
    start, end = _span(data, choose, longest=256)
    return data[:start] + data[end:]


def _insert_token(data, others, choose):
    at = choose(len(data) + 1)
    return data[:at] + TOKENS[choose(len(TOKENS))] + data[at:]


def _repeat(data, others, choose):
    start, end = _span(data, choose)
    times = 1 + choose(min(200, MAX_SIZE // max(1, end - start)))
    return data[:start] + data[start:end] * times + data[end:]


def _splice(data, others, choose):
    other = others[choose(len(others))] if others else data
    start, end = _span(other, choose, longest=1024)
    at = choose(len(data) + 1)
    return data[:at] + other[start:end] + data[at:]


def _digits(data, others, choose):
    """A digit somewhere becomes a long run of digits: amounts, dates, references."""
    found = [i for i in range(min(len(data), 4096)) if 48 <= data[i] <= 57]
    if not found:
        return data
    at = found[choose(len(found))]
    return data[:at] + b"9" * (1 + choose(4000)) + data[at + 1 :]


_MUTATIONS = [_change_byte, _remove, _insert_token, _repeat, _splice, _digits]


@dataclass
class Outcome:
    kind: str  # "parsed" or "refused"
    detail: str  # what the parser said, or how many statements and entries it gave
    cpu_seconds: float


def run(family: str, data: bytes) -> Outcome:
    """Give the input to the family's parser, as the import would; an exception other than
    StatementFormatError propagates (that is the crash the fuzzing looks for)."""
    started = time.process_time()
    try:
        detect_format(data[:8192])
    except StatementFormatError:
        pass  # the import would stop here; the parser is still fed, to fuzz it
    try:
        statements = entries = 0
        for item in _parser(family, data):
            entries += isinstance(item, Entry)
            statements += not isinstance(item, Entry)
        kind, detail = "parsed", f"{statements} statements, {entries} entries"
    except StatementFormatError as refusal:
        kind, detail = "refused", refusal.message
    return Outcome(kind, detail, time.process_time() - started)


def _parser(family: str, data: bytes):
    if family == "camt":
        return parse_camt(io.BytesIO(data))
    if family == "mt940":
        return parse_mt940(data)
    profile = detect_profile(data[:65536])
    return parse_csv(data, PROFILES[profile or "sparkasse"])


# -- the long run (scripts/fuzz) ------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="scripts/fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60, help="how long to run (default 60)")
    parser.add_argument("--corpus", type=Path, default=Path("fuzz"),
                        help="the kept corpus, its crashes and slow inputs (default fuzz/, ignored by git)")
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared",
                        help="the team's shared folder with bankfiles/ (default ../shared)")
    parser.add_argument("--seed", type=int, default=None, help="random seed, to run the same inputs again")
    args = parser.parse_args(argv)
    return _fuzz(args.minutes * 60, args.corpus, args.shared / "bankfiles", args.seed)


def _fuzz(seconds: float, corpus: Path, bankfiles: Path, seed: int | None) -> int:
    import hashlib
    import random
    import traceback

    if not bankfiles.is_dir():
        print(f"no bank files at {bankfiles}: give --shared")
        return 2
    rng = random.Random(seed)
    seeds = seed_files(bankfiles, corpus)
    for folder in (*FAMILIES, "crashes", "slow"):
        (corpus / folder).mkdir(parents=True, exist_ok=True)
    seen = {_signature(family, run(family, data)) for family in FAMILIES for data in seeds[family]}
    tried = crashes = slow = kept = 0
    slowest = (0.0, "", 0)
    cpu_start, wall_start = time.process_time(), time.monotonic()
    report_at = wall_start + 60
    print(f"fuzzing for {seconds / 60:.0f} min; seeds: "
          + ", ".join(f"{len(seeds[f])} {f}" for f in FAMILIES) + f"; corpus {corpus}")
    while time.monotonic() - wall_start < seconds:
        family = FAMILIES[tried % len(FAMILIES)]
        pool = seeds[family]
        data = mutated(pool[rng.randrange(len(pool))], pool, rng.randrange, steps=1 + rng.randrange(4))
        name = f"{family}-{hashlib.sha1(data).hexdigest()[:16]}"
        tried += 1
        try:
            outcome = run(family, data)
        except Exception:  # a crash: keep the input and what happened
            crashes += 1
            (corpus / "crashes" / name).write_bytes(data)
            (corpus / "crashes" / f"{name}.txt").write_text(traceback.format_exc())
            continue
        if outcome.cpu_seconds > slowest[0]:
            slowest = (outcome.cpu_seconds, family, len(data))
        if outcome.cpu_seconds > BUDGET:
            slow += 1
            (corpus / "slow" / name).write_bytes(data)
        signature = _signature(family, outcome)
        if signature not in seen:  # a new thing said: keep the input to mutate further
            seen.add(signature)
            (corpus / family / name).write_bytes(data)
            pool.append(data)
            kept += 1
        if time.monotonic() > report_at:
            report_at += 60
            print(f"  {tried:,} inputs, {crashes} crashes, {slow} slow, {kept} kept", flush=True)
    cpu = time.process_time() - cpu_start
    print(f"inputs tried: {tried:,}")
    print(f"CPU time: {cpu:.0f} s ({time.monotonic() - wall_start:.0f} s wall); {tried / max(cpu, 1e-9):.0f} inputs per CPU second")
    print(f"crashes: {crashes} (in {corpus / 'crashes'})")
    print(f"inputs over {BUDGET:.0f} s of CPU: {slow} (in {corpus / 'slow'})")
    print(f"slowest input: {slowest[0] * 1000:.0f} ms ({slowest[1]}, {slowest[2]:,} bytes)")
    print(f"corpus: {kept} inputs kept this run, {sum(len(seeds[f]) for f in FAMILIES):,} in all")
    return 1 if crashes or slow else 0


def _signature(family: str, outcome: Outcome) -> tuple[str, str, str]:
    """What the parser said, without the values in it: a new one is a new path taken. The
    values are the quoted parts and every word that is not a short run of lower-case letters
    (numbers, tags, names, amounts, a long run of one letter), a run of them shown as one "0";
    the message's own words stay, its first twelve."""
    import re

    detail = re.sub(r"'[^']*'|\"[^\"]*\"", "Q", outcome.detail)
    words = [word if re.fullmatch(r"[a-z]{2,20}[,.:;]?", word) else "0" for word in detail.split()]
    words = [word for n, word in enumerate(words) if word != "0" or n == 0 or words[n - 1] != "0"]
    return family, outcome.kind, " ".join(words[:12])


if __name__ == "__main__":
    raise SystemExit(main())
