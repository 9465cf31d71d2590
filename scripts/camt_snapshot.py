"""What parse_camt makes of every camt file of the corpus, of mutated copies of them (bytes changed, or an
element's text) and of
given large files, as one digest per input: to show that a change of the parser changes
nothing it yields (every field of every header and entry, the warnings with their codes and
parameters) nor how it refuses a file (message and place).

    scripts/camt_snapshot.py OUT.json [--shared ../shared] [--mutations 3000] [BIG.xml ...]
    scripts/camt_snapshot.py --compare BEFORE.json AFTER.json

Run it before and after the change and compare the two files.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def described(value) -> str:
    """A value with its type, and a note's code and parameters (a plain repr hides them)."""
    from kassenwart.banking.formats.statement import Note

    if isinstance(value, Note):
        return f"Note({str(value)!r}, {value.code!r}, {described(value.params)})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key!r}: {described(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return f"{type(value).__name__}[" + ", ".join(described(item) for item in value) + "]"
    if dataclasses.is_dataclass(value):
        fields = ", ".join(f"{f.name}={described(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__name__}({fields})"
    return f"{type(value).__name__}:{value!r}"


def digest(data: bytes) -> str:
    """The digest of everything parse_camt yields for `data`, or of how it refused it; the
    headers are described after the whole stream (camt adds warnings to them late)."""
    from kassenwart.banking.formats.camt import parse_camt
    from kassenwart.banking.formats.statement import StatementFormatError, StatementHeader

    hasher = hashlib.sha256()
    headers = []
    try:
        for item in parse_camt(io.BytesIO(data)):
            if isinstance(item, StatementHeader):
                headers.append(item)
                hasher.update(b"H")
            else:
                hasher.update(described(item).encode())
        outcome = "parsed"
    except StatementFormatError as error:
        outcome = f"refused {type(error.message).__name__} {error.message!r} at {error.where!r}"
    for header in headers:
        hasher.update(described(header).encode())
    return f"{outcome} {hasher.hexdigest()[:20]}"


# Texts an element may hold instead of its own: odd amounts, dates, codes and spaces.
ODD_TEXTS = [
    b"", b" ", b"0", b"0.00", b"-5.00", b"+5.00", b"5", b"5.", b".5", b"5.000", b"5.001", b"12,50", b"1e3",
    b"99999999999999.99", b"9999999999999.99", b"\xd9\xa1\xd9\xa2", b"2026-02-30", b"2026-02-28Z",
    b"2026-02-28+01:00", b"2026-02-28T10:00:00", b"20260228", b"CRDT", b"DBIT", b"crdt", b"BOOK", b"PDNG",
    b"INFO", b"XXXX", b"true", b"1", b"NOTPROVIDED", b"NTRF+166+931", b"SEPA", b"3", b"0", b" DE89 3704 ",
]
_TEXT = re.compile(rb">([^<>]*)<")


def odd_text(data: bytes, rng: random.Random) -> bytes:
    """`data` with the text of one element replaced by an odd one (the file stays XML)."""
    spans = [match.span(1) for match in _TEXT.finditer(data)]
    if not spans:
        return data
    start, end = spans[rng.randrange(len(spans))]
    return data[:start] + ODD_TEXTS[rng.randrange(len(ODD_TEXTS))] + data[end:]


def snapshot(shared: Path, mutations: int, big: list[Path]) -> dict[str, str]:
    import parser_fuzz

    files = sorted(p for p in (shared / "bankfiles" / "camt").rglob("*") if p.is_file() and p.suffix != ".md")
    found = {str(p.relative_to(shared)): digest(p.read_bytes()) for p in files}
    seeds = [p.read_bytes() for p in files]
    rng = random.Random(20261206)
    for number in range(mutations):
        data = parser_fuzz.mutated(seeds[rng.randrange(len(seeds))], seeds, rng.randrange, 1 + rng.randrange(4))
        found[f"mutation {number}"] = digest(data)
    for number in range(mutations):
        data = seeds[rng.randrange(len(seeds))]
        for _change in range(1 + rng.randrange(3)):
            data = odd_text(data, rng)
        found[f"odd text {number}"] = digest(data)
    for path in big:
        found[str(path)] = digest(path.read_bytes())
    return found


def compare(before: Path, after: Path) -> int:
    old, new = json.loads(before.read_text()), json.loads(after.read_text())
    differing = [name for name in old if old[name] != new.get(name)] + [name for name in new if name not in old]
    for name in differing[:20]:
        print(f"{name}:\n  before {old.get(name)}\n  after  {new.get(name)}")
    refused = sum(value.startswith("refused") for value in new.values())
    print(f"{len(old)} inputs ({refused} refused), {len(differing)} differ")
    return 1 if differing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("big", type=Path, nargs="*")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--mutations", type=int, default=3000)
    parser.add_argument("--compare", type=Path, nargs=2)
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    args.out.write_text(json.dumps(snapshot(args.shared, args.mutations, args.big), indent=0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
