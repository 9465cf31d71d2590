"""A DATEV booking batch (EXTF "Buchungsstapel"): plain Python, no Django.

The format, as DATEV describes it for third-party programs ("DATEV-Format", header version
700, developer.datev.de, dtvf/formate/header and dtvf/formate/buchungsstapel):

* A text file named EXTF_*.csv in Windows-1252 ("ANSI"); fields separated by semicolons;
  every line ends with CR LF.
* Text fields are always in double quotes, also when empty (""); a double quote inside is
  doubled; control characters (line breaks) are not allowed inside a field. Numbers and dates
  stand without quotes; amounts have a decimal comma and no thousands separator.
* Line 1, the header: "EXTF"; 700 (header version); 21 (data category: booking batch);
  "Buchungsstapel"; 13 (format version of the booking batch); created at
  (YYYYMMDDHHMMSSfff); imported (empty); origin (two letters); exported by; imported by;
  consultant number (Beraternummer, 1001-9999999); client number (Mandantennummer,
  1-99999); start of the fiscal year (YYYYMMDD); length of the G/L account numbers (4-8);
  date from; date to (YYYYMMDD; one fiscal year at most); description (30 characters);
  dictation code; booking type (1 = financial accounting); accounting purpose; fixation
  (0 = not fixed, the accountant decides); currency ("EUR"); then reserved fields, the
  derivative code, the chart of accounts (SKR), the industry solution id and the
  application information, which a third-party file leaves empty. 31 fields.
* Line 2, the column headings; then one booking a line. The booking batch of format
  version 13 has 125 columns; a line carries all of them, those after the booking text
  empty. The columns filled here:

  ==  =========================================  =======================================
   1  Umsatz (ohne Soll/Haben-Kz)                amount, positive, ``1234,56``
   2  Soll/Haben-Kennzeichen                     "S" (debit) or "H" (credit) of *Konto*
   3  WKZ Umsatz                                 currency, ISO 4217
   7  Konto                                      account (here the bank's G/L account)
   8  Gegenkonto (ohne BU-Schlüssel)             contra account (debtor or suspense)
   9  BU-Schlüssel                               tax key: empty (payments carry no tax)
  10  Belegdatum                                 DDMM; the year is the header's period
  11  Belegfeld 1                                document number: the invoice number, at
                                                 most 36 of A-Z a-z 0-9 _ $ % & * + - /
  14  Buchungstext                               booking text, at most 60 characters
  ==  =========================================  =======================================

A personal account (debtor) has one digit more than the G/L accounts; the builder checks
the digits only, the settings check the lengths.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

ENCODING = "cp1252"
HEADER_VERSION = 700
CATEGORY = 21
FORMAT_NAME = "Buchungsstapel"
FORMAT_VERSION = 13
ORIGIN = "KW"  # two letters naming the program that made the file
BOOKING_TYPE_FINANCIAL = 1
LINE_END = "\r\n"

TEXT_LIMIT = 60
DOCUMENT_LIMIT = 36
DESCRIPTION_LIMIT = 30
USER_LIMIT = 25

# The column headings of format version 13, in their order; the numbers DATEV gives them
# are the position + 1.
COLUMNS = (
    "Umsatz (ohne Soll/Haben-Kz)", "Soll/Haben-Kennzeichen", "WKZ Umsatz", "Kurs", "Basis-Umsatz",
    "WKZ Basis-Umsatz", "Konto", "Gegenkonto (ohne BU-Schlüssel)", "BU-Schlüssel", "Belegdatum",
    "Belegfeld 1", "Belegfeld 2", "Skonto", "Buchungstext", "Postensperre", "Diverse Adressnummer",
    "Geschäftspartnerbank", "Sachverhalt", "Zinssperre", "Beleglink",
    *(f"Beleginfo - {part} {n}" for n in range(1, 9) for part in ("Art", "Inhalt")),
    "KOST1 - Kostenstelle", "KOST2 - Kostenstelle", "Kost-Menge", "EU-Land u. UStID (Bestimmung)",
    "EU-Steuersatz (Bestimmung)", "Abw. Versteuerungsart", "Sachverhalt L+L", "Funktionsergänzung L+L",
    "BU 49 Hauptfunktionstyp", "BU 49 Hauptfunktionsnummer", "BU 49 Funktionsergänzung",
    *(f"Zusatzinformation - {part} {n}" for n in range(1, 21) for part in ("Art", "Inhalt")),
    "Stück", "Gewicht", "Zahlweise", "Forderungsart", "Veranlagungsjahr", "Zugeordnete Fälligkeit",
    "Skontotyp", "Auftragsnummer", "Buchungstyp", "USt-Schlüssel (Anzahlungen)", "EU-Mitgliedstaat (Anzahlungen)",
    "Sachverhalt L+L (Anzahlungen)", "EU-Steuersatz (Anzahlungen)", "Erlöskonto (Anzahlungen)", "Herkunft-Kz",
    "Leerfeld", "KOST-Datum", "SEPA-Mandatsreferenz", "Skontosperre", "Gesellschaftername",
    "Beteiligtennummer", "Identifikationsnummer", "Zeichnernummer", "Postensperre bis",
    "Bezeichnung SoBil-Sachverhalt", "Kennzeichen SoBil-Buchung", "Festschreibung", "Leistungsdatum",
    "Datum Zuord. Steuerperiode", "Fälligkeit", "Generalumkehr (GU)", "Steuersatz", "Land",
    "Abrechnungsreferenz", "BVV-Position", "EU-Mitgliedstaat u. UStID (Ursprung)", "EU-Steuersatz (Ursprung)",
    "Abw. Skontokonto",
)
FILLED = 14  # the columns a booking fills, from the first up to the booking text

_ACCOUNT = re.compile(r"\d{1,9}")
_NOT_IN_DOCUMENT = re.compile(r"[^A-Za-z0-9_$%&*+\-/]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class DatevError(ValueError):
    """A value the format cannot carry (an account that is no number, a period across years)."""


@dataclass(frozen=True)
class Header:
    consultant_number: int
    client_number: int
    fiscal_year_start: date
    account_length: int
    date_from: date
    date_to: date
    description: str
    currency: str = "EUR"
    created_at: datetime | None = None  # now, if not given
    exported_by: str = ""


@dataclass(frozen=True)
class Booking:
    amount: Decimal  # signed: positive is a debit (S) of `account`, negative a credit (H)
    currency: str
    account: str
    contra_account: str
    document_date: date
    document_field_1: str = ""
    text: str = ""


def check_header(header: Header) -> None:
    """Raise DatevError unless the header's values fit the format's ranges."""
    if not 1001 <= header.consultant_number <= 9999999:
        raise DatevError(f"consultant number {header.consultant_number} is not within 1001-9999999")
    if not 1 <= header.client_number <= 99999:
        raise DatevError(f"client number {header.client_number} is not within 1-99999")
    if not 4 <= header.account_length <= 8:
        raise DatevError(f"account length {header.account_length} is not within 4-8")
    if header.date_to < header.date_from:
        raise DatevError("the period ends before it starts")
    if not header.fiscal_year_start <= header.date_from:
        raise DatevError("the period starts before the fiscal year")
    if header.date_to >= fiscal_year_after(header.fiscal_year_start):
        raise DatevError("the period reaches into the next fiscal year; DATEV takes one fiscal year a file")


def fiscal_year_start(day: date, start_month: int) -> date:
    """The first day of the fiscal year that holds `day`, for years that start on the first
    of `start_month`."""
    year = day.year if day.month >= start_month else day.year - 1
    return date(year, start_month, 1)


def fiscal_year_after(start: date) -> date:
    return date(start.year + 1, start.month, start.day)


def text(value: str, limit: int | None = None) -> str:
    """A text field: in double quotes, quotes doubled, no control characters, cut to `limit`."""
    value = _CONTROL.sub(" ", value or "").strip()
    if limit is not None:
        value = value[:limit]
    return '"' + value.replace('"', '""') + '"'


def amount(value: Decimal) -> str:
    """A positive amount with a decimal comma and two places: 1234,56."""
    return f"{abs(value).quantize(Decimal('0.01')):f}".replace(".", ",")


def document_number(value: str) -> str:
    """What of an invoice number fits Belegfeld 1: other characters become "-", 36 at most."""
    return _NOT_IN_DOCUMENT.sub("-", (value or "").strip())[:DOCUMENT_LIMIT]


def account(value: str) -> str:
    value = (value or "").strip()
    if not _ACCOUNT.fullmatch(value):
        raise DatevError(f"account {value!r} is not a number of 1 to 9 digits")
    return value


def header_line(header: Header) -> str:
    check_header(header)
    created = header.created_at or datetime.now()
    fields = [
        text("EXTF"), str(HEADER_VERSION), str(CATEGORY), text(FORMAT_NAME), str(FORMAT_VERSION),
        created.strftime("%Y%m%d%H%M%S") + f"{created.microsecond // 1000:03d}",
        "", text(ORIGIN), text(header.exported_by, USER_LIMIT), text(""),
        str(header.consultant_number), str(header.client_number),
        header.fiscal_year_start.strftime("%Y%m%d"), str(header.account_length),
        header.date_from.strftime("%Y%m%d"), header.date_to.strftime("%Y%m%d"),
        text(header.description, DESCRIPTION_LIMIT), text(""),
        str(BOOKING_TYPE_FINANCIAL), "0", "0", text(header.currency),
        "", text(""), "", "", text(""), "", "", text(""), text(""),
    ]
    return ";".join(fields) + LINE_END


def columns_line() -> str:
    return ";".join(COLUMNS) + LINE_END


def booking_line(booking: Booking, header: Header) -> str:
    if not header.date_from <= booking.document_date <= header.date_to:
        raise DatevError(f"document date {booking.document_date} is outside the period")
    if booking.amount == 0:
        raise DatevError("a booking of 0,00 is not allowed")
    filled = [
        amount(booking.amount), text("S" if booking.amount > 0 else "H"), text(booking.currency), "", "", "",
        account(booking.account), account(booking.contra_account), text(""),
        booking.document_date.strftime("%d%m"), text(document_number(booking.document_field_1)), text(""), "",
        text(booking.text, TEXT_LIMIT),
    ]
    return ";".join(filled + [""] * (len(COLUMNS) - FILLED)) + LINE_END


def lines(header: Header, bookings: Iterable[Booking]) -> Iterator[str]:
    """The file as text lines (CR LF at their end): header, column headings, bookings."""
    yield header_line(header)
    yield columns_line()
    for booking in bookings:
        yield booking_line(booking, header)


def encode(text_lines: Iterable[str], batch: int = 500) -> Iterator[bytes]:
    """The lines in Windows-1252, `batch` lines a piece; a character it lacks becomes "?"."""
    pending: list[str] = []
    for line in text_lines:
        pending.append(line)
        if len(pending) >= batch:
            yield "".join(pending).encode(ENCODING, errors="replace")
            pending = []
    if pending:
        yield "".join(pending).encode(ENCODING, errors="replace")


def file_name(header: Header) -> str:
    return f"EXTF_Buchungsstapel_{header.date_from:%Y%m%d}_{header.date_to:%Y%m%d}.csv"
