"""Reading SEPA mandates from a CSV file (pure, no Django).

The columns: mandate_reference, customer_number, debtor_name, debtor_iban, debtor_bic
(optional: the column and its values), signed_on, scheme, kind. Comma, semicolon or tab
separated; dates as 2026-07-21 or 21.07.2026; scheme CORE or B2B (also "Basislastschrift",
"Firmenlastschrift"); kind recurring or one-off, in English or German ("wiederkehrend",
"einmalig").

The reader checks the file's form: the header, the values that must be there, dates, scheme
and kind. What needs the books or the SEPA rules (the customer, references in the file and
already used, IBAN, BIC, the reference's characters, a signature in the future) the import
service checks, on every row the reader could read, so that one run lists every problem.

    read_mandates(data) -> [MandateRow, ...]
    MandateFileError: .errors (each with line, column, code, an English message and params)
                      and .rows (those that could be read, for the service to check too)
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from kassenwart.receivables.invoice_csv import parse_date

COLUMNS = ("mandate_reference", "customer_number", "debtor_name", "debtor_iban", "debtor_bic", "signed_on",
           "scheme", "kind")
REQUIRED = tuple(c for c in COLUMNS if c != "debtor_bic")

SCHEMES = {"core": "CORE", "b2b": "B2B", "basis": "CORE", "basislastschrift": "CORE",
           "sepa-basislastschrift": "CORE", "firmen": "B2B", "firmenlastschrift": "B2B",
           "sepa-firmenlastschrift": "B2B"}
# The values of Mandate.Kind.
KINDS = {"recurring": "recurring", "wiederkehrend": "recurring", "one-off": "one_off", "one_off": "one_off",
         "oneoff": "one_off", "one off": "one_off", "einmalig": "one_off"}


@dataclass(frozen=True)
class MandateRow:
    line: int
    reference: str
    customer_number: str
    debtor_name: str
    iban: str  # without spaces, upper case; checked by the service
    bic: str
    signed_on: date | None  # None (and scheme, kind) only in MandateFileError.rows: unreadable
    scheme: str | None  # CORE or B2B
    kind: str | None  # recurring or one_off


@dataclass(frozen=True)
class RowError:
    """A problem of one line and column; `code` and `params` let a page word it."""

    line: int
    column: str
    code: str
    message: str
    params: dict = field(default_factory=dict, compare=False, hash=False)

    def __str__(self):
        return f"line {self.line}, column {self.column}: {self.message}"


class MandateFileError(ValueError):
    """The file cannot be imported as it is: `errors` lists every problem, in line order;
    `rows` are all rows read, those with problems too (an unreadable value is None or "")."""

    def __init__(self, errors: list[RowError], rows: list[MandateRow] | None = None):
        self.errors = sorted(errors, key=lambda e: (e.line, COLUMNS.index(e.column) if e.column in COLUMNS else 99))
        self.rows = rows or []
        shown = "; ".join(str(e) for e in self.errors[:20])
        more = f" (and {len(self.errors) - 20} more)" if len(self.errors) > 20 else ""
        super().__init__(shown + more)


def read_mandates(data: bytes) -> list[MandateRow]:
    """All rows, or MandateFileError listing every problem by line and column."""
    reader = _reader(_decode(data))
    columns = [(c or "").strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise MandateFileError([RowError(1, c, "column_missing", "column missing in the header line")
                                for c in missing])
    reader.fieldnames = columns
    rows, errors = [], []
    for raw in reader:
        values = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(values.values()):
            continue
        rows.append(_row(reader.line_num, values, errors))
    if errors:
        raise MandateFileError(errors, rows)
    if not rows:
        raise MandateFileError([RowError(2, "mandate_reference", "no_rows", "the file has no mandates")])
    return rows


def _row(line: int, values: dict, errors: list[RowError]) -> MandateRow:
    def need(column: str) -> str:
        if not values.get(column):
            errors.append(RowError(line, column, "empty", "is empty"))
        return values.get(column, "")

    reference = need("mandate_reference")
    customer_number = need("customer_number")
    debtor_name = need("debtor_name")
    iban = "".join(need("debtor_iban").split()).upper()
    bic = "".join(values.get("debtor_bic", "").split()).upper()
    signed_on = None
    if text := need("signed_on"):
        try:
            signed_on = parse_date(text)
        except ValueError:
            errors.append(RowError(line, "signed_on", "date_invalid",
                                   f'"{text}" is not a date (like 2026-07-21 or 21.07.2026)', {"value": text}))
    scheme = SCHEMES.get(need("scheme").lower())
    if values.get("scheme") and scheme is None:
        errors.append(RowError(line, "scheme", "scheme_invalid", f'"{values["scheme"]}" is not CORE or B2B',
                               {"value": values["scheme"]}))
    kind = KINDS.get(" ".join(need("kind").lower().split()))
    if values.get("kind") and kind is None:
        errors.append(RowError(line, "kind", "kind_invalid",
                               f'"{values["kind"]}" is not recurring or one-off (wiederkehrend, einmalig)',
                               {"value": values["kind"]}))
    return MandateRow(line=line, reference=reference, customer_number=customer_number, debtor_name=debtor_name,
                      iban=iban, bic=bic, signed_on=signed_on, scheme=scheme, kind=kind)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")  # what Excel writes on a German Windows


def _reader(text: str) -> csv.DictReader:
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    return csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
