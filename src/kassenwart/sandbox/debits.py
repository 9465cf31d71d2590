"""Rules for SEPA direct debits the bank accepts from its customer (the creditor).

Each business transaction takes its scheme: HKDSE/HKDME CORE, HKDSC/HKDMC COR1 (or
CORE), HKBSE/HKBME B2B. Every debit needs a mandate reference and a valid creditor
identifier, and its collection date must leave the scheme's lead time in TARGET business
days; a collection date on a closed day moves to the next business day.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from kassenwart.core.business_days import business_days_between, next_business_day

from .bpd import LEAD_DAYS
from .pain import PainMessage, PaymentInfo
from .protocol import Refused

SCHEMES = {"HKDSE": ("CORE",), "HKDME": ("CORE",), "HKDSC": ("COR1", "CORE"),
           "HKDMC": ("COR1", "CORE"), "HKBSE": ("B2B",), "HKBME": ("B2B",)}
MAX_LEAD = timedelta(days=60)
CREDITOR_ID = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}")


def creditor_id_valid(creditor_id: str) -> bool:
    """ISO 7064 MOD 97-10 over the national identifier, country code and check digits;
    the creditor business code (positions 5-7) is not part of the check."""
    if not CREDITOR_ID.fullmatch(creditor_id):
        return False
    rearranged = creditor_id[7:] + creditor_id[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def collection_day(block: PaymentInfo, today: date) -> date:
    return next_business_day(block.requested_date or today)


def check(kind: str, pain: PainMessage, today: date) -> None:
    """Refuse a debit the scheme's rules do not allow."""
    for block in pain.blocks:
        if block.scheme not in SCHEMES[kind]:
            raise Refused(f"Lastschriftart {block.scheme or '(fehlt)'} passt nicht zu {kind}.")
        if not creditor_id_valid(block.creditor_id.replace(" ", "").upper()):
            raise Refused(f"Gläubiger-Identifikationsnummer fehlt oder ungültig: {block.creditor_id}")
        missing = [p.end_to_end_id for p in block.payments if not p.mandate_id]
        if missing:
            raise Refused(f"Mandatsreferenz fehlt: {', '.join(missing)}")
        day = collection_day(block, today)
        lead = LEAD_DAYS[block.scheme]
        if business_days_between(today, day) < lead:
            raise Refused(f"Fälligkeitsdatum {day:%d.%m.%Y} zu früh: {block.scheme} braucht "
                          f"{lead} Geschäftstag(e) Vorlauf.")
        if day - today > MAX_LEAD:
            raise Refused(f"Fälligkeitsdatum {day:%d.%m.%Y} zu weit in der Zukunft.")
