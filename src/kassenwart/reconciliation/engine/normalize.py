"""Text normalization: references, remittance atoms and company names."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")
RUNS = re.compile(r"[A-Z]+|[0-9]+")  # in upper-case text
# Digits, possibly with the letter O written for a zero ("RE-2026-O3558", "04O11"); the
# digit alternative comes first, so "KONTO1234" stays a word and a number.
_ATOMS = re.compile(r"[0-9O]*[0-9][0-9O]*|[A-Z]+")


def compact(value: str) -> str:
    """Upper case, letters and digits only: IBANs, references, customer numbers."""
    if value.isascii() and value.isalnum():
        return value.upper()
    return _NOT_ALNUM.sub("", value).upper()


def runs(text: str) -> list[str]:
    """Runs of letters and runs of digits, upper case: "RE-2026/01234" -> RE, 2026, 01234."""
    return RUNS.findall(text.upper())


def atoms(text: str) -> list[str]:
    """The remittance as runs of letters and runs of digits, upper case.

    Every separator, including the bank's line breaks, ends a run, so a number written
    "RE-2026-0 / 3698" or cut across two lines comes out as consecutive atoms that the
    caller may glue together again. A letter O among digits is read as a zero.
    """
    found = _ATOMS.findall(text.upper())
    return [a.replace("O", "0") if "O" in a and not a.isalpha() else a for a in found]


_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# Spelling variants that banks and customers mix: umlaut written out or dropped, ß or ss.
_FOLD = (("ae", "a"), ("oe", "o"), ("ue", "u"), ("ss", "s"))
_WORDS = re.compile(r"[a-z0-9]+|[&+]")
_AND = {"u", "und", "+", "&"}
_PHRASES = {
    ("gesellschaft", "mbh"): "gmbh",
    ("gesellschaft", "mit", "beschrankter", "haftung"): "gmbh",
    ("ges", "m", "b", "h"): "gmbh",  # Austrian "Ges.m.b.H."
    ("ges", "mbh"): "gmbh",
    ("gesmbh",): "gmbh",
    ("g", "m", "b", "h"): "gmbh",
    ("aktiengesellschaft",): "ag",
    ("kommanditgesellschaft",): "kg",
    ("offene", "handelsgesellschaft"): "ohg",
    ("e", "k"): "ek",
    ("e", "kfm"): "ek",
    ("ekfm",): "ek",
    ("e", "v"): "ev",
}
_PHRASE_STARTS = frozenset(phrase[0] for phrase in _PHRASES)
_LEGAL_WORDS = frozenset(
    "gmbh mbh ug haftungsbeschrankt kg ag ohg gbr ek ev co & kgaa se eg og partg mbb "
    "ltd limited inc llc sarl sa bv nv".split()
)


class NameKeys(NamedTuple):
    full: str  # the whole name, legal form spelled one way ("meier & brunner gmbh & co kg")
    core: str  # without the legal form ("meier & brunner")

    @property
    def legal_form(self) -> str:
        """What the core leaves of the full name ("gmbh & co kg"); empty without one."""
        return self.full[len(self.core):].strip()


def _fold(name: str) -> str:
    text = name.lower().translate(_TRANSLIT)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    for written, folded in _FOLD:
        text = text.replace(written, folded)
    return text


def _canonical_words(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        for phrase, canonical in _PHRASES.items() if words[i] in _PHRASE_STARTS else ():
            if tuple(words[i : i + len(phrase)]) == phrase:
                out.append(canonical)
                i += len(phrase)
                break
        else:
            out.append("&" if words[i] in _AND else words[i])
            i += 1
    return out


# Legal forms written out: a name cut by the bank may end in the middle of one.
_LONG_LEGAL_WORDS = ("aktiengesellschaft", "kommanditgesellschaft", "gesellschaft")


def _strip_legal_form(words: list[str]) -> list[str]:
    core = list(words)
    # Banks cut names at 27 or 35 characters, often inside the legal form ("GMBH & C",
    # "Aktiengesellschaf").
    if (
        len(core) > 2
        and core[-2] in _LEGAL_WORDS
        and core[-1] not in _LEGAL_WORDS
        and any(word.startswith(core[-1]) for word in _LEGAL_WORDS)
    ) or (
        len(core) > 1
        and len(core[-1]) >= 6
        and any(word.startswith(core[-1]) for word in _LONG_LEGAL_WORDS)
    ):
        core.pop()
    while len(core) > 1 and core[-1] in _LEGAL_WORDS:
        core.pop()
    return core


@lru_cache(maxsize=65536)
def name_keys(name: str) -> NameKeys:
    """Keys that survive case, umlauts, punctuation, legal-form spelling and truncation."""
    words = _canonical_words(_WORDS.findall(_fold(name)))
    return NameKeys(full=" ".join(words), core=" ".join(_strip_legal_form(words)))
