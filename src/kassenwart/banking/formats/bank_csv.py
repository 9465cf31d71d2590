"""Bank CSV exports -> statement stream, through a column mapping per bank (or per account).

A ``CsvMapping`` names the header cells that hold each field. A name may list alternatives
separated by "|" (banks rename columns: ING's "Valuta" became "Wertstellungsdatum"); a header
cell that occurs twice (ING's two "Währung" columns) is found at its last occurrence. Mapped
columns missing from the file become header warnings; only the booking date and the amount
(one signed column, or debit and credit columns) are required.

Lines before the header row (the preamble) and after the data may carry the account's IBAN
(the first valid IBAN in a cell is taken) and, under the mapping's labels, the opening and
closing balances ("Alter Kontostand"/"Neuer Kontostand" at comdirect). A running balance column
("Saldo nach Buchung") gives them too, in either sort order. The data ends at the first empty
line after it began, so a second section (comdirect's credit card) is not read.

Amounts are read exactly into ``Decimal`` ("1.234,56", "-12,30", "1.000", "-3,9 €"); a file
with an own-account column (Sparkasse "Auftragskonto") yields one statement per account.
Errors name the line and column: ``line 14, column "Betrag": "12,3x" is not an amount``. An
amount the books cannot hold as written (sub-cent, too large) is refused with its line, be it
an entry's, a labelled balance's or the opening worked out from a running balance.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from kassenwart.core.money import to_money

from .statement import (
    BOOKED,
    PENDING,
    BalanceSnapshot,
    Entry,
    StatementFormatError,
    StatementHeader,
    exact_amount,
    note,
)

HEADER_SEARCH_LINES = 40  # the header row is looked for in the file's first lines
DETECT_MIN_SHARE = 0.5  # share of a profile's columns a header row must have to be that bank's

_NOT_PROVIDED = "NOTPROVIDED"
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_NO_DATE = re.compile(r"^-*$")  # "", "-", "--" (comdirect's pending rows)


@dataclass(frozen=True)
class CsvMapping:
    """How to read one bank's CSV export; saved as JSON per account (to_dict/from_dict)."""

    name: str = "custom"  # header.format becomes "csv:<name>"
    delimiter: str = ";"
    encoding: str = "cp1252"  # used when the file is not UTF-8 (with or without BOM)
    decimal_comma: bool = True  # "1.234,56"; False for "1,234.56"
    thousands_separator: str = "."  # "" when the bank writes none
    date_format: str = "%d.%m.%Y"  # strptime; alternatives separated by "|"
    header_row: int | None = None  # 0-based line; None: the first with the required columns
    booking_date: str = ""
    value_date: str = ""
    amount: str = ""  # signed amount; when empty in a row, debit and credit are read
    debit: str = ""  # money out (its sign does not matter)
    credit: str = ""  # money in
    currency: str = ""
    counterparty_name: str = ""
    payer_name: str = ""  # files with one name column per direction: the counterparty of a
    payee_name: str = ""  # credit is the payer, of a debit the payee
    counterparty_iban: str = ""
    counterparty_bic: str = ""
    remittance: tuple[str, ...] = ()  # joined with "\n"
    end_to_end_id: str = ""
    mandate_id: str = ""
    creditor_id: str = ""
    bank_reference: str = ""
    account_iban: str = ""  # the account's own IBAN per row
    balance_after: str = ""  # running balance after each booking
    status: str = ""  # the column that tells pending rows ...
    pending_values: tuple[str, ...] = ()  # ... by these values (any case)
    opening_label: str = ""  # first cell of a line before/after the data with the opening
    closing_label: str = ""  # ... or closing balance

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not _valid_value(value, f.default):
                raise StatementFormatError(f"column mapping: {f.name}={value!r} is not valid")
        point = "," if self.decimal_comma else "."
        if len(self.delimiter) != 1 or self.delimiter in '"\r\n':
            raise StatementFormatError(f"column mapping: delimiter={self.delimiter!r} does not fit")
        if len(self.thousands_separator) > 1 or self.thousands_separator == point:
            raise StatementFormatError(
                f"column mapping: thousands_separator={self.thousands_separator!r} does not fit"
            )

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CsvMapping:
        """Read a saved mapping; keys it does not know (from another version) are ignored."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        for key in ("remittance", "pending_values"):
            if isinstance(values.get(key), str):
                values[key] = (values[key],)
            elif isinstance(values.get(key), list):
                values[key] = tuple(values[key])
        return cls(**values)

    def references(self) -> dict[str, str]:
        """Field name -> column reference, for every column the mapping names."""
        single = {name: getattr(self, name) for name in _COLUMN_FIELDS if getattr(self, name)}
        several = {f"remittance {i + 1}": ref for i, ref in enumerate(self.remittance)}
        return single | several


def _valid_value(value: object, default: object) -> bool:
    if default is None:  # header_row
        return value is None or (type(value) is int and value >= 0)
    if isinstance(default, tuple):
        return isinstance(value, tuple) and all(isinstance(item, str) for item in value)
    return type(value) is type(default)


_COLUMN_FIELDS = (
    "booking_date value_date amount debit credit currency counterparty_name payer_name "
    "payee_name counterparty_iban counterparty_bic end_to_end_id mandate_id creditor_id "
    "bank_reference account_iban balance_after status"
).split()


# The banks' current exports (encodings: UTF-8 is recognised by itself, ``encoding`` is the
# fallback of older exports). Layouts as documented by importers that read these files:
# beancount-ing, beancount-dkb, ynab-bank-imports (comdirect), and many public test fixtures
# of real exports (Sparkasse CSV-CAMT V2, Deutsche Bank/Postbank, Commerzbank, Atruvia).
_BANKS = (
    CsvMapping(  # Sparkassen (Finanz Informatik) "CSV-CAMT V2"
        name="sparkasse",
        date_format="%d.%m.%y|%d.%m.%Y",
        booking_date="Buchungstag",
        value_date="Valutadatum",
        amount="Betrag",
        currency="Waehrung",
        counterparty_name="Beguenstigter/Zahlungspflichtiger",
        counterparty_iban="Kontonummer/IBAN|Kontonummer",
        counterparty_bic="BIC (SWIFT-Code)",
        remittance=("Verwendungszweck",),
        end_to_end_id="Kundenreferenz (End-to-End)",
        mandate_id="Mandatsreferenz",
        creditor_id="Glaeubiger ID",
        account_iban="Auftragskonto",
        status="Info",
        pending_values=("Umsatz vorgemerkt",),
    ),
    CsvMapping(  # Deutsche Bank and Postbank (one platform since 2023)
        name="deutsche_bank",
        booking_date="Buchungstag",
        value_date="Wert",
        amount="Betrag",
        debit="Soll",
        credit="Haben",
        currency="Währung",
        counterparty_name="Begünstigter / Auftraggeber",
        counterparty_iban="IBAN / Kontonummer|IBAN",
        counterparty_bic="BIC",
        remittance=("Verwendungszweck",),
        end_to_end_id="Kundenreferenz",
        mandate_id="Mandatsreferenz",
        creditor_id="Gläubiger ID",
        closing_label="Kontostand",
    ),
    CsvMapping(  # counterparty and purpose share the "Buchungstext" cell
        name="commerzbank",
        booking_date="Buchungstag",
        value_date="Wertstellung",
        amount="Betrag",
        currency="Währung",
        remittance=("Buchungstext",),
        account_iban="IBAN Kontoinhaber|IBAN Auftraggeberkonto",
    ),
    CsvMapping(  # ING Deutschland "Umsatzanzeige"; the preamble has the IBAN
        name="ing",
        booking_date="Buchung",
        value_date="Wertstellungsdatum|Valuta",
        amount="Betrag",
        currency="Währung",
        counterparty_name="Auftraggeber/Empfänger",
        remittance=("Verwendungszweck",),
        balance_after="Saldo",
    ),
    CsvMapping(  # DKB since 2023; the preamble has the IBAN
        name="dkb",
        date_format="%d.%m.%y|%d.%m.%Y",
        booking_date="Buchungsdatum",
        value_date="Wertstellung",
        amount="Betrag (€)",
        payer_name="Zahlungspflichtige*r",
        payee_name="Zahlungsempfänger*in",
        counterparty_iban="IBAN",
        remittance=("Verwendungszweck",),
        end_to_end_id="Kundenreferenz",
        mandate_id="Mandatsreferenz",
        creditor_id="Gläubiger-ID",
        status="Status",
        pending_values=("Vorgemerkt",),
    ),
    CsvMapping(  # counterparty and purpose share the "Buchungstext" cell
        name="comdirect",
        booking_date="Buchungstag",
        value_date="Wertstellung (Valuta)",
        amount="Umsatz in EUR|Umsatz in {0}",  # the second: a known comdirect export bug
        remittance=("Buchungstext",),
        status="Buchungstag",
        pending_values=("offen",),
        opening_label="Alter Kontostand",
        closing_label="Neuer Kontostand",
    ),
    CsvMapping(  # Volksbanken Raiffeisenbanken, GLS, Sparda, PSD (Atruvia)
        name="volksbank",
        booking_date="Buchungstag",
        value_date="Valutadatum",
        amount="Betrag",
        currency="Waehrung",
        counterparty_name="Name Zahlungsbeteiligter",
        counterparty_iban="IBAN Zahlungsbeteiligter",
        counterparty_bic="BIC (SWIFT-Code) Zahlungsbeteiligter",
        remittance=("Verwendungszweck",),
        mandate_id="Mandatsreferenz",
        creditor_id="Glaeubiger ID",
        account_iban="IBAN Auftragskonto",
        balance_after="Saldo nach Buchung",
    ),
)
PROFILES: dict[str, CsvMapping] = {mapping.name: mapping for mapping in _BANKS}


@dataclass(slots=True)
class _Row:
    line: int
    cells: list[str]

    def blank(self) -> bool:
        return not any(self.cells)


@dataclass
class _Table:
    """The file's header row resolved against the mapping, its data rows, and the other
    lines (preamble, balance lines, what follows the data)."""

    columns: dict[str, int]  # field name -> cell index, for the mapped columns found
    names: dict[str, str]  # field name -> the header cell as the mapping names it
    data: list[_Row]
    preamble: list[_Row]
    others: list[_Row]
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Booking:
    entry: Entry
    own_iban: str
    balance_after: Decimal | None
    line: int


# -- public API ----------------------------------------------------------------------------
def parse_csv(
    data: bytes, mapping: CsvMapping, account_iban: str = "", currency: str = "EUR"
) -> Iterator[StatementHeader | Entry]:
    """Parse a bank CSV export; ``account_iban``/``currency`` apply where the file says none."""
    table = _table(_rows(_decode(data, mapping.encoding), mapping.delimiter), mapping)
    bookings = [_booking(row, table, mapping, currency) for row in table.data]
    fallback_iban = _first_iban(table.preamble) or _compact(account_iban)
    for own_iban, group in _by_account(bookings, fallback_iban).items():
        yield _header(own_iban, group, table, mapping, currency)
        yield from (booking.entry for booking in group)


def detect_profile(data: bytes) -> str | None:
    """The name of the profile in PROFILES whose columns the file's header row has, if any.
    ``data`` may be just the file's beginning."""
    text = _decode(data, "cp1252", partial=True)
    best, best_share = None, DETECT_MIN_SHARE
    for name, mapping in PROFILES.items():
        rows = _rows(text, mapping.delimiter, partial=True, limit=HEADER_SEARCH_LINES)
        share = max((_share(row, mapping) for row in rows), default=0.0)
        if share > best_share:
            best, best_share = name, share
    return best


# -- bytes -> rows -> table ----------------------------------------------------------------
def _decode(data: bytes, fallback: str, partial: bool = False) -> str:
    """UTF-8 (BOM dropped) when the bytes are UTF-8, else the fallback encoding. With
    ``partial`` a character cut off at the end of the bytes does not count against UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if partial and error.reason == "unexpected end of data":
            return data[: error.start].decode("utf-8-sig")
    try:
        return data.decode(fallback)
    except (UnicodeDecodeError, LookupError) as error:
        raise StatementFormatError(f"cannot be read as UTF-8 or {fallback}: {error}") from error


def _rows(text: str, delimiter: str, partial: bool = False, limit: int | None = None) -> list[_Row]:
    """The rows of the text, or its first `limit` rows (not reading the rest)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, line = [], 1
    try:
        for cells in itertools.islice(reader, limit):
            rows.append(_Row(line, [cell.strip() for cell in cells]))
            line = reader.line_num + 1
    except csv.Error as error:
        if not partial:
            raise StatementFormatError(f"not CSV: {error}", f"line {line}") from error
    return rows


def _table(rows: list[_Row], mapping: CsvMapping) -> _Table:
    header_at = _header_index(rows, mapping)
    header = rows[header_at]
    found = {cell.casefold(): i for i, cell in enumerate(header.cells)}  # the last one wins
    columns, names, warnings = {}, {}, []
    for field_name, reference in mapping.references().items():
        match = next((alt for alt in _alternatives(reference) if alt.casefold() in found), None)
        if match is None:
            warnings.append(note("column_missing", line=header.line, column=reference))
        else:
            columns[field_name], names[field_name] = found[match.casefold()], match
    data, others = _split_data(rows[header_at + 1 :], mapping)
    return _Table(columns, names, data, rows[:header_at], others, warnings)


def _required(mapping: CsvMapping) -> list[str]:
    if not mapping.booking_date or not (mapping.amount or (mapping.debit and mapping.credit)):
        raise StatementFormatError(
            "the column mapping needs a booking date and an amount (or debit and credit) column"
        )
    if mapping.amount:
        return [mapping.booking_date, mapping.amount]
    return [mapping.booking_date, mapping.debit, mapping.credit]


def _header_index(rows: list[_Row], mapping: CsvMapping) -> int:
    required = _required(mapping)
    names = ", ".join(f'"{reference}"' for reference in required)
    if mapping.header_row is not None:
        if mapping.header_row >= len(rows) or not _has_all(rows[mapping.header_row], required):
            where = f"line {mapping.header_row + 1}"
            raise StatementFormatError(f"the header row lacks one of the columns {names}", where)
        return mapping.header_row
    for index, row in enumerate(rows[:HEADER_SEARCH_LINES]):
        if _has_all(row, required):
            return index
    raise StatementFormatError(f"no header row with the columns {names}", "line 1")


def _split_data(rows: list[_Row], mapping: CsvMapping) -> tuple[list[_Row], list[_Row]]:
    """Data rows, and the balance lines among them plus everything from the first empty line
    after the data began (empty lines right after the header are skipped)."""
    labels = {label for label in (mapping.opening_label, mapping.closing_label) if label}
    data, others = [], []
    for position, row in enumerate(rows):
        if row.blank():
            if data or others:
                return data, others + rows[position:]
        elif row.cells[0] in labels:
            others.append(row)
        else:
            data.append(row)
    return data, others


def _share(row: _Row, mapping: CsvMapping) -> float:
    """Share of the mapping's columns in the row; 0 without the required ones."""
    references = list(mapping.references().values())
    if not _has_all(row, _required(mapping)):
        return 0.0
    return sum(_has_all(row, [reference]) for reference in references) / len(references)


def _has_all(row: _Row, references: list[str]) -> bool:
    cells = {cell.casefold() for cell in row.cells}
    return all(any(alt.casefold() in cells for alt in _alternatives(ref)) for ref in references)


def _alternatives(reference: str) -> list[str]:
    return [alt.strip() for alt in reference.split("|") if alt.strip()]


# -- data rows -> bookings -----------------------------------------------------------------
class _Cells:
    """The cells of one data row by field name; "" for a column the file does not have."""

    def __init__(self, row: _Row, table: _Table):
        self.row, self.table = row, table

    def __call__(self, field_name: str) -> str:
        index = self.table.columns.get(field_name)
        if index is None or index >= len(self.row.cells):
            return ""
        return self.row.cells[index]

    def error(self, field_name: str, message: str) -> StatementFormatError:
        column = self.table.names.get(field_name, field_name)
        return StatementFormatError(message, f'line {self.row.line}, column "{column}"')


def _booking(row: _Row, table: _Table, mapping: CsvMapping, currency: str) -> _Booking:
    cell = _Cells(row, table)
    pending = cell("status").casefold() in _casefolded(mapping.pending_values)
    amount = _signed_amount(cell, mapping)
    entry = Entry(
        amount=amount,
        currency=cell("currency").upper() or currency,
        booking_date=_date(cell, "booking_date", mapping, missing_ok=pending),
        value_date=_date(cell, "value_date", mapping, missing_ok=True),
        status=PENDING if pending else BOOKED,
        counterparty_name=(cell("payer_name") if amount > 0 else cell("payee_name"))
        or cell("counterparty_name"),
        counterparty_iban=_compact(cell("counterparty_iban")),
        counterparty_bic=_compact(cell("counterparty_bic")),
        remittance="\n".join(
            text for i in range(len(mapping.remittance)) if (text := cell(f"remittance {i + 1}"))
        ),
        end_to_end_id="" if cell("end_to_end_id").upper() == _NOT_PROVIDED else cell("end_to_end_id"),
        mandate_id=cell("mandate_id"),
        creditor_id=cell("creditor_id"),
        bank_reference=cell("bank_reference"),
        source=f"line {row.line}",
    )
    balance = _amount(cell, "balance_after", mapping) if cell("balance_after") else None
    return _Booking(entry, _compact(cell("account_iban")), balance, row.line)


def _signed_amount(cell: _Cells, mapping: CsvMapping) -> Decimal:
    if cell("amount"):
        return _amount(cell, "amount", mapping)
    if cell("credit"):
        return abs(_amount(cell, "credit", mapping))
    if cell("debit"):
        return -abs(_amount(cell, "debit", mapping))
    raise cell.error("amount" if mapping.amount else "debit", "the row has no amount")


def _amount(cell: _Cells, field_name: str, mapping: CsvMapping) -> Decimal:
    value = cell(field_name)
    amount = _parse_amount(value, mapping)
    if amount is None:
        raise cell.error(field_name, f'"{value}" is not an amount')
    try:
        return to_money(amount)
    except ValueError as error:
        raise cell.error(field_name, str(error)) from error


def _parse_amount(text: str, mapping: CsvMapping) -> Decimal | None:
    """ "-1.234,56", "1.000 €", "+12,3 EUR" as the mapping writes numbers -> exact Decimal."""
    compact = _SPACES.sub("", _without_currency(text))
    found = _amount_pattern(mapping.decimal_comma, mapping.thousands_separator).fullmatch(compact)
    if found is None:
        return None
    digits = found.group("int")
    if mapping.thousands_separator:
        digits = digits.replace(mapping.thousands_separator, "")
    return Decimal(f"{found.group('sign')}{digits}.{found.group('frac') or '0'}")


def _without_currency(text: str) -> str:
    """The text without a currency mark at its end ("€", "EUR"). Not a regular expression
    \\s*(€|[A-Z]{3})$: searched at every position of a run of spaces, it took n² steps
    (24 KB with 14,630 spaces in a cell: 5 s, found by scripts/fuzz)."""
    if text.endswith("€"):
        return text[:-1]
    return text[:-3] if _CURRENCY_CODE.fullmatch(text[-3:]) else text


@lru_cache
def _amount_pattern(decimal_comma: bool, thousands_separator: str) -> re.Pattern:
    point = re.escape("," if decimal_comma else ".")
    group = re.escape(thousands_separator)
    integer = rf"\d{{1,3}}(?:{group}\d{{3}})+|\d+" if thousands_separator else r"\d+"
    return re.compile(rf"(?P<sign>[-+]?)(?P<int>{integer})(?:{point}(?P<frac>\d+))?")


def _date(cell: _Cells, field_name: str, mapping: CsvMapping, missing_ok: bool) -> date | None:
    """The cell's date; None when it may be missing and is empty, dashes or a pending mark."""
    value = cell(field_name)
    found = _parse_date(value, mapping.date_format)
    if found is not None:
        return found
    if missing_ok and (_NO_DATE.match(value) or value.casefold() in _casefolded(mapping.pending_values)):
        return None
    raise cell.error(field_name, f'"{value}" is not a date ({mapping.date_format})')


def _parse_date(value: str, date_formats: str) -> date | None:
    for date_format in date_formats.split("|"):
        try:
            return datetime.strptime(value, date_format.strip()).date()
        except ValueError:
            continue
    return None


def _casefolded(values: tuple[str, ...]) -> set[str]:
    return {value.casefold() for value in values}


def _compact(value: str) -> str:
    return _SPACES.sub("", value).upper()


# -- bookings -> statements ----------------------------------------------------------------
def _by_account(bookings: list[_Booking], fallback_iban: str) -> dict[str, list[_Booking]]:
    """Bookings per own account, in the order the file names the accounts."""
    groups: dict[str, list[_Booking]] = {}
    for booking in bookings:
        groups.setdefault(booking.own_iban or fallback_iban, []).append(booking)
    return groups or {fallback_iban: []}


def _first_iban(rows: list[_Row]) -> str:
    for row in rows:
        for cell in row.cells:
            try:
                return IBAN(_compact(cell)).compact
            except SchwiftyException:
                continue
    return ""


def _header(
    own_iban: str, group: list[_Booking], table: _Table, mapping: CsvMapping, currency: str
) -> StatementHeader:
    ccy = group[0].entry.currency if group else currency
    rows = [*table.preamble, *table.others]
    opening = _labelled_balance(rows, mapping.opening_label, "opening", mapping, ccy)
    closing = _labelled_balance(rows, mapping.closing_label, "closing", mapping, ccy)
    warnings = list(table.warnings)
    if opening is None and closing is None and "balance_after" in table.columns:
        opening, closing = _running_balances(group, ccy, warnings)
    return StatementHeader(
        format=f"csv:{mapping.name}",
        account_iban=own_iban,
        currency=ccy,
        opening=opening,
        closing=closing,
        warnings=warnings,
    )


def _labelled_balance(
    rows: list[_Row], label: str, kind: str, mapping: CsvMapping, ccy: str
) -> BalanceSnapshot | None:
    """The balance on the line whose first cell is the label: its last amount, its date."""
    row = next((row for row in rows if label and row.cells[:1] == [label]), None)
    if row is None:
        return None
    amounts = [a for cell in row.cells[1:] if (a := _parse_amount(cell, mapping)) is not None]
    if not amounts:
        raise StatementFormatError(f'"{label}" without an amount', f"line {row.line}")
    dates = [d for cell in row.cells[1:] if (d := _parse_date(cell, mapping.date_format))]
    amount = exact_amount(amounts[-1], f'line {row.line}, "{label}"')
    return BalanceSnapshot(amount, ccy, dates[0] if dates else None, kind)


def _running_balances(group: list[_Booking], ccy: str, warnings: list[str]):
    """Opening and closing balance from a "balance after booking" column, the rows sorted
    either way; (None, None) when a booked row has none or the column does not add up."""
    booked = [b for b in group if b.entry.status == BOOKED]
    if not booked or any(b.balance_after is None for b in booked):
        return None, None
    for rows in (booked, booked[::-1]):  # oldest first, or newest first
        if all(
            later.balance_after == earlier.balance_after + later.entry.amount
            for earlier, later in zip(rows, rows[1:])
        ):
            first, last = rows[0], rows[-1]
            # both fit the books; their difference may not
            opening = exact_amount(first.balance_after - first.entry.amount, f"line {first.line}")
            return (
                BalanceSnapshot(opening, ccy, None, "opening"),
                BalanceSnapshot(last.balance_after, ccy, last.entry.booking_date, "closing"),
            )
    warnings.append(note("running_balance_off", line=booked[0].line))
    return None, None
