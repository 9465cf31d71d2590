"""Reading an amount a person typed into a search box (pure).

Both German and English ways of writing are understood, with or without thousands
separators: "1.234,56", "1234,56", "1,234.56", "1234.56", "1234", "-50,00", "12,5 €".
A separator followed by exactly three digits is a thousands separator ("1.234" is 1234),
one followed by one or two digits is the decimal separator. Anything else is not an amount.
"""

from __future__ import annotations

import re
from decimal import Decimal

from kassenwart.core.money import LARGEST

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


def parse_amount(text: str) -> Decimal | None:
    """The amount `text` stands for, with two places, or None when it is not one."""
    sign, body = _SIGN.match(_NOISE.sub("", text or "")).groups()
    for pattern, thousands, decimal in _SHAPES:
        if pattern.match(body):
            if thousands:
                body = body.replace(thousands, "")
            if decimal:
                body = body.replace(decimal, ".")
            amount = Decimal(body).quantize(Decimal("0.01"))
            if amount > LARGEST:
                return None
            return -amount if sign in ("-", "\u2212") else amount
    return None
