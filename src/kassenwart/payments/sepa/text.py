"""The characters a SEPA file may carry, transliteration into them, and identifiers.

The EPC basic Latin set: a-z A-Z 0-9 / - ? : ( ) . , ' + and space. German banks (the DK
version) also take Ä Ö Ü ä ö ü ß and &. Identifiers (message, payment-information and
end-to-end ids) always use the basic set: that is what the DK schema's pattern allows.
"""

from __future__ import annotations

import re
import secrets
import string
import unicodedata

BASIC = frozenset(string.ascii_letters + string.digits + "/-?:().,'+ ")
DK = BASIC | frozenset("ÄÖÜäöüß&")
ID_MAX = 35
ID_PATTERN = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]{1,35}")
# The same and the EPC's slash rule at once (no leading or trailing "/", no "//"): one match
# decides for the ids that are fine, which is all of them in a file that is sent.
ID_SENDABLE = re.compile(r"(?!/)(?!.*//)[A-Za-z0-9/\-?:().,'+ ]{1,35}(?<!/)")
# Text that needs no transliterating: characters of the set, words separated by one space.
_WORD = {False: r"[A-Za-z0-9/\-?:().,'+]", True: r"[A-Za-z0-9/\-?:().,'+ÄÖÜäöüß&]"}
_CLEAN = {dk: re.compile(f"{word}+(?: {word}+)*") for dk, word in _WORD.items()}
_IN_SET = {dk: re.compile(f"(?:{word}| )*") for dk, word in _WORD.items()}

# Without the DK extras: German spelling (ä -> ae, not a), & -> +.
GERMAN = {"Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "&": "+"}
# Characters with an obvious stand-in that Unicode does not decompose to.
STAND_INS = {
    '"': "'", "`": "'", "´": "'", ";": ",", "!": ".", "_": "-", "\\": "/", "|": "/", "⁄": "/",
    "[": "(", "]": ")", "{": "(", "}": ")", "<": "(", ">": ")", "@": "(at)", "€": "EUR",
    "ẞ": "SS", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th",
}
# Categories by what they become: quotes, dashes, brackets, white space and control
# characters; invisible formatting (soft hyphen, zero-width space) disappears.
BY_CATEGORY = {"Pi": "'", "Pf": "'", "Pd": "-", "Ps": "(", "Pe": ")",
               "Zs": " ", "Zl": " ", "Zp": " ", "Cc": " ", "Cf": ""}
LATIN_NAME = re.compile(r"LATIN (SMALL|CAPITAL) (?:LETTER|LIGATURE) (?:[A-Z]+ )*?([A-Z]{1,2})(?: WITH .*)?")


def allowed(dk: bool = True) -> frozenset[str]:
    return DK if dk else BASIC


def to_sepa_text(value: str, dk: bool = True) -> str:
    """`value` in the SEPA character set as far as it goes: é -> e, ø -> o, æ -> ae,
    “quotes” -> 'quotes', en dash -> -, tabs and line breaks -> space; other punctuation and
    symbols are dropped. Letters of other scripts stay as they are: `rules` reports them.
    White space is collapsed and stripped. With `dk=False` umlauts become ae, oe, ue, ss."""
    if _CLEAN[dk].fullmatch(value):
        return value  # the common case, and a file of 100,000 names should not wait for it
    charset = allowed(dk)
    out = "".join(_char(c, charset) for c in unicodedata.normalize("NFC", value))
    return re.sub(r" {2,}", " ", out).strip()


def sendable_text(value: str, dk: bool = True) -> tuple[str, list[str]]:
    """`to_sepa_text(value)` and, of that, `unsendable(...)`: the text as it is sent and
    the characters in it that cannot be sent (empty: it can)."""
    if _CLEAN[dk].fullmatch(value):
        return value, []
    text = to_sepa_text(value, dk)
    return text, unsendable(text, dk)


def _char(c: str, charset: frozenset[str]) -> str:
    if c in charset:
        return c
    if c in GERMAN:
        return GERMAN[c]
    if c in STAND_INS:
        return STAND_INS[c]
    if unicodedata.combining(c):  # a lone accent
        return ""
    if "QUOTATION MARK" in unicodedata.name(c, ""):  # „low“ quotes count as opening brackets
        return "'"
    category = unicodedata.category(c)
    if category in BY_CATEGORY:
        return BY_CATEGORY[category]
    decomposed = "".join(d for d in unicodedata.normalize("NFKD", c) if not unicodedata.combining(d))
    if decomposed and decomposed != c:
        return "".join(_char(d, charset) for d in decomposed)
    latin = LATIN_NAME.fullmatch(unicodedata.name(c, ""))
    if latin:  # ø "LATIN SMALL LETTER O WITH STROKE", æ "LATIN SMALL LETTER AE"
        case, base = latin.groups()
        return base.lower() if case == "SMALL" else base.capitalize()
    if category[0] in "PS":
        return " "
    return c


def unsendable(value: str, dk: bool = True) -> list[str]:
    """The characters of `value` outside the character set, each once, in order."""
    if _IN_SET[dk].fullmatch(value):
        return []
    charset = allowed(dk)
    return list(dict.fromkeys(c for c in value if c not in charset))


def id_problem(value: str) -> str | None:
    """Why `value` cannot be a SEPA identifier ("missing", "too_long", "charset",
    "slash"), or None when it can."""
    if ID_SENDABLE.fullmatch(value):
        return None
    if not value:
        return "missing"
    if len(value) > ID_MAX:
        return "too_long"
    if not ID_PATTERN.fullmatch(value):
        return "charset"
    if value.startswith("/") or value.endswith("/") or "//" in value:
        return "slash"  # EPC: references must not start or end with "/" nor contain "//"
    return None


def new_id(prefix: str = "KW") -> str:
    """A fresh identifier: `prefix`, a dash and 20 random hex digits (80 bits), at most 35
    characters of the basic set, e.g. "MSG-3F9A0C41D2B7E65A90C1"."""
    if len(prefix) > ID_MAX - 21 or id_problem(prefix or "x"):
        raise ValueError(f"prefix {prefix!r}: at most {ID_MAX - 21} characters of the SEPA set")
    token = secrets.token_hex(10).upper()
    return f"{prefix}-{token}" if prefix else token
