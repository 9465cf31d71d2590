"""The exports page: a month of bank transactions and matched payments as CSV and as a DATEV
booking batch, read back field by field; the export settings (admins)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from kassenwart.accounting.models import ExportSettings, LedgerAccount
from kassenwart.accounting.services import export_settings_update
from kassenwart.core.models import AuditEvent
from kassenwart.reconciliation.services import match_create

JULY = {"date_from": "2026-07-01", "date_to": "2026-07-31"}


def configure(company, account, *, suspense="1590", **changes):
    values = {"consultant_number": 29098, "client_number": 55003, "fiscal_year_start_month": 1, "account_length": 4,
              "debtor_account": "10000", "customer_number_is_debtor": True, "suspense_account": suspense,
              "ledger_accounts": {account.pk: "1200"}, **changes}
    export_settings_update(company, **values, user=None, via="test")


@pytest.fixture
def month(books, company, db_rows):
    """The reconciliation book of July 2026, the collective payment split over its two invoices,
    a bank fee, and one booking each just before and after the month."""
    match_create(company, books.collective, [(books.invoice("RE-2026-0003"), Decimal("98.00"), Decimal("2.00")),
                                             (books.invoice("RE-2026-0004"), Decimal("245.00"), Decimal("5.00"))],
                 user=None)
    db_rows.transaction(books.account, "-19.99", counterparty_name="Bank", remittance="Kontoführung",
                        booking_date=date(2026, 7, 31))
    db_rows.transaction(books.account, "77.00", counterparty_name="Juni Zahler", booking_date=date(2026, 6, 30))
    db_rows.transaction(books.account, "88.00", counterparty_name="August Zahler", booking_date=date(2026, 8, 1))
    return books


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def download(client, **query):
    response = client.get(reverse("export_download"), query)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response, b"".join(response.streaming_content)


def datev_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("cp1252"), newline=""), delimiter=";"))


def test_a_datev_batch_of_a_month_field_by_field(month, company, member, client_for):
    configure(company, month.account)
    response, data = download(client_for(member), **JULY, format="datev")
    assert response["Content-Type"] == "text/csv; charset=cp1252"
    assert 'filename="EXTF_Buchungsstapel_20260701_20260731.csv"' in response["Content-Disposition"]
    header, columns, *rows = datev_rows(data)
    assert header[:5] == ["EXTF", "700", "21", "Buchungsstapel", "13"]
    assert header[8] == member.get_username()
    assert header[10:16] == ["29098", "55003", "20260101", "4", "20260701", "20260731"]
    assert header[21] == "EUR"
    assert columns[10] == "Belegfeld 1"
    booked = [(row[0], row[1], row[6], row[7], row[9], row[10]) for row in rows]
    assert booked == [
        ("1234,56", "S", "1200", "10004", "2007", "RE-2026-0005"),  # matched automatically
        ("250,00", "S", "1200", "1590", "2107", ""),  # waits for a person: suspense
        ("98,00", "S", "1200", "10003", "2207", "RE-2026-0003"),  # one payment, two invoices
        ("245,00", "S", "1200", "10003", "2207", "RE-2026-0004"),
        ("45,00", "S", "1200", "1590", "2307", ""),
        ("19,99", "H", "1200", "1590", "3107", ""),  # money out
    ]
    assert rows[0][13] == "RE-2026-0005 Kunde Eins GmbH"
    assert all(len(row) == 125 and row[2] == "EUR" and row[8] == "" for row in rows)
    assert data.count(b"\r\n") == len(rows) + 2


def test_without_a_suspense_account_only_matched_payments_are_in_the_batch(month, company, member, client_for):
    configure(company, month.account, suspense="")
    client = in_english(client_for(member))
    _response, data = download(client, **JULY, format="datev")
    assert [row[10] for row in datev_rows(data)[2:]] == ["RE-2026-0005", "RE-2026-0003", "RE-2026-0004"]
    page = client.get(reverse("export_page")).content.decode()
    assert "No suspense account is set" in page


def test_a_debtor_without_a_personal_account_number_is_booked_on_the_default(month, company, member, client_for):
    configure(company, month.account, customer_number_is_debtor=False, debtor_account="19999")
    _response, data = download(client_for(member), **JULY, format="datev")
    matched = [row for row in datev_rows(data)[2:] if row[10]]
    assert {row[7] for row in matched} == {"19999"}


def test_the_csv_file_in_german_for_excel(month, company, member, client_for):
    client = client_for(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    response, data = download(client, **JULY, format="csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="bookings-20260701-20260731.csv"' in response["Content-Disposition"]
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Buchungstag", "Wertstellung"]
    by_invoice = {row[10]: row for row in rows[1:]}
    assert by_invoice["RE-2026-0005"][0] == "20.07.2026" and by_invoice["RE-2026-0005"][7] == "1234,56"
    assert by_invoice["RE-2026-0003"][13] == "98,00" and by_invoice["RE-2026-0004"][13] == "245,00"
    assert by_invoice["RE-2026-0004"][7] == "343,00"  # the payment, once per invoice it paid
    assert len(rows) == 1 + 6  # five transactions of July, one of them on two lines
    assert not any("Juni Zahler" in row or "August Zahler" in row for row in rows)


def test_the_csv_file_for_an_english_reader_is_plain(month, company, english):
    _response, data = download(english, **JULY, format="csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0][0] == "Booking date"
    assert ["2026-07-20", "1234.56", "matched", "RE-2026-0005"] == [rows[1][0], rows[1][7], rows[1][9], rows[1][10]]


def test_the_period_and_the_account_filter(month, company, db_rows, member, client_for):
    other = db_rows.account(company, name="Tagesgeld")
    db_rows.transaction(other, "500.00", counterparty_name="Umbuchung", booking_date=date(2026, 7, 10))
    configure(company, month.account, ledger_accounts={month.account.pk: "1200", other.pk: "1210"})
    client = client_for(member)
    _response, data = download(client, date_from="2026-07-21", date_to="2026-07-22", format="datev")
    rows = datev_rows(data)[2:]
    assert [row[9] for row in rows] == ["2107", "2207", "2207"]
    _response, data = download(client, **JULY, format="datev", account=other.pk)
    assert [(row[0], row[6], row[7]) for row in datev_rows(data)[2:]] == [("500,00", "1210", "1590")]
    _response, data = download(client, date_from="2026-06-01", date_to="2026-06-30", format="csv")
    assert b"Juni Zahler" in data and b"Kunde Eins" not in data


def test_a_datev_batch_needs_the_settings_and_one_fiscal_year(month, company, member, client_for):
    client = in_english(client_for(member))
    response = client.get(reverse("export_download"), {**JULY, "format": "datev"})
    assert response.status_code == 400
    text = response.content.decode()
    for missing in ("consultant number", "client number", "has no G/L account number", "debtor account"):
        assert missing in text
    assert "An administrator enters them" in client.get(reverse("export_page")).content.decode()
    configure(company, month.account, fiscal_year_start_month=7)
    response = client.get(reverse("export_download"), {"date_from": "2026-06-01", "date_to": "2026-07-31",
                                                       "format": "datev"})
    assert response.status_code == 400
    assert "from 01.07.2025 to the day before 01.07.2026" in response.content.decode()
    response = client.get(reverse("export_download"), {"date_from": "2026-07-31", "date_to": "2026-07-01",
                                                       "format": "csv"})
    assert response.status_code == 400 and "ends before it starts" in response.content.decode()


def test_admins_set_the_numbers_in_the_export_settings(month, company, admin, member, client_for):
    assert client_for(member).get(reverse("export_settings")).status_code == 403
    client = in_english(client_for(admin))
    page = client.get(reverse("export_settings")).content.decode()
    assert "G/L account of Giro" in page and 'value="1590"' in page
    form = {"consultant_number": "29098", "client_number": "55003", "fiscal_year_start_month": "7",
            "account_length": "4", "debtor_account": "10000", "suspense_account": "1590",
            f"ledger_{month.account.pk}": "1200"}
    response = client.post(reverse("export_settings"), form)
    assert response.status_code == 302
    saved = ExportSettings.objects.get(company=company)
    assert (saved.consultant_number, saved.fiscal_year_start_month, saved.customer_number_is_debtor) == (29098, 7, False)
    assert LedgerAccount.objects.get(account=month.account).number == "1200"
    event = AuditEvent.objects.filter(company=company, action="export_settings.updated").get()
    assert event.after["ledger_accounts"] == {str(month.account.pk): "1200"}
    bad = {**form, "consultant_number": "12", "debtor_account": "1000", f"ledger_{month.account.pk}": "12000"}
    response = client.post(reverse("export_settings"), bad)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter a number from 1001 to 9999999." in text
    assert "1000 is not a personal account: it has 5 digits." in text
    assert "12000 is not a G/L account: digits only, at most 4 of them." in text
    assert LedgerAccount.objects.get(account=month.account).number == "1200"  # nothing of it saved


def test_the_pages_speak_german(month, company, admin, client_for):
    client = client_for(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    text = client.get(reverse("export_page")).content.decode()
    assert "Exporte für die Buchhaltung" in text and "DATEV-Buchungsstapel (EXTF)" in text
    assert "Die Beraternummer fehlt." in text and "Das Konto Giro hat keine Sachkontonummer." in text
    text = client.get(reverse("export_settings")).content.decode()
    assert "Sachkonto von Giro" in text and "Juli" in text and "Verrechnungskonto" in text


def test_an_undone_match_is_not_in_the_export(month, company, member, client_for):
    from kassenwart.reconciliation.models import Match
    from kassenwart.reconciliation.services import match_undo

    configure(company, month.account)
    match_undo(company, Match.objects.get(transaction=month.auto, undone_at__isnull=True), user=None)
    client = in_english(client_for(member))
    _response, data = download(client, **JULY, format="datev")
    first = datev_rows(data)[2]
    assert (first[0], first[7], first[10]) == ("1234,56", "1590", "")  # to the suspense account now
    _response, data = download(client, **JULY, format="csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert (rows[1][7], rows[1][9], rows[1][10]) == ("1234.56", "open", "")
