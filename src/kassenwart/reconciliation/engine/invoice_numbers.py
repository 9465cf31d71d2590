"""The shape of a company's numbers, learned from its own open items.

Nothing here knows a pattern like "RE-2026-01234". From the numbers themselves it learns:

- affixes: letter groups many numbers share ("RE", "INV"); customers drop or change them,
  so they are no part of a number's key;
- the key: what is left, letters and digits only ("RE-2026-01234" -> "202601234");
- the serial: the digit group that varies most ("01234"), which customers shorten
  ("1234") or write without leading zeros ("RE-2026-1234");
- a positional profile per key length (which characters each position takes), to tell a
  number of the company's shape that is not open from an arbitrary number.

`NumberShape.windows` then reads any remittance for strings of that shape, however it is
spelled: separators, spaces, case and line breaks between the parts do not matter.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from rapidfuzz.distance import OSA

from .normalize import RUNS, runs
from .reasons import Reason, reason

# A letter group counts as an affix when this share of the numbers has it.
_AFFIX_SHARE = 0.02
# A position is fixed when it takes at most this many characters over enough numbers.
_FIXED_VALUES = 2
_FIXED_MIN_SAMPLES = 20
_MIN_SHORT = 3  # shorter forms than this say nothing
_SAMPLE = 5000  # numbers enough to learn a shape from
_DIGITS_ALIKE = str.maketrans("0123456789", "9999999999")


class Window(NamedTuple):
    """Consecutive atoms of a text glued together: atoms[start:end]."""

    text: str
    start: int
    end: int


class Forms(NamedTuple):
    spellings: tuple[str, ...]  # the key, then the key without the serial's leading zeros
    short: tuple[str, ...]  # the serial alone, without leading zeros ("1234")


@dataclass(frozen=True, slots=True)
class NumberShape:
    affixes: frozenset[str]
    has_letters: bool  # keys contain letters besides the affixes
    min_length: int
    max_length: int
    max_parts: int  # letter and digit groups of the longest key
    serial_positions: dict[tuple[int, ...], int]  # digit-group lengths -> index of the serial
    profile: re.Pattern[str]  # the key lengths seen often, with the characters fixed positions take
    plans: dict[str, tuple[list[tuple[int, int]], int | None]] = field(
        default_factory=dict, compare=False, repr=False
    )

    # -- one number --------------------------------------------------------------------

    def parts(self, number: str) -> list[str]:
        return [run for run in runs(number) if run not in self.affixes]

    def key(self, number: str) -> str:
        return "".join(self.parts(number))

    def forms(self, number: str) -> Forms:
        """How customers may write the number: full spellings and short forms."""
        upper = number.upper()
        # Numbers written alike ("RE-9999-99999") share where their parts and serial are.
        alike = upper.translate(_DIGITS_ALIKE)
        plan = self.plans.get(alike)
        if plan is None:
            plan = self.plans[alike] = self._plan(upper)
        spans, index = plan
        parts = [upper[start:end] for start, end in spans]
        key = "".join(parts)
        if index is None:
            return Forms((key,), ())
        serial = parts[index]
        trimmed = serial.lstrip("0")
        spellings = (key,)
        # Without its other parts (a year, a branch) a trimmed serial is only a short form.
        if trimmed and trimmed != serial and len(parts) > 1:
            spellings += ("".join(parts[:index] + [trimmed] + parts[index + 1 :]),)
        short = (trimmed,) if len(trimmed) >= _MIN_SHORT and trimmed != key else ()
        return Forms(spellings, short)

    def _plan(self, upper: str) -> tuple[list[tuple[int, int]], int | None]:
        """Where the key's parts are in the number, and which of them is the serial."""
        spans = [m.span() for m in RUNS.finditer(upper) if m.group() not in self.affixes]
        parts = [upper[start:end] for start, end in spans]
        digit_positions = [i for i, p in enumerate(parts) if p.isdigit()]
        if not digit_positions:
            return spans, None
        layout = tuple(len(parts[i]) for i in digit_positions)
        return spans, digit_positions[self.serial_positions.get(layout, -1)]

    def prefix(self, number: str) -> str:
        """The affix right before the number's key ("RE" of "RE-2026-00140", "DE" of
        "INV-DE-122640"), or ""."""
        before = ""
        for run in runs(number.upper()):
            if run not in self.affixes:
                return before
            before = run
        return ""

    def widened(self, lengths: Iterable[int]) -> NumberShape:
        """The same shape, its length range stretched to cover `lengths`."""
        lengths = list(lengths)
        return replace(
            self,
            min_length=min([self.min_length, *lengths]),
            max_length=max([self.max_length, *lengths]),
        )

    def looks_like(self, key: str) -> bool:
        """Has the text the company's shape (length and the positions that never vary)?"""
        return self.profile.fullmatch(key) is not None

    # -- a text ------------------------------------------------------------------------

    def windows(self, text_atoms: Sequence[str]) -> list[Window]:
        """Every run of consecutive atoms, glued, short enough to be a key (with one
        extra character for a typo) and at most one atom more than the key has parts (a
        line break may cut a part in two). Affixes and, for numeric keys, words end a run."""
        if self.has_letters:
            usable = [atom not in self.affixes for atom in text_atoms]
        else:
            usable = list(map(str.isdigit, text_atoms))
        limit, reach, count = self.max_length + 1, self.max_parts + 1, len(text_atoms)
        found = []
        add = found.append
        make = tuple.__new__  # Window(...) without the Python-level __new__ of a NamedTuple
        for start, first in enumerate(text_atoms):
            if not usable[start] or len(first) > limit:
                continue
            glued = first
            end = start + 1
            add(make(Window, (glued, start, end)))
            while end < count and end - start < reach and usable[end]:
                glued += text_atoms[end]
                if len(glued) > limit:
                    break
                end += 1
                add(make(Window, (glued, start, end)))
        return found


def typo(written: str, spelling: str) -> Reason | None:
    """The one typing error that turns `spelling` into `written`, or None."""
    if abs(len(written) - len(spelling)) > 1 or written == spelling:
        return None
    if OSA.distance(written, spelling, score_cutoff=1) > 1:
        return None
    unit = "digit" if spelling.isdigit() else "character"
    if len(written) < len(spelling):
        return reason(f"missing_{unit}")
    if len(written) > len(spelling):
        return reason(f"extra_{unit}")
    if sorted(written) == sorted(spelling):
        return reason("transposition")
    return reason(f"wrong_{unit}")


def _profile(keys: list[str]) -> re.Pattern[str]:
    """One alternative per frequent key length: "2026 0 . . . ." as [2][0][2][6][0]...."""
    by_length: dict[int, list[str]] = defaultdict(list)
    for key in keys:
        by_length[len(key)].append(key)
    alternatives = []
    for same in by_length.values():
        if len(same) < max(_FIXED_MIN_SAMPLES, len(keys) * _AFFIX_SHARE):
            continue
        columns = [sorted(set(column)) for column in zip(*same)]
        alternatives.append(
            "".join(f"[{''.join(c)}]" if len(c) <= _FIXED_VALUES else "." for c in columns)
        )
    return re.compile("|".join(alternatives) or "(?!)")


def _serial_positions(all_parts: list[list[str]]) -> dict[tuple[int, ...], int]:
    """Per layout of digit groups, the group with the most distinct values."""
    values: dict[tuple[int, ...], list[set[str]]] = {}
    for parts in all_parts:
        digits = [p for p in parts if p.isdigit()]
        layout = tuple(len(d) for d in digits)
        seen = values.setdefault(layout, [set() for _ in layout])
        for column, digit_group in zip(seen, digits):
            column.add(digit_group)
    return {
        layout: max(range(len(columns)), key=lambda i: (len(columns[i]), i))
        for layout, columns in values.items()
        if columns
    }


def learn_shape(numbers: Iterable[str]) -> NumberShape:
    """Learn from the numbers (an even sample of them when there are many; see `widened`)."""
    numbers = [n for n in numbers if n.strip()]
    numbers = numbers[:: max(1, len(numbers) // _SAMPLE)]
    letter_groups = Counter(g for n in numbers for g in set(runs(n)) if g.isalpha())
    threshold = max(2, len(numbers) * _AFFIX_SHARE)
    affixes = frozenset(g for g, count in letter_groups.items() if count >= threshold)
    all_parts = [[r for r in runs(n) if r not in affixes] for n in numbers]
    keys = ["".join(parts) for parts in all_parts if parts]
    has_letters = any(not k.isdigit() for k in keys)
    return NumberShape(
        affixes=affixes,
        has_letters=has_letters,
        min_length=min((len(k) for k in keys), default=1),
        max_length=max((len(k) for k in keys), default=1),
        max_parts=max((len(parts) for parts in all_parts), default=1),
        serial_positions=_serial_positions(all_parts),
        profile=_profile(keys),
    )
