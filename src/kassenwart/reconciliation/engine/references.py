"""ISO 11649 creditor references ("RF18 5390 0754 7034")."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from .normalize import compact

_RF = re.compile(r"RF[0-9]{2}[0-9A-Z]{1,21}")
_MAX_BODY = 21
_RF_DIGITS = "2715"  # "RF" with letters as numbers (R = 27, F = 15)


def _mod97(text: str, remainder: int = 0) -> int:
    """The number the text stands for (letters as 10..35) modulo 97, digit by digit."""
    for ch in text:
        value = int(ch, 36)
        remainder = (remainder * (100 if value > 9 else 10) + value) % 97
    return remainder


def rf_valid(reference: str) -> bool:
    """True for a well-formed RF reference whose check digits are right (mod 97 == 1)."""
    ref = compact(reference)
    return bool(_RF.fullmatch(ref)) and _mod97(ref[4:] + ref[:4]) == 1


def rf_in_atoms(atoms: Sequence[str]) -> Iterator[str]:
    """Every valid RF reference that can be read from the text's atoms.

    Printed references come in groups of four and may be cut across lines, so the atoms
    after an "RF" are glued together and each length is checked; the check digits keep
    the false readings rare, and the caller only believes those that name an invoice.
    """
    for start, atom in enumerate(atoms):
        if atom != "RF":
            continue
        glued = "".join(atoms[start + 1 : start + 1 + _MAX_BODY])[: 2 + _MAX_BODY]
        check = glued[:2]
        if not check.isdigit():
            continue
        tail = _mod97(_RF_DIGITS + check)
        remainder = 0
        for end in range(2, len(glued)):
            remainder = _mod97(glued[end], remainder)
            # body followed by "RF" and the check digits: shift by their six digits
            if (remainder * 1_000_000 + tail) % 97 == 1:
                yield "RF" + glued[: end + 1]
