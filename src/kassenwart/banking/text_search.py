"""Finding booked transactions by a piece of their text, from an index kept off the import's path.

A search matches a transaction when the text (or, written without spaces, an IBAN) is part
of its remittance, names, references or counterparty IBAN, in any case: what `icontains`
over those columns would find (with Unicode case folding on both databases), but read from
a trigram index instead of every row. The columns are one text joined by line breaks, which
a search box cannot type, so no hit spans two of them.

Keeping the index costs more than writing the rows (a 75,000-entry import took three times
as long with it), so an import does not wait for it; `index_new` catches it up after the
import's commit (banking.tasks.text_index_task, enqueued by statement_import, and the clock):

- SQLite: an FTS5 table with the trigram tokenizer, contentless (`banking_transaction_text`,
  rowid = the transaction's id; the text is not stored twice). It holds every transaction
  up to the highest id in it (the watermark: `index_new` adds rows in the order of their
  ids, and SQLite writes one transaction at a time, so no lower id commits later). A search
  reads the index up to the watermark and the rows after it directly, folding case exactly
  as the index does (`fold`, taken from FTS5 itself), so it finds the same whether the
  index has caught up or not. A phrase of trigrams is exactly a substring.
- PostgreSQL: a GIN index (pg_trgm, gin_trgm_ops) on the same joined expression, which
  serves ILIKE '%...%'. It is always complete: an import adds its rows to the index's
  pending list (a large one, migration banking 0015), which searches read too, and
  `index_new` merges that list into the index (gin_clean_pending_list).

Texts shorter than three characters have no trigram; they are searched row by row.
"""

from __future__ import annotations

import sqlite3
import threading
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

TABLE = "banking_transaction_text"
PG_INDEX = "transaction_text_trigrams"
FOLD_FUNCTION = "kassenwart_fold"
MIN_LENGTH = 3  # a trigram index answers nothing shorter
COLUMNS = ("remittance", "counterparty_name", "ultimate_debtor", "ultimate_creditor", "end_to_end_id",
           "structured_reference", "counterparty_iban")
BATCH = 20_000  # rows indexed per transaction: the write lock is held about a second at most
# The highest transaction id in the index (SQLite), 0 when it is empty.
WATERMARK = f"coalesce((SELECT rowid FROM {TABLE} ORDER BY rowid DESC LIMIT 1), 0)"


def joined(prefix: str) -> str:
    """The searched columns as one text, in SQL of both databases (`prefix` names the row)."""
    return " || char(10) || ".join(f"{prefix}{column}" for column in COLUMNS)


def index_new() -> int:
    """Bring the index up to date with the booked transactions; returns the rows added to
    it (SQLite) or the pending-list pages merged (PostgreSQL). Safe to run at any time and
    from several processes: each batch is one transaction that starts from the watermark."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [PG_INDEX])
            return cursor.fetchone()[0]
    added = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (rowid, text) SELECT id, {joined('')} FROM banking_transaction "
                f"WHERE id > {WATERMARK} ORDER BY id LIMIT %s",
                [BATCH],
            )
            batch = cursor.rowcount
        added += batch
        if batch < BATCH:
            return added


def unindexed() -> int:
    """How many booked transactions the index does not hold yet (SQLite; 0 on PostgreSQL)."""
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM banking_transaction WHERE id > {WATERMARK}")
        return cursor.fetchone()[0]


class _Folding(dict):
    """How FTS5's trigram tokenizer folds case, character by character (code -> code), asked
    of SQLite itself the first time a character is met: it follows Unicode's case folding of
    an older version than Python's, and maps some characters Python's lower() leaves alone
    (µ to μ, ſ to s)."""

    def __init__(self):
        super().__init__()
        self._lock = threading.Lock()
        self._probe: sqlite3.Connection | None = None

    def __missing__(self, code: int) -> int:
        with self._lock:
            if self._probe is None:
                self._probe = sqlite3.connect(":memory:", check_same_thread=False)
                self._probe.execute("CREATE VIRTUAL TABLE folded USING fts5(text, content='', tokenize='trigram')")
                self._probe.execute("CREATE VIRTUAL TABLE terms USING fts5vocab(folded, instance)")
            self._probe.execute("INSERT INTO folded (rowid, text) VALUES (?, ?)", [code, chr(code) * 3])
            term = self._probe.execute("SELECT term FROM terms WHERE doc = ?", [code]).fetchone()
        self[code] = code if term is None else ord(term[0][0])  # none: a character it cannot index (NUL)
        return self[code]


_FOLDING = _Folding()


def fold(text: str) -> str:
    """`text` with its case folded as the index folds it (ASCII: A-Z to a-z)."""
    return text.lower() if text.isascii() else text.translate(_FOLDING)


def register_fold(sender, connection, **kwargs) -> None:
    """Django's connection_created: SQLite connections get `fold` as an SQL function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def matching(company_id: int, texts: list[str], amounts: list[tuple[Decimal, Decimal]]) -> Q:
    """The company's booked transactions whose text contains any of `texts` (each at least
    MIN_LENGTH characters long) or whose amount lies in any of `amounts` (both ends
    included), as a filter. Each part is read from its index.

    SQLite: the ids of a UNION of the parts, the company kept inside (SQLite, which has no
    statistics, would otherwise walk the company's index and test every row against the
    list). PostgreSQL: one condition of ORs, which it answers with one bitmap of the trigram
    and amount indexes and one visit of the rows found (the ids of a UNION looked every row
    up a second time: 30 instead of 10 ms for the sums of 1,500 hits at 1,000,000)."""
    if connection.vendor == "sqlite":
        # CROSS JOIN: SQLite's way of saying "the index's hits first, then their rows"; the
        # rows after the watermark, not indexed yet, are read one by one (the index and the
        # watermark read in one statement, so from one snapshot), found by their ids: the
        # unary + keeps SQLite off the company's index, which would walk all of the company's
        # rows to find the few after the watermark (100 ms instead of 0.1 at 1,000,000)
        contains = " OR ".join(f"instr({FOLD_FUNCTION}({joined('')}), %s) > 0" for _text in texts)
        parts = [f"SELECT t.id FROM {TABLE} f CROSS JOIN banking_transaction t ON t.id = f.rowid "
                 f"WHERE f.{TABLE} MATCH %s AND t.company_id = %s",
                 f"SELECT id FROM banking_transaction WHERE id > {WATERMARK} AND +company_id = %s AND ({contains})"]
        params: list = [" OR ".join(_phrase(text) for text in texts), company_id, company_id]
        params += [fold(text) for text in texts]
        for low, high in amounts:
            parts.append("SELECT id FROM banking_transaction WHERE company_id = %s AND amount BETWEEN %s AND %s")
            params += [company_id, low, high]
        return Q(pk__in=RawSQL(" UNION ".join(parts), params))
    if connection.vendor == "postgresql":
        # the columns unqualified, as in the index's expression: no other table the lists
        # join has them
        expression = "(" + joined("").replace("char(10)", "E'\\n'") + ")"
        found = Q(RawSQL(" OR ".join(f"{expression} ILIKE %s" for _text in texts), [_like(text) for text in texts],
                         output_field=BooleanField()))
        for low, high in amounts:
            found |= Q(amount__range=(low, high))
        return Q(company_id=company_id) & found
    raise NotImplementedError(f"text search on {connection.vendor}")
