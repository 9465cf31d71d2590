"""Reading open items from a CRM/ERP CSV export (pure, no Django).

The columns are those of the reconciliation benchmark's invoices.csv:
invoice_number, customer_number, customer_name, customer_iban, issue_date, due_date,
amount, currency, payment_reference; optionally customer_email (where direct-debit
pre-notifications go). Comma, semicolon or tab separated; amounts with a
decimal point or a German decimal comma; dates as 2026-07-21 or 21.07.2026.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from kassenwart.core.money import to_money

REQUIRED = ("invoice_number", "customer_number", "customer_name", "amount")
OPTIONAL = ("customer_iban", "issue_date", "due_date", "currency", "payment_reference", "customer_email")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_GERMAN_AMOUNT = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d{1,2})?$|^-?\d+(,\d{1,2})$")
_POINT_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")


@dataclass(frozen=True)
class InvoiceRow:
    line: int
    number: str
    customer_number: str
    customer_name: str
    customer_iban: str
    issue_date: date | None
    due_date: date | None
    amount: Decimal
    currency: str
    payment_reference: str
    customer_email: str = ""


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


class InvoiceFileError(ValueError):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        shown = "; ".join(str(e) for e in errors[:20])
        more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
        super().__init__(shown + more)


class CellError(ValueError):
    """A value that cannot be read, with the code and params a page words it by."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params


def parse_amount(text: str) -> Decimal:
    """An amount written 1234.56 or 1.234,56; one the books cannot hold (sub-cent, too large)
    is refused, never rounded."""
    text = text.strip().replace(" ", "")
    if _POINT_AMOUNT.match(text):
        return to_money(text)
    if _GERMAN_AMOUNT.match(text):
        return to_money(text.replace(".", "").replace(",", "."))
    raise CellError("amount_invalid", f'"{text}" is not an amount (like 1234.56 or 1.234,56)', value=text)


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def parse_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _GERMAN_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        year = None
    if year is not None:
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass  # 2026-02-30
    raise CellError("date_invalid", f'"{text}" is not a date (like 2026-07-21 or 21.07.2026)', value=text)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _reader(text: str) -> csv.DictReader:
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    return csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)


def parse_invoices(data: bytes) -> list[InvoiceRow]:
    """All rows, or InvoiceFileError listing every bad row by line and column."""
    reader = _reader(_decode(data))
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InvoiceFileError(
            [RowError(1, c, "column_missing", "column missing in the header line") for c in missing]
        )
    reader.fieldnames = columns
    rows, errors, seen = [], [], {}
    for raw in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(values.values()):
            continue
        row = read_row(line, values, errors)
        if row is None:
            continue
        if row.number in seen:
            errors.append(RowError(line, "invoice_number", "number_duplicate",
                                   f"{row.number} also on line {seen[row.number]}",
                                   {"number": row.number, "line": seen[row.number]}))
            continue
        seen[row.number] = line
        rows.append(row)
    if errors:
        raise InvoiceFileError(errors)
    return rows


# The longest value each column may hold (the columns of receivables.models).
MAX_LENGTHS = {"invoice_number": 64, "customer_number": 64, "customer_name": 255, "payment_reference": 35,
               "customer_email": 254}


def read_row(line: int, values: dict, errors: list[RowError]) -> InvoiceRow | None:
    """One invoice from its columns' texts (stripped), by the rules of the file; its problems
    are added to `errors` (then None). `line` is what the errors name: the file's line, or the
    item's index in an API call."""
    before = len(errors)
    for column, longest in MAX_LENGTHS.items():
        if len(values.get(column, "")) > longest:
            errors.append(RowError(line, column, "too_long", f"is longer than {longest} characters",
                                   {"max": longest}))
    if len(errors) > before:
        return None

    def need(column):
        if not values.get(column):
            errors.append(RowError(line, column, "empty", "is empty"))
        return values.get(column, "")

    def convert(column, function, default=None):
        try:
            return function(values.get(column, ""))
        except CellError as error:
            errors.append(RowError(line, column, error.code, str(error), error.params))
            return default
        except (ValueError, InvalidOperation) as error:  # to_money: sub-cent or too large
            errors.append(RowError(line, column, "amount_unbookable", str(error), {"value": values.get(column, "")}))
            return default

    number = need("invoice_number")
    customer_number = need("customer_number")
    customer_name = need("customer_name")
    amount = convert("amount", parse_amount)
    iban = convert("customer_iban", _iban, "")
    issue_date = convert("issue_date", parse_date)
    due_date = convert("due_date", parse_date)
    currency = (values.get("currency") or "EUR").upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        errors.append(RowError(line, "currency", "currency_invalid", f'"{currency}" is not a currency code',
                               {"value": currency}))
    email = values.get("customer_email", "")
    if email and not _EMAIL.fullmatch(email):
        errors.append(RowError(line, "customer_email", "email_invalid", f'"{email}" is not an e-mail address',
                               {"value": email}))
    if len(errors) > before:
        return None
    return InvoiceRow(
        line=line,
        number=number,
        customer_number=customer_number,
        customer_name=customer_name,
        customer_iban=iban,
        issue_date=issue_date,
        due_date=due_date,
        amount=amount,
        currency=currency,
        payment_reference=values.get("payment_reference", "").replace(" ", "").upper(),
        customer_email=email,
    )


@lru_cache(maxsize=65536)  # a customer's IBAN stands on every one of its invoices
def _iban(text: str) -> str:
    text = text.replace(" ", "").upper()
    if not text:
        return ""
    try:
        return str(IBAN(text).compact)
    except SchwiftyException as error:
        raise CellError("iban_invalid", f'"{text}" is not a valid IBAN ({error})', value=text) from error
