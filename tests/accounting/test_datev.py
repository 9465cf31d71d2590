"""The DATEV booking batch builder (accounting/datev.py), read back field by field with csv."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from kassenwart.accounting import datev

HEADER = datev.Header(
    consultant_number=29098, client_number=55003, fiscal_year_start=date(2026, 1, 1), account_length=4,
    date_from=date(2026, 7, 1), date_to=date(2026, 7, 31), description="Kassenwart 01.07.2026-31.07.2026",
    created_at=datetime(2026, 8, 3, 14, 4, 40, 439000), exported_by="anna",
)


def parsed(bookings, header=HEADER) -> list[list[str]]:
    data = b"".join(datev.encode(datev.lines(header, bookings)))
    text = data.decode("cp1252")
    assert text.count("\r\n") == text.count("\n")  # CR LF after every line, nothing else
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def raw_lines(bookings, header=HEADER) -> list[str]:
    return b"".join(datev.encode(datev.lines(header, bookings))).decode("cp1252").split("\r\n")


def test_the_header_line_field_by_field():
    header = parsed([])[0]
    assert len(header) == 31
    assert header[:6] == ["EXTF", "700", "21", "Buchungsstapel", "13", "20260803140440439"]
    assert header[6:10] == ["", "KW", "anna", ""]  # imported, origin, exported by, imported by
    assert header[10:16] == ["29098", "55003", "20260101", "4", "20260701", "20260731"]
    assert header[16] == "Kassenwart 01.07.2026-31.07.20"  # the description is cut to 30 characters
    assert header[18:22] == ["1", "0", "0", "EUR"]  # booking type, purpose, not fixed, currency
    # text fields in quotes (also empty ones), numbers and dates without
    assert raw_lines([])[0].startswith('"EXTF";700;21;"Buchungsstapel";13;20260803140440439;;"KW";"anna";"";29098;')


def test_the_column_line_names_the_fields_of_format_version_13():
    columns = parsed([])[1]
    assert len(columns) == 125
    assert columns[:14] == [
        "Umsatz (ohne Soll/Haben-Kz)", "Soll/Haben-Kennzeichen", "WKZ Umsatz", "Kurs", "Basis-Umsatz",
        "WKZ Basis-Umsatz", "Konto", "Gegenkonto (ohne BU-Schlüssel)", "BU-Schlüssel", "Belegdatum",
        "Belegfeld 1", "Belegfeld 2", "Skonto", "Buchungstext"]
    assert columns[113] == "Festschreibung" and columns[-1] == "Abw. Skontokonto"


def test_a_booking_field_by_field_with_german_amounts():
    rows = parsed([
        datev.Booking(Decimal("1234.5"), "EUR", "1200", "10004", date(2026, 7, 20), "RE-2026-0005",
                      "RE-2026-0005 Kunde Eins GmbH"),
        datev.Booking(Decimal("-45.00"), "EUR", "1200", "1590", date(2026, 7, 3), "", "Versicherung AG"),
    ])
    first, second = rows[2], rows[3]
    assert len(first) == 125 and not any(first[14:])
    assert first[:14] == ["1234,50", "S", "EUR", "", "", "", "1200", "10004", "", "2007", "RE-2026-0005", "", "",
                          "RE-2026-0005 Kunde Eins GmbH"]
    assert second[:3] == ["45,00", "H", "EUR"] and second[9] == "0307" and second[10] == ""
    line = raw_lines([datev.Booking(Decimal("1000000.00"), "EUR", "1200", "10004", date(2026, 7, 1))])[2]
    assert line.startswith('1000000,00;"S";"EUR";;;;1200;10004;"";0107;"";"";;"";')  # no thousands separator


def test_text_fields_are_quoted_cut_and_in_windows_1252():
    booking = datev.Booking(Decimal("1.00"), "EUR", "1200", "10000", date(2026, 7, 1), "RE 2026/0042 (neu)",
                            'Zahlung "Müller & Söhne"\nZeile zwei ' + "x" * 80 + " ☃")
    data = b"".join(datev.encode(datev.lines(HEADER, [booking])))
    assert "Müller".encode("cp1252") in data and b'""M' in data  # umlauts as cp1252, quotes doubled
    row = parsed([booking])[2]
    assert row[10] == "RE-2026/0042--neu-"  # only A-Z a-z 0-9 _ $ % & * + - / in Belegfeld 1
    assert row[13].startswith('Zahlung "Müller & Söhne" Zeile zwei') and len(row[13]) == 60
    assert len(datev.document_number("R" * 50)) == 36


def test_a_character_windows_1252_lacks_becomes_a_question_mark():
    booking = datev.Booking(Decimal("1.00"), "EUR", "1200", "10000", date(2026, 7, 1), "", "Schneemann ☃")
    assert parsed([booking])[2][13] == "Schneemann ?"


@pytest.mark.parametrize("change, says", [
    ({"consultant_number": 1000}, "consultant number"),
    ({"client_number": 100000}, "client number"),
    ({"account_length": 9}, "account length"),
    ({"date_to": date(2027, 1, 1)}, "next fiscal year"),
    ({"date_from": date(2025, 12, 31)}, "before the fiscal year"),
    ({"date_to": date(2026, 6, 30)}, "ends before it starts"),
])
def test_a_header_out_of_range_is_refused(change, says):
    values = {**HEADER.__dict__, **change}
    with pytest.raises(datev.DatevError, match=says):
        datev.header_line(datev.Header(**values))


def test_bookings_outside_the_period_or_of_nothing_or_to_no_account_are_refused():
    with pytest.raises(datev.DatevError, match="outside the period"):
        parsed([datev.Booking(Decimal("1.00"), "EUR", "1200", "10000", date(2026, 8, 1))])
    with pytest.raises(datev.DatevError, match="0,00"):
        parsed([datev.Booking(Decimal("0.00"), "EUR", "1200", "10000", date(2026, 7, 1))])
    with pytest.raises(datev.DatevError, match="not a number"):
        parsed([datev.Booking(Decimal("1.00"), "EUR", "12A0", "10000", date(2026, 7, 1))])


def test_fiscal_years_that_do_not_start_in_january():
    assert datev.fiscal_year_start(date(2026, 3, 15), 7) == date(2025, 7, 1)
    assert datev.fiscal_year_start(date(2026, 7, 1), 7) == date(2026, 7, 1)
    assert datev.fiscal_year_after(date(2025, 7, 1)) == date(2026, 7, 1)
    assert datev.file_name(HEADER) == "EXTF_Buchungsstapel_20260701_20260731.csv"
