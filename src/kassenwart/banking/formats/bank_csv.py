"""Bank CSV exports -> statement stream, through a column mapping per bank (or per account).

A ``CsvMapping`` names the header cells that hold each field. A name may list alternatives
separated by "|" (banks rename columns: ING's "Valuta" became "Wertstellungsdatum"); a header
cell that occurs twice (ING's two "Währung" columns) is found at its last occurrence; header
cells are compared in any case and without umlauts (exports whose umlauts were lost). A column
may also be named by its number, "#3"; a file without a header row names all its columns so.
Mapped columns missing from the file become header warnings; only the booking date and the
amount (one signed column, or debit and credit columns) are required.

Signs are never guessed: an amount column with a debit/credit mark beside it ("S"/"H",
"Soll"/"Haben", "D"/"C", "-"/"+", or the mapping's own marks) is signed by the mark, and a row
without a known mark is refused; amounts without any sign next to a column of such marks the
mapping does not read are refused rather than stored as credits.

PROFILES is the table of the banks' layouts; detect_profile picks the one that reads a file's
header row without dropping any of its named columns, the most specific (most columns read)
when several do.

Lines before the header row (the preamble) and after the data may carry the account's IBAN
(the first valid IBAN in a cell is taken) and, under the mapping's labels (in any cell), the
opening and closing balances ("Alter Kontostand"/"Neuer Kontostand" at comdirect, "Anfangssaldo"/
"Endsaldo" with their S/H mark at the older Volksbank export). A running balance column
("Saldo nach Buchung") gives them too, in either sort order. The data ends at the first empty
line after it began, so a second section (comdirect's credit card) is not read; a row too
short to reach the amount column (a remark among the bookings) is left out with a warning.

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

_NOT_PROVIDED = "NOTPROVIDED"
# The marks of a debit/credit indicator column, when a mapping names none of its own.
DEBIT_MARKS = ("S", "Soll", "D", "DR", "Debit", "-")
CREDIT_MARKS = ("H", "Haben", "C", "CR", "Credit", "+")
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_IBAN_LIKE = re.compile(r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}")
_NO_DATE = re.compile(r"^-*$")  # "", "-", "--" (comdirect's pending rows)


def _column_number(reference: str) -> int | None:
    """The 0-based index of a column named by its number ("#3"), else None."""
    if reference.startswith("#") and reference[1:].isdigit() and int(reference[1:]) > 0:
        return int(reference[1:]) - 1
    return None


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
    has_header: bool = True  # False: every column is named by its number, "#1" the first
    booking_date: str = ""
    value_date: str = ""
    amount: str = ""  # signed amount; when empty in a row, debit and credit are read
    indicator: str = ""  # the debit/credit mark beside an unsigned amount ("S"/"H") ...
    debit_values: tuple[str, ...] = ()  # ... its debit marks (any case; () = DEBIT_MARKS) ...
    credit_values: tuple[str, ...] = ()  # ... and its credit marks (() = CREDIT_MARKS)
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
    closing_label: str = ""  # ... or closing balance (the label may stand in any cell)
    ignored: tuple[str, ...] = ()  # columns the profile knows and leaves out on purpose

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
        if not self.has_header:
            for name, reference in self.references().items():
                if _column_number(reference) is None:
                    raise StatementFormatError(
                        f'column mapping: {name}={reference!r}: a file without a header row names '
                        'its columns by number ("#1" is the first)'
                    )
        if (self.debit_values or self.credit_values) and not self.indicator:
            raise StatementFormatError("column mapping: debit/credit marks without an indicator column")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CsvMapping:
        """Read a saved mapping; keys it does not know (from another version) are ignored."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        for key in ("remittance", "pending_values", "debit_values", "credit_values", "ignored"):
            if isinstance(values.get(key), str):
                values[key] = (values[key],)
            elif isinstance(values.get(key), list):
                values[key] = tuple(values[key])
        for key in _COLUMN_FIELDS:  # a column by its number: 3 is "#3"
            if type(values.get(key)) is int:
                values[key] = f"#{values[key]}"
        if "remittance" in values:
            values["remittance"] = tuple(f"#{ref}" if type(ref) is int else ref for ref in values["remittance"])
        return cls(**values)

    @classmethod
    def fields(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

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
    "booking_date value_date amount indicator debit credit currency counterparty_name payer_name "
    "payee_name counterparty_iban counterparty_bic end_to_end_id mandate_id creditor_id "
    "bank_reference account_iban balance_after status"
).split()


# The banks' exports, as a table: one mapping per layout (encodings: UTF-8 is recognised by
# itself, ``encoding`` is the fallback of older exports). A file is a profile's when its header
# row has the profile's required columns and no column the profile neither reads nor lists as
# ``ignored`` (a profile that would drop columns is not the file's); of several, the one that
# reads the most columns wins. A file without a header row is a headerless profile's when its
# first rows have a date, an amount (and a currency) where the profile has them and nothing in
# columns it does not read. Layouts as the banks write them, checked against real exports
# (../shared/bankfiles/csv) and the importers that read them.
_BANKS = (
    CsvMapping(  # Sparkassen (Finanz Informatik) "CSV-CAMT V2", and their older "CSV-MT940"
        name="sparkasse",
        date_format="%d.%m.%y|%d.%m.%Y",
        booking_date="Buchungstag",
        value_date="Valutadatum",
        amount="Betrag",
        currency="Waehrung",
        counterparty_name="Beguenstigter/Zahlungspflichtiger",
        counterparty_iban="Kontonummer/IBAN|Kontonummer",
        counterparty_bic="BIC (SWIFT-Code)|BLZ",
        remittance=("Verwendungszweck",),
        end_to_end_id="Kundenreferenz (End-to-End)",
        mandate_id="Mandatsreferenz",
        creditor_id="Glaeubiger ID",
        account_iban="Auftragskonto",
        status="Info",
        pending_values=("Umsatz vorgemerkt",),
        ignored=("Buchungstext", "Sammlerreferenz", "Lastschrift Ursprungsbetrag",
                 "Auslagenersatz Ruecklastschrift"),
    ),
    CsvMapping(  # Sparkassen credit card ("Umsatz getätigt von" is the card)
        name="sparkasse_card",
        date_format="%d.%m.%y|%d.%m.%Y",
        booking_date="Buchungsdatum",
        value_date="Belegdatum",
        amount="Buchungsbetrag",
        currency="Buchungswährung",
        remittance=("Transaktionsbeschreibung", "Transaktionsbeschreibung Zusatz"),
        bank_reference="Buchungsreferenz",
        ignored=("Umsatz getätigt von", "Originalbetrag", "Originalwährung", "Umrechnungskurs",
                 "Gebührenschlüssel", "Länderkennzeichen", "BAR-Entgelt+Buchungsreferenz",
                 "AEE+Buchungsreferenz", "Abrechnungskennzeichen"),
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
        ignored=("Umsatzart", "Fremde Gebühren", "Abweichender Empfänger", "Anzahl der Aufträge",
                 "Anzahl der Schecks"),
    ),
    CsvMapping(  # Postbank before the move to the Deutsche Bank platform
        name="postbank",
        booking_date="Buchungsdatum",
        value_date="Wertstellung",
        amount="Betrag (€)",
        payer_name="Auftraggeber",
        payee_name="Empfänger",
        remittance=("Buchungsdetails",),
        balance_after="Saldo (€)",
        ignored=("Umsatzart",),
    ),
    CsvMapping(  # counterparty and purpose share the "Buchungstext" cell
        name="commerzbank",
        booking_date="Buchungstag",
        value_date="Wertstellung",
        amount="Betrag",
        currency="Währung",
        counterparty_name="Auftraggeber / Begünstigter",
        counterparty_iban="Kontonummer / IBAN",
        counterparty_bic="BLZ / BIC",
        remittance=("Buchungstext",),
        account_iban="IBAN Kontoinhaber|IBAN Auftraggeberkonto",
        ignored=("Umsatzart", "Kategorie", "Auftraggeberkonto", "Bankleitzahl Auftraggeberkonto"),
    ),
    CsvMapping(  # GLS Bank until 2018: purpose in VWZ1 ... VWZ14, own account number per row
        name="gls_2017",
        booking_date="Buchungstag",
        value_date="Wertstellung",
        amount="Betrag",
        currency="Währung",
        counterparty_name="Auftraggeber/Empfänger",
        remittance=tuple(f"VWZ{number}" for number in range(1, 15)),
        account_iban="Kontonummer",
        balance_after="Kontostand",
        ignored=("Buchungstext",),
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
        ignored=("Buchungstext", "Kategorie", "Notiz"),
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
        ignored=("Umsatztyp",),
    ),
    CsvMapping(  # DKB giro, Tagesgeld and Cash before 2023; "Kontonummer:" above has the IBAN
        name="dkb_2022",
        booking_date="Buchungstag",
        value_date="Wertstellung",
        amount="Betrag (EUR)",
        counterparty_name="Auftraggeber / Begünstigter",
        counterparty_iban="Kontonummer",
        counterparty_bic="BLZ",
        remittance=("Verwendungszweck",),
        end_to_end_id="Kundenreferenz",
        mandate_id="Mandatsreferenz",
        creditor_id="Gläubiger-ID",
        ignored=("Buchungstext",),
    ),
    CsvMapping(  # DKB Visa since 2023
        name="dkb_visa",
        date_format="%d.%m.%y|%d.%m.%Y",
        booking_date="Belegdatum",
        value_date="Wertstellung",
        amount="Betrag",
        remittance=("Beschreibung",),
        status="Status",
        pending_values=("Vorgemerkt",),
        ignored=("Umsatztyp", "Fremdwährungsbetrag"),
    ),
    CsvMapping(  # DKB Visa before 2023; "Wertstellung" is the day the card account booked it
        name="dkb_visa_2022",
        booking_date="Wertstellung",
        amount="Betrag (EUR)",
        remittance=("Beschreibung",),
        ignored=("Umsatz abgerechnet und nicht im Saldo enthalten", "Belegdatum", "Ursprünglicher Betrag"),
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
        ignored=("Vorgang", "Referenz"),
    ),
    CsvMapping(  # Volksbanken Raiffeisenbanken, GLS, Sparda, PSD (Atruvia)
        name="volksbank",
        booking_date="Buchungstag",
        value_date="Valutadatum",
        amount="Betrag|Umsatz",
        currency="Waehrung|Währung",
        counterparty_name="Name Zahlungsbeteiligter",
        counterparty_iban="IBAN Zahlungsbeteiligter",
        counterparty_bic="BIC (SWIFT-Code) Zahlungsbeteiligter",
        remittance=("Verwendungszweck|Vorgang/Verwendungszweck",),
        mandate_id="Mandatsreferenz",
        creditor_id="Glaeubiger ID",
        account_iban="IBAN Auftragskonto",
        balance_after="Saldo nach Buchung",
        ignored=("Bezeichnung Auftragskonto", "BIC Auftragskonto", "Bankname Auftragskonto", "Buchungstext",
                 "Bemerkung", "Kategorie", "Steuerrelevant", "Gekennzeichneter Umsatz"),
    ),
    CsvMapping(  # Volksbanken and BBBank "Umsatzanzeige" before Atruvia: unsigned "Umsatz", S/H beside it
        name="volksbank_2017",
        booking_date="Buchungstag",
        value_date="Valuta",
        amount="Umsatz",
        indicator="#13",  # its header cell is blank
        currency="Währung",
        counterparty_name="Empfänger/Zahlungspflichtiger",
        counterparty_iban="IBAN|Konto-Nr.",
        counterparty_bic="BIC|BLZ",
        remittance=("Vorgang/Verwendungszweck",),
        bank_reference="Kundenreferenz",
        opening_label="Anfangssaldo",
        closing_label="Endsaldo",
        ignored=("Auftraggeber/Zahlungsempfänger", "Konto-Nr.", "BLZ"),
    ),
    CsvMapping(  # Consorsbank giro "Umsätze" (as read by importers of its exports)
        name="consorsbank",
        date_format="%d.%m.%Y|%d.%m.%y",
        booking_date="Buchung",
        value_date="Valuta",
        amount="Betrag in EUR",
        counterparty_name="Sender / Empfänger",
        counterparty_iban="IBAN / Konto-Nr.",
        counterparty_bic="BIC / BLZ",
        remittance=("Verwendungszweck",),
        ignored=("Buchungstext", "Kategorie", "Stichwörter", "Umsatz geteilt"),
    ),
    CsvMapping(  # N26 since 2020 (English headers, whatever the app's language)
        name="n26",
        delimiter=",",
        decimal_comma=False,
        thousands_separator="",
        date_format="%Y-%m-%d",
        booking_date="Booking Date",
        value_date="Value Date",
        amount="Amount (EUR)",
        counterparty_name="Partner Name",
        counterparty_iban="Partner Iban",
        remittance=("Payment Reference",),
        ignored=("Type", "Account Name", "Original Amount", "Original Currency", "Exchange Rate"),
    ),
    CsvMapping(  # N26 until 2020
        name="n26_2019",
        delimiter=",",
        decimal_comma=False,
        thousands_separator="",
        date_format="%Y-%m-%d",
        booking_date="Datum",
        amount="Betrag (EUR)",
        counterparty_name="Empfänger",
        counterparty_iban="Kontonummer",
        remittance=("Verwendungszweck",),
        ignored=("Transaktionstyp", "Kategorie", "Betrag (Fremdwährung)", "Fremdwährung", "Wechselkurs"),
    ),
    CsvMapping(  # Outbank (the app) export of any German account, US dates
        name="outbank",
        thousands_separator="",
        date_format="%m/%d/%y|%m/%d/%Y",
        booking_date="Date",
        value_date="Value Date",
        amount="Amount",
        currency="Currency",
        counterparty_name="Name",
        counterparty_iban="Number",
        counterparty_bic="Bank",
        remittance=("Reason",),
        end_to_end_id="SEPA Reference",
        bank_reference="Client Reference",
        mandate_id="Mandate Identification",
        creditor_id="Originator Identifier",
        account_iban="Account",
        ignored=("#", "Category", "Subcategory", "Tags", "Note", "Ultimate Receiver Name", "Original Amount",
                 "Compensation Amount", "Exchange Rate", "Posting Key", "Posting Text", "Purpose Code"),
    ),
    CsvMapping(  # Raiffeisen Austria ELBA: no header row; booking day, text, value day, amount, currency
        name="raiffeisen_at",
        has_header=False,
        booking_date="#1",
        remittance=("#2",),
        value_date="#3",
        amount="#4",
        currency="#5",
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
    _skip_rows_without_amount(table)
    bookings = [_booking(row, table, mapping, currency) for row in table.data]
    _refuse_unsigned_beside_marks(bookings, table, mapping)
    fallback_iban = _first_iban(table.preamble) or _compact(account_iban)
    for own_iban, group in _by_account(bookings, fallback_iban).items():
        yield _header(own_iban, group, table, mapping, currency)
        yield from (booking.entry for booking in group)


def detect_profile(data: bytes) -> str | None:
    """The name of the profile in PROFILES that reads the file's layout, if any. ``data`` may
    be just the file's beginning."""
    found = [(score, name) for name, mapping in PROFILES.items() if (score := fit(data, mapping))]
    return max(found)[1] if found else None


def fit(data: bytes, mapping: CsvMapping, every_column: bool = True) -> tuple[int, int] | None:
    """How well the mapping reads the file (more is better: with a header row before without,
    then the number of columns read), or None when it does not: a required column is missing,
    or (``every_column``, as for a bank's profile) the file has a named column the mapping
    neither reads nor ignores. ``data`` may be just the file's beginning."""
    text = _decode(data, mapping.encoding, partial=True)
    rows = _rows(text, mapping.delimiter, partial=True, limit=HEADER_SEARCH_LINES)
    if not mapping.has_header:
        return (0, len(mapping.references())) if _fits_shape(rows, mapping, every_column) else None
    for row in rows:
        if _has_all(row, _required(mapping)):
            if every_column and unread_columns(row.cells, mapping):
                return None
            return (1, _read_count(row, mapping))
    return None


def preview(data: bytes, mapping: CsvMapping, limit: int = 10) -> list[Entry]:
    """The file's first entries as the mapping reads them (the whole file is read, so an error
    anywhere in it is raised, with its line and column)."""
    entries = [item for item in parse_csv(data, mapping) if isinstance(item, Entry)]
    return entries[:limit]


def unread_columns(header: list[str], mapping: CsvMapping) -> list[str]:
    """The named header cells the mapping neither reads nor lists as ignored."""
    known = {_key(alt) for ref in [*mapping.references().values(), *mapping.ignored] for alt in _alternatives(ref)}
    return [cell for cell in header if _key(cell) and _key(cell) not in known]


def header_cells(data: bytes, mapping: CsvMapping) -> list[str]:
    """The file's header row as the mapping finds it (column numbers "#1".. without one)."""
    rows = _rows(_decode(data, mapping.encoding, partial=True), mapping.delimiter, partial=True,
                 limit=HEADER_SEARCH_LINES)
    if not mapping.has_header:
        width = max((len(row.cells) for row in rows), default=0)
        return [f"#{number}" for number in range(1, width + 1)]
    return rows[_header_index(rows, mapping)].cells


def first_rows(data: bytes, delimiter: str = "", limit: int = 12) -> tuple[str, list[list[str]]]:
    """The file's delimiter (the one of ; , tab that splits its lines most) and first rows."""
    text = _decode(data, "cp1252", partial=True)
    if not delimiter:
        sample = text[:8192]
        delimiter = max(";,\t", key=sample.count)
    return delimiter, [row.cells for row in _rows(text, delimiter, partial=True, limit=limit)]


_DATE_LIKE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}")
_COMMA_AMOUNT = re.compile(r"[-+]?[\d.]*\d,\d{1,2}\b")
_POINT_AMOUNT = re.compile(r"[-+]?[\d,]*\d\.\d{2}\b(?![./-]\d)")


def guess_settings(data: bytes) -> dict:
    """What a file's first rows suggest for a mapping by hand: the delimiter, whether the
    first row names the columns (it holds no date), the date format and the decimal style.
    Only suggestions, for a person to check."""
    delimiter, rows = first_rows(data, limit=8)
    has_header = bool(rows) and not any(_DATE_LIKE.fullmatch(cell) for cell in rows[0])
    cells = [cell for row in rows[1 if has_header else 0 :] for cell in row]
    dates = [cell for cell in cells if _DATE_LIKE.fullmatch(cell)]
    date_format = "%d.%m.%Y|%d.%m.%y"
    if dates and "-" in dates[0] and len(dates[0].split("-")[0]) == 4:
        date_format = "%Y-%m-%d"
    elif dates and "/" in dates[0]:
        date_format = "%d/%m/%Y|%d/%m/%y"
    comma = sum(bool(_COMMA_AMOUNT.fullmatch(cell)) for cell in cells)
    point = sum(bool(_POINT_AMOUNT.fullmatch(cell)) for cell in cells)
    return {"delimiter": delimiter, "has_header": has_header, "date_format": date_format,
            "decimal_comma": comma >= point}


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
    if not mapping.has_header:
        columns = {name: _column_number(ref) for name, ref in mapping.references().items()}
        data, others = _split_data(rows, mapping)
        return _Table(columns, dict(mapping.references()), data, [], others)
    header_at = _header_index(rows, mapping)
    header = rows[header_at]
    found = {_key(cell): i for i, cell in enumerate(header.cells)}  # the last one wins
    columns, names, warnings = {}, {}, []
    for field_name, reference in mapping.references().items():
        number = _column_number(reference)
        if number is not None and number < len(header.cells):
            columns[field_name], names[field_name] = number, header.cells[number] or reference
            continue
        match = next((alt for alt in _alternatives(reference) if _key(alt) in found), None)
        if match is None:
            warnings.append(note("column_missing", line=header.line, column=reference))
        else:
            columns[field_name], names[field_name] = found[_key(match)], match
    data, others = _split_data(rows[header_at + 1 :], mapping)
    return _Table(columns, names, data, rows[:header_at], others, warnings)


def required(mapping: CsvMapping) -> list[str]:
    """The columns the mapping cannot do without; refused when it lacks a date or an amount."""
    return _required(mapping)


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
        elif labels.intersection(row.cells):
            others.append(row)
        else:
            data.append(row)
    return data, others


def _fits_shape(rows: list[_Row], mapping: CsvMapping, every_column: bool = True) -> bool:
    """Whether the first rows of a file without a header row have a date, an amount and a
    currency code where the mapping reads them, and nothing in the columns it does not read
    (rows too short to have an amount are left out, as when the file is read)."""
    read = {_column_number(ref) for ref in mapping.references().values()}
    amount_at = _column_number(mapping.amount) or 0
    sample = [row for row in rows if len(row.cells) > amount_at][:5]  # as parse_csv, short rows aside

    def at(row: _Row, reference: str) -> str:
        number = _column_number(reference)
        return row.cells[number] if number is not None and number < len(row.cells) else ""

    return bool(sample) and all(
        _parse_date(at(row, mapping.booking_date), mapping.date_format) is not None
        and _parse_amount(at(row, mapping.amount), mapping) is not None
        and (not mapping.currency or _CURRENCY_CODE.fullmatch(at(row, mapping.currency)))
        and not (every_column and any(cell for i, cell in enumerate(row.cells) if i not in read))
        for row in sample
    )


def _read_count(row: _Row, mapping: CsvMapping) -> int:
    return sum(_has_all(row, [reference]) for reference in mapping.references().values())


def _has_all(row: _Row, references: list[str]) -> bool:
    cells = {_key(cell) for cell in row.cells}
    return all(
        _column_number(ref) is not None or any(_key(alt) in cells for alt in _alternatives(ref))
        for ref in references
    )


def _alternatives(reference: str) -> list[str]:
    return [alt.strip() for alt in reference.split("|") if alt.strip()]


_UNSURE_LETTERS = str.maketrans("", "", "äöüß\ufffd")


def _key(name: str) -> str:
    """A header cell as compared: any case, runs of spaces as one, and without umlauts and
    the replacement character (exports whose umlauts were lost: "Beg\ufffdnstigter")."""
    return " ".join(name.casefold().translate(_UNSURE_LETTERS).split())


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


def _skip_rows_without_amount(table: _Table) -> None:
    """Rows too short to reach the amount column (a remark line among the bookings) are left
    out, each with a warning."""
    needed = [table.columns[name] for name in ("amount", "debit", "credit") if name in table.columns]
    if not needed:
        return
    keep = []
    for row in table.data:
        if len(row.cells) > min(needed):
            keep.append(row)
        else:
            table.warnings.append(note("row_without_amount", line=row.line))
    table.data = keep


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
    if cell("amount") and mapping.indicator:
        return _marked(cell, _amount(cell, "amount", mapping), mapping)
    if cell("amount"):
        return _amount(cell, "amount", mapping)
    if cell("credit"):
        return abs(_amount(cell, "credit", mapping))
    if cell("debit"):
        return -abs(_amount(cell, "debit", mapping))
    raise cell.error("amount" if mapping.amount else "debit", "the row has no amount")


def _marked(cell: _Cells, amount: Decimal, mapping: CsvMapping) -> Decimal:
    """The amount signed by the row's debit/credit mark; a missing or unknown mark, or one
    that contradicts the amount's own sign, is refused with the line."""
    mark = cell("indicator")
    debit, credit = _marks(mapping)
    if mark.casefold() in debit:
        sign = -1
    elif mark.casefold() in credit:
        sign = 1
    else:
        marks = "/".join(mapping.debit_values or DEBIT_MARKS) + " or " + "/".join(mapping.credit_values or CREDIT_MARKS)
        raise cell.error("indicator", f'"{mark}" is not a debit or credit mark ({marks})')
    if amount < 0 and sign > 0:
        raise cell.error("indicator", f'the amount {amount} is negative but marked as a credit ("{mark}")')
    return sign * abs(amount)


def _marks(mapping: CsvMapping) -> tuple[set[str], set[str]]:
    return _casefolded(mapping.debit_values or DEBIT_MARKS), _casefolded(mapping.credit_values or CREDIT_MARKS)


def _refuse_unsigned_beside_marks(bookings: list[_Booking], table: _Table, mapping: CsvMapping) -> None:
    """A file whose amounts all come without a sign, next to a column of nothing but debit
    and credit marks, is refused unless the mapping reads that column: taken as they stand,
    every debit would be stored as a credit."""
    if mapping.indicator or not mapping.amount or not bookings:
        return
    if any(b.entry.amount < 0 for b in bookings) or any("-" in _Cells(r, table)("amount") for r in table.data):
        return
    letters = [mark for mark in DEBIT_MARKS + CREDIT_MARKS if mark.isalpha()]  # not "-" (a blank)
    debit, credit = _casefolded(DEBIT_MARKS) & _casefolded(tuple(letters)), _casefolded(CREDIT_MARKS)
    width = max(len(row.cells) for row in table.data)
    for index in range(width):
        values = {row.cells[index].casefold() for row in table.data if index < len(row.cells)}
        if values and values <= debit | credit and values & debit and "" not in values:
            raise StatementFormatError(
                f"the amounts have no sign, and column {index + 1} holds debit/credit marks "
                f"({'/'.join(sorted({row.cells[index] for row in table.data if index < len(row.cells)}))}): "
                "map it as the "
                "indicator column, or every debit would be taken as a credit",
                f"line {table.data[0].line}",
            )


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
    """The first valid IBAN in the cells ("DE12 ... / Girokonto" has one too)."""
    for row in rows:
        for cell in row.cells:
            for candidate in _IBAN_LIKE.findall(cell.upper()):
                try:
                    return IBAN(_compact(candidate)).compact
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
    """The balance on the line with the label in a cell: its last amount (signed by the
    debit/credit mark where the mapping has an indicator column), its first date."""
    row = next((row for row in rows if label and label in row.cells), None)
    if row is None:
        return None
    after = row.cells[row.cells.index(label) + 1 :] or row.cells
    amounts = [a for cell in after if (a := _parse_amount(cell, mapping)) is not None]
    if not amounts:
        raise StatementFormatError(f'"{label}" without an amount', f"line {row.line}")
    dates = [d for cell in row.cells if (d := _parse_date(cell, mapping.date_format))]
    amount = amounts[-1]
    if mapping.indicator and _casefolded(tuple(after)) & _marks(mapping)[0]:
        amount = -abs(amount)
    amount = exact_amount(amount, f'line {row.line}, "{label}"')
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
