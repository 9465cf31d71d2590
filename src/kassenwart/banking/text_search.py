"""Finding booked transactions by a piece of their text, from an index.

A search matches a transaction when the text (or, written without spaces, an IBAN) is part
of its remittance, names, references or counterparty IBAN, in any case: what `icontains`
over those columns would find (with Unicode case folding on both databases), but read from
a trigram index instead of every row. The columns are one text joined by line breaks, which
a search box cannot type, so no hit spans two of them.

- SQLite: an FTS5 table with the trigram tokenizer (`banking_transaction_text`, rowid = the
  transaction's id), filled by a trigger on every insert (migration banking 0013). A phrase
  of trigrams is exactly a substring.
- PostgreSQL: a GIN index (pg_trgm, gin_trgm_ops) on the same joined expression, which
  serves ILIKE '%...%'.

Texts shorter than three characters have no trigram; they are searched row by row.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

TABLE = "banking_transaction_text"
MIN_LENGTH = 3  # a trigram index answers nothing shorter
COLUMNS = ("remittance", "counterparty_name", "ultimate_debtor", "ultimate_creditor", "end_to_end_id",
           "structured_reference", "counterparty_iban")


def joined(prefix: str) -> str:
    """The searched columns as one text, in SQL of both databases (`prefix` names the row)."""
    return " || char(10) || ".join(f"{prefix}{column}" for column in COLUMNS)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def containing(texts: list[str]) -> Q:
    """Booked transactions (model Transaction) whose text contains any of `texts` (each at
    least MIN_LENGTH characters long)."""
    if connection.vendor == "sqlite":
        query = " OR ".join(_phrase(text) for text in texts)
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [query]))
    if connection.vendor == "postgresql":
        expression = "(" + joined('"banking_transaction".').replace("char(10)", "E'\\n'") + ")"
        found = Q()
        for text in texts:
            found |= Q(RawSQL(f"{expression} ILIKE %s", [_like(text)], output_field=BooleanField()))
        return found
    raise NotImplementedError(f"text search on {connection.vendor}")
