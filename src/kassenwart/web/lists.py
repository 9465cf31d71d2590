"""What the list pages share: the sums of the filtered rows and the CSV export.

The sums are one aggregate query (GROUP BY currency) that also gives the count the page
needs. The export streams: rows come from the database in chunks and leave as CSV text in
batches, so a list of a million rows never sits in memory and the first bytes go out before
the last row is read.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from kassenwart.core.money import quantize

CHUNK = 2000  # rows fetched from the database at a time, and written out as one piece
FIRST_PIECE = 50  # rows of the first piece: the download starts before a whole chunk is written


@dataclass(frozen=True)
class CurrencySum:
    currency: str
    count: int
    total: Decimal
    open_total: Decimal | None = None  # invoices: what is still to be paid


def currency_sums(
    queryset: QuerySet, amount: str = "amount", currency: str = "currency", open_amount: str | None = None
) -> list[CurrencySum]:
    """How many rows and how much money the filtered rows hold, per currency (one query)."""
    sums = {"rows": Count("pk"), "total": Sum(amount)}
    if open_amount:
        sums["open_total"] = Sum(open_amount)
    rows = queryset.order_by().values(currency).annotate(**sums).order_by(currency)
    return [
        CurrencySum(row[currency] or "", row["rows"], quantize(row["total"]),
                    quantize(row["open_total"]) if open_amount else None)
        for row in rows
    ]


def row_count(sums: list[CurrencySum]) -> int:
    return sum(s.count for s in sums)


# -- CSV -----------------------------------------------------------------------------------

TEXT, AMOUNT, DATE, NUMBER = "text", "amount", "date", "number"


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str
    decimal: str
    date_format: str
    bom: bool  # Excel reads UTF-8 only with a byte order mark


GERMAN = CsvFormat(delimiter=";", decimal=",", date_format="%d.%m.%Y", bom=True)
PLAIN = CsvFormat(delimiter=",", decimal=".", date_format="%Y-%m-%d", bom=False)


def csv_format(language: str | None) -> CsvFormat:
    """Excel-friendly for German readers, plain CSV for everyone else."""
    return GERMAN if (language or "").lower().startswith("de") else PLAIN


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT


# A spreadsheet runs a cell that begins like this as a formula; bank data comes from outside.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value, kind: str, fmt: CsvFormat) -> str:
    if value is None or value == "":
        return ""
    if kind == AMOUNT:
        return f"{quantize(value):f}".replace(".", fmt.decimal)
    if kind == DATE:
        return value.strftime(fmt.date_format) if isinstance(value, date) else str(value)
    if kind == NUMBER:
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Line:
    """What csv.writer writes to: hands each line back instead of keeping it."""

    def write(self, text: str) -> str:
        return text


def csv_lines(columns: list[Column], rows: Iterable[tuple], fmt: CsvFormat) -> Iterator[str]:
    """The header line (after the BOM where wanted), then the rows: FIRST_PIECE lines, then
    CHUNK lines a piece."""
    writer = csv.writer(_Line(), delimiter=fmt.delimiter)
    yield ("\ufeff" if fmt.bom else "") + writer.writerow([column.header for column in columns])
    kinds = [column.kind for column in columns]
    batch = []
    size = FIRST_PIECE
    for row in rows:
        batch.append(writer.writerow([_cell(value, kind, fmt) for value, kind in zip(row, kinds, strict=True)]))
        if len(batch) >= size:
            yield "".join(batch)
            batch, size = [], CHUNK
    if batch:
        yield "".join(batch)


def _in_a_transaction(lines: Iterator[str]) -> Iterator[str]:
    """The rows read inside one transaction: outside one, PostgreSQL keeps the cursor of
    .iterator() WITH HOLD, which runs the whole query to its end before the first row comes
    (2 s at 1,000,000 transactions). A client that goes away closes the generator, and the
    read-only transaction ends with it."""
    with transaction.atomic():
        yield from lines


def csv_response(name: str, columns: list[Column], rows: Iterable[tuple]) -> StreamingHttpResponse:
    """A download of `rows` as "name-YYYY-MM-DD.csv" in the reader's format. `rows` should be
    lazy (a values_list(...).iterator(chunk_size=CHUNK)); headers must be text already."""
    fmt = csv_format(get_language())
    return download(csv_lines(columns, rows, fmt), f"{name}-{timezone.localdate():%Y-%m-%d}.csv")


def download(pieces: Iterator[str | bytes], file_name: str, content_type: str = "text/csv; charset=utf-8"
             ) -> StreamingHttpResponse:
    """A streamed download of `pieces`, read inside one transaction (see _in_a_transaction)."""
    response = StreamingHttpResponse(_in_a_transaction(pieces), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
