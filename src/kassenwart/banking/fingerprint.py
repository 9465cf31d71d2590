"""Identity of a booked transaction for deduplication (pure).

Two files that both contain a transaction must add it once; two real, identical transactions
on one day must both stay. The key is the transaction's content (not the bank's reference,
which differs between a day's camt.052 and its camt.053), and the fingerprint adds the
occurrence of that key within one file: a key seen three times in one file is stored three
times, and a later file that shows it twice adds nothing.

Fingerprints are stored: the same entry must give the same fingerprint in every version.

A payment provider's entry (banking/providers) carries the provider's own transaction id,
unique there: that id is its key, and it is never counted as a repeat, so the overlapping
windows of two syncs (or of one) add it once even when the provider changed its text.
"""

from __future__ import annotations

import hashlib
import re

from kassenwart.banking.formats.statement import Entry

_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
# What _NOT_ALNUM removes from ASCII text (all but letters and digits), for bytes.translate:
# ten times faster than the expression on the remittance of every entry of a large import.
_ASCII_NOT_ALNUM = bytes(code for code in range(128) if not chr(code).isalnum())
_FIRST = (0).to_bytes(4, "big")


def content_key(entry: Entry) -> str:
    day = entry.booking_date or entry.value_date
    parts = (
        day.isoformat() if day else "",
        str(entry.amount.normalize()),
        entry.currency.upper(),
        entry.counterparty_iban.replace(" ", "").upper(),
        entry.end_to_end_id,
        entry.mandate_id,
        _letters_and_digits(entry.remittance.casefold())[:140],
        "R" if entry.reversal else "",
    )
    return "\x1f".join(parts)


def _letters_and_digits(text: str) -> str:
    if text.isascii():
        return text.encode("ascii").translate(None, _ASCII_NOT_ALNUM).decode("ascii")
    return _NOT_ALNUM.sub("", text)


class Fingerprinter:
    """Gives each entry of one import its fingerprint, counting repeats per account."""

    def __init__(self):
        self._seen: dict[object, dict[bytes, int]] = {}

    def __call__(self, account_key: object, entry: Entry) -> str:
        if entry.provider_id:
            return hashlib.sha1(hashlib.sha1(f"provider\x1f{entry.provider_id}".encode()).digest() + _FIRST).hexdigest()
        digest = hashlib.sha1(content_key(entry).encode()).digest()
        seen = self._seen.get(account_key)
        if seen is None:
            seen = self._seen[account_key] = {}
        occurrence = seen.get(digest, 0)
        seen[digest] = occurrence + 1
        suffix = _FIRST if occurrence == 0 else occurrence.to_bytes(4, "big")
        return hashlib.sha1(digest + suffix).hexdigest()
