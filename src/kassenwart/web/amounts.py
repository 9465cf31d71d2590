"""Reading an amount a person typed into a search box (pure).

Both German and English ways of writing are understood, with or without thousands
separators: "1.234,56", "1234,56", "1,234.56", "1234.56", "1234", "-50,00", "12,5 €".
A separator followed by exactly three digits is a thousands separator ("1.234" is 1234),
one followed by one or two digits is the decimal separator. Anything else is not an amount.

A search box reads the same text as a range (`amount_range`): an amount without cents stands
for every amount of that many euros, so "1897" finds 1.897,48.
"""

from __future__ import annotations

import re
from decimal import Decimal

from kassenwart.core.money import CENT, LARGEST, AmountRange

_NOISE = re.compile(r"(?i)\s|\u00a0|\u202f|€|eur")
_SIGN = re.compile(r"^([+\-\u2212]?)(.*)$")
_SHAPES = (
    # (pattern, thousands separator, decimal separator)
    (re.compile(r"^\d+$"), "", ""),
    (re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$"), ".", ","),
    (re.compile(r"^\d+,\d{1,2}$"), "", ","),
    (re.compile(r"^\d{1,3}(,\d{3})+(\.\d{1,2})?$"), ",", "."),
    (re.compile(r"^\d+\.\d{1,2}$"), "", "."),
)


_WHOLE_EUROS = Decimal("0.99")


def _read(text: str) -> tuple[Decimal, bool] | None:
    """The amount in `text` and whether it was written with cents, or None."""
    sign, body = _SIGN.match(_NOISE.sub("", text or "")).groups()
    for pattern, thousands, decimal in _SHAPES:
        if pattern.match(body):
            with_cents = bool(decimal) and decimal in body
            if thousands:
                body = body.replace(thousands, "")
            if decimal:
                body = body.replace(decimal, ".")
            amount = Decimal(body).quantize(CENT)
            if amount > LARGEST:
                return None
            return (-amount if sign in ("-", "\u2212") else amount), with_cents
    return None


def parse_amount(text: str) -> Decimal | None:
    """The amount `text` stands for, with two places, or None when it is not one."""
    read = _read(text)
    return read[0] if read else None


def amount_range(text: str) -> AmountRange | None:
    """The amounts a search for `text` finds: exactly the amount when it has cents, else
    every amount of that many euros ("1897" is 1.897,00 to 1.897,99; "-50" is -50,99 to
    -50,00). None when `text` is not an amount."""
    read = _read(text)
    if read is None:
        return None
    amount, with_cents = read
    if with_cents:
        return AmountRange(amount, amount)
    if amount < 0:
        return AmountRange(amount - _WHOLE_EUROS, amount)
    return AmountRange(amount, min(amount + _WHOLE_EUROS, LARGEST))
