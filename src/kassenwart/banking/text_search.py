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

from decimal import Decimal

from django.db import connection
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


def matching(company_id: int, texts: list[str], amounts: list[tuple[Decimal, Decimal]]) -> RawSQL:
    """The ids of the company's booked transactions whose text contains any of `texts` (each
    at least MIN_LENGTH characters long) or whose amount lies in any of `amounts` (both ends
    included), for `pk__in`. Each part is read from its index and the company is kept inside
    (SQLite, which has no statistics, would otherwise walk the company's index and test
    every row against the list)."""
    params: list = []
    if connection.vendor == "sqlite":
        # CROSS JOIN: SQLite's way of saying "the index's hits first, then their rows"
        parts = [f"SELECT t.id FROM {TABLE} f CROSS JOIN banking_transaction t ON t.id = f.rowid "
                 f"WHERE f.{TABLE} MATCH %s AND t.company_id = %s"]
        params += [" OR ".join(_phrase(text) for text in texts), company_id]
    elif connection.vendor == "postgresql":
        expression = "(" + joined("").replace("char(10)", "E'\\n'") + ")"
        parts = [f"SELECT id FROM banking_transaction WHERE company_id = %s AND {expression} ILIKE %s"
                 for _text in texts]
        for text in texts:
            params += [company_id, _like(text)]
    else:
        raise NotImplementedError(f"text search on {connection.vendor}")
    for low, high in amounts:
        parts.append("SELECT id FROM banking_transaction WHERE company_id = %s AND amount BETWEEN %s AND %s")
        params += [company_id, low, high]
    return RawSQL(" UNION ".join(parts), params)
