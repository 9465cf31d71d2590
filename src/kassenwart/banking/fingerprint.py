"""Identity of a booked transaction for deduplication (pure).

Two files that both contain a transaction must add it once; two real, identical transactions
on one day must both stay. The key is the transaction's content (not the bank's reference,
which differs between a day's camt.052 and its camt.053), and the fingerprint adds the
occurrence of that key within one file: a key seen three times in one file is stored three
times, and a later file that shows it twice adds nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from kassenwart.banking.formats.statement import Entry

_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def content_key(entry: Entry) -> str:
    day = entry.booking_date or entry.value_date
    remittance = _NOT_ALNUM.sub("", entry.remittance.casefold())[:140]
    parts = (
        day.isoformat() if day else "",
        str(entry.amount.normalize()),
        entry.currency.upper(),
        entry.counterparty_iban.replace(" ", "").upper(),
        entry.end_to_end_id,
        entry.mandate_id,
        remittance,
        "R" if entry.reversal else "",
    )
    return "\x1f".join(parts)


class Fingerprinter:
    """Gives each entry of one import its fingerprint, counting repeats per account."""

    def __init__(self):
        self._seen: Counter[tuple[object, bytes]] = Counter()

    def __call__(self, account_key: object, entry: Entry) -> str:
        digest = hashlib.sha1(content_key(entry).encode()).digest()
        occurrence = self._seen[(account_key, digest)]
        self._seen[(account_key, digest)] += 1
        return hashlib.sha1(digest + occurrence.to_bytes(4, "big")).hexdigest()
