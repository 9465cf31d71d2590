"""The German XRechnung syntax for Skonto in the payment terms (BT-20), one term per line:

    #SKONTO#TAGE=14#PROZENT=2.00#
    #SKONTO#TAGE=7#PROZENT=3.00#BASISBETRAG=119.00#

TAGE counts from the issue date; PROZENT has two decimals; BASISBETRAG (optional) is the
amount the percentage applies to, otherwise the invoice's gross total. Text around the terms
(a free "Zahlbar innerhalb 30 Tagen") is left as it is. A line that starts a term but breaks
the syntax is refused, so a planned discount is never silently lost.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .bill import BillRefused, SkontoTerm, money, number

_TERM = re.compile(r"#SKONTO#([^\n]*)")
_PAIR = re.compile(r"([A-Z]+)=([^#]*)#")


def skonto_terms(text: str, path: str) -> tuple[SkontoTerm, ...]:
    """Every Skonto term in the payment terms `text` (read at element `path`)."""
    terms = []
    for found in _TERM.finditer(text or ""):
        rest = found.group(1).strip()
        values = {}
        position = 0
        for pair in _PAIR.finditer(rest):
            if pair.start() != position:
                break
            values[pair.group(1)] = pair.group(2).strip()
            position = pair.end()
        if "TAGE" not in values or "PROZENT" not in values:
            raise BillRefused(path, "BR-DE-18", f"Skonto term {found.group(0).strip()!r} needs TAGE= and PROZENT=")
        unknown = set(values) - {"TAGE", "PROZENT", "BASISBETRAG"}
        if unknown:
            raise BillRefused(path, "BR-DE-18", f"Skonto term with unknown key {sorted(unknown)[0]}")
        if not values["TAGE"].isdigit():
            raise BillRefused(path, "BR-DE-18", f"TAGE={values['TAGE']} is not a number of days")
        percent = number(values["PROZENT"], path)
        if not Decimal("0") < percent < Decimal("100"):
            raise BillRefused(path, "BR-DE-18", f"PROZENT={values['PROZENT']} is not a percentage")
        base = money(values["BASISBETRAG"], path) if "BASISBETRAG" in values else None
        terms.append(SkontoTerm(days=int(values["TAGE"]), percent=percent, base=base))
    return tuple(terms)
