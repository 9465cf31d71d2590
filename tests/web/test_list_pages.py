"""The lists: sums of the filtered rows, amount range, matched and overdue filters, a safe
choice of order, and the CSV export of the same rows in the reader's format."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kassenwart.payments.models import PaymentOrder, Transfer
from kassenwart.receivables.models import Invoice
from kassenwart.reconciliation.services import match_create

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def csv_rows(response, delimiter):
    """The streamed download read back as a spreadsheet would: (BOM seen, rows)."""
    assert response.streaming, "the export must stream"
    text = b"".join(response.streaming_content).decode("utf-8")
    has_bom = text.startswith("\ufeff")
    return has_bom, list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter))


@pytest.fixture
def book(company, db_rows):
    euro = db_rows.account(company, name="Giro")
    dollar = db_rows.account(company, name="Dollar", currency="USD")
    rows = {
        "big": db_rows.transaction(euro, "1234.56", counterparty_name="Kunde Eins GmbH", booking_date=date(2026, 7, 1),
                                   remittance="RE-1 Danke"),
        "rent": db_rows.transaction(euro, "-800.00", counterparty_name="Vermieter", booking_date=date(2026, 7, 3),
                                    remittance="=HYPERLINK(\"x\")"),
        "small": db_rows.transaction(euro, "15.00", counterparty_name="Kunde Zwei", booking_date=date(2026, 7, 2)),
        "same": db_rows.transaction(euro, "15.00", counterparty_name="Kunde Drei", booking_date=date(2026, 7, 2)),
        "usd": db_rows.transaction(dollar, "99.99", counterparty_name="US Customer", booking_date=date(2026, 7, 4)),
    }
    return rows


def names(response):
    return [tx.counterparty_name for tx in response.context["page"].object_list]


def test_sums_per_currency_of_the_filtered_rows(book, admin, client_for):
    client = client_for(admin)
    sums = {s.currency: (s.count, s.total) for s in client.get(reverse("transaction_list")).context["sums"]}
    assert sums == {"EUR": (4, Decimal("464.56")), "USD": (1, Decimal("99.99"))}
    response = client.get(reverse("transaction_list"), {"direction": "credit", "account": book["big"].account_id})
    assert [(s.currency, s.count, s.total) for s in response.context["sums"]] == [("EUR", 3, Decimal("1264.56"))]
    assert response.context["page"].paginator.count == 3
    text = response.content.decode()
    assert "Summe (EUR)" in text and "1.264,56\u00a0EUR" in text


def test_amount_range_in_german_and_english_writing(book, admin, client_for):
    client = client_for(admin)
    response = client.get(reverse("transaction_list"), {"amount_from": "15", "amount_to": "1.234,56"})
    assert sorted(names(response)) == ["Kunde Drei", "Kunde Eins GmbH", "Kunde Zwei", "US Customer"]
    response = client.get(reverse("transaction_list"), {"amount_to": "-0.01"})
    assert names(response) == ["Vermieter"]
    response = client.get(reverse("transaction_list"), {"amount_from": "zwölf"}, **EN)
    assert "Enter an amount" in response.content.decode()
    assert len(names(response)) == 5  # the bad field is left out, the list still shows


def test_sorting_is_a_whitelist_and_stable_with_the_id(book, admin, client_for):
    client = client_for(admin)
    by_amount = names(client.get(reverse("transaction_list"), {"sort": "amount"}))
    assert by_amount == ["Vermieter", "Kunde Zwei", "Kunde Drei", "US Customer", "Kunde Eins GmbH"]
    largest = names(client.get(reverse("transaction_list"), {"sort": "-amount"}))
    assert largest == ["Kunde Eins GmbH", "US Customer", "Kunde Drei", "Kunde Zwei", "Vermieter"]
    oldest = names(client.get(reverse("transaction_list"), {"sort": "date"}))
    assert oldest == ["Kunde Eins GmbH", "Kunde Zwei", "Kunde Drei", "Vermieter", "US Customer"]
    newest = names(client.get(reverse("transaction_list")))
    assert newest == list(reversed(oldest))
    # anything else is the default order, never a column name handed to the database
    assert names(client.get(reverse("transaction_list"), {"sort": "remittance"})) == newest
    assert names(client.get(reverse("transaction_list"), {"sort": "-company__name"})) == newest


def test_matched_and_unmatched(company, book, db_rows, admin, client_for):
    invoice = db_rows.invoice(company, "RE-1", "1234.56")
    match_create(company, book["big"], [(invoice, Decimal("1234.56"), Decimal("0.00"))], user=None)
    client = client_for(admin)
    assert names(client.get(reverse("transaction_list"), {"matched": "matched"})) == ["Kunde Eins GmbH"]
    assert "Kunde Eins GmbH" not in names(client.get(reverse("transaction_list"), {"matched": "unmatched"}))
    assert len(names(client.get(reverse("transaction_list"), {"matched": "unmatched"}))) == 4


def test_list_queries_stay_few(book, admin, client_for, django_assert_max_num_queries):
    client = client_for(admin)
    client.get(reverse("transaction_list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("transaction_list"), {"amount_from": "10", "sort": "-amount"})


def test_csv_for_german_readers(book, admin, client_for):
    response = client_for(admin).get(reverse("transaction_export"), {"sort": "amount", "account": book["big"].account_id})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="transactions-')
    bom, rows = csv_rows(response, ";")
    assert bom
    assert rows[0][:3] == ["Buchungstag", "Wertstellung", "Konto"]
    assert [row[3] for row in rows[1:]] == ["Vermieter", "Kunde Zwei", "Kunde Drei", "Kunde Eins GmbH"]
    big = rows[-1]
    assert big[0] == "01.07.2026" and big[7] == "1234,56" and big[8] == "EUR"
    assert rows[1][7] == "-800,00"
    assert rows[1][5] == "'=HYPERLINK(\"x\")"  # a spreadsheet does not run it


def test_csv_for_english_readers(book, admin, client_for):
    response = client_for(admin).get(reverse("transaction_export"), {"q": "Kunde Eins"}, **EN)
    bom, rows = csv_rows(response, ",")
    assert not bom
    assert rows == [
        ["Booking date", "Value date", "Account", "Name", "IBAN", "Remittance information", "End-to-end id",
         "Amount", "Currency"],
        ["2026-07-01", "2026-07-21", "Giro", "Kunde Eins GmbH", "", "RE-1 Danke", "", "1234.56", "EUR"],
    ]


def test_the_page_links_the_export_with_its_filters(book, admin, client_for):
    text = client_for(admin).get(reverse("transaction_list"), {"q": "Kunde", "sort": "amount"}).content.decode()
    assert f'href="{reverse("transaction_export")}?q=Kunde&amp;sort=amount"' in text


def test_csv_stays_in_the_company(book, other_company, db_rows, admin, client_for):
    db_rows.transaction(db_rows.account(other_company), "5.00", counterparty_name="Fremd")
    _bom, rows = csv_rows(client_for(admin).get(reverse("transaction_export"), **EN), ",")
    assert len(rows) == 6 and "Fremd" not in {row[3] for row in rows}


# -- invoices ---------------------------------------------------------------------------------


@pytest.fixture
def invoices(company, db_rows):
    today = timezone.localdate()
    return {
        "late": db_rows.invoice(company, "RE-LATE", "100.00", due_date=today - timedelta(days=1)),
        "part": db_rows.invoice(company, "RE-PART", "300.00", "50.00", due_date=today - timedelta(days=40)),
        "paid": db_rows.invoice(company, "RE-PAID", "200.00", "0.00", due_date=today - timedelta(days=30),
                                status=Invoice.Status.PAID),
        "today": db_rows.invoice(company, "RE-TODAY", "50.00", due_date=today),
        "later": db_rows.invoice(company, "RE-LATER", "75.00", due_date=today + timedelta(days=10)),
    }


def numbers(response):
    return [invoice.number for invoice in response.context["page"].object_list]


def test_overdue_flag_and_filter(invoices, admin, client_for):
    client = client_for(admin)
    response = client.get(reverse("invoice_list"), {"status": "overdue", "sort": "due"}, **EN)
    assert numbers(response) == ["RE-PART", "RE-LATE"]  # paid ones and those due today are not overdue
    listing = client.get(reverse("invoice_list"), **EN)
    flagged = {invoice.number for invoice in listing.context["page"].object_list if invoice.overdue}
    assert flagged == {"RE-LATE", "RE-PART"}
    assert listing.content.decode().count('class="badge bad overdue"') == 2
    detail = client.get(reverse("invoice_detail", args=[invoices["late"].pk])).content.decode()
    assert "überfällig" in detail


def test_invoice_sums_sorting_and_amount_range(invoices, admin, client_for):
    client = client_for(admin)
    response = client.get(reverse("invoice_list"), {"amount_from": "60", "sort": "-amount"})
    assert numbers(response) == ["RE-PART", "RE-PAID", "RE-LATE", "RE-LATER"]
    [total] = response.context["sums"]
    assert (total.count, total.total, total.open_total) == (4, Decimal("675.00"), Decimal("225.00"))
    assert numbers(client.get(reverse("invoice_list"), {"sort": "-due"}))[0] == "RE-LATER"


def test_invoice_csv(invoices, admin, client_for):
    bom, rows = csv_rows(client_for(admin).get(reverse("invoice_export"), {"status": "overdue", "sort": "due"}), ";")
    assert bom and rows[0][0] == "Rechnung"
    assert [row[0] for row in rows[1:]] == ["RE-PART", "RE-LATE"]
    assert rows[1][5:8] == ["300,00", "50,00", "EUR"] and rows[1][9] == "teilweise bezahlt"


INVOICES_CSV = (
    "invoice_number;customer_number;customer_name;amount;due_date\n"
    "RE-100;K-1;Kunde Eins GmbH;1.190,00;31.12.2026\n"
    "RE-101;K-2;Kunde Zwei;12,3x;2026-12-31\n"
    "RE-102;K-2;Kunde Zwei;50,00;31.02.2026\n"
)


def test_invoice_upload_with_bad_rows_shows_each_and_imports_nothing(company, member, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(member)
    upload = SimpleUploadedFile("crm.csv", INVOICES_CSV.encode(), content_type="text/csv")
    response = client.post(reverse("invoice_upload"), {"file": upload})
    assert response.status_code == 400
    assert [(error.line, error.column) for error, _text in response.context["problems"]] == [
        (3, "amount"), (4, "due_date")]
    text = response.content.decode()
    assert "crm.csv: 2 Probleme, nichts wurde importiert" in text
    assert "12,3x ist kein Betrag" in text and "Zeile 3" in text
    assert not Invoice.objects.filter(company=company).exists()

    good = INVOICES_CSV.splitlines()[:2]
    upload = SimpleUploadedFile("crm.csv", "\n".join(good).encode(), content_type="text/csv")
    response = client.post(reverse("invoice_upload"), {"file": upload}, **EN)
    assert response.status_code == 302 and response["Location"] == reverse("invoice_list")
    invoice = Invoice.objects.get(company=company)
    assert (invoice.number, invoice.amount, invoice.due_date) == ("RE-100", Decimal("1190.00"), date(2026, 12, 31))


def test_invoice_list_offers_the_upload(company, member, client_for):
    text = client_for(member).get(reverse("invoice_list"), **EN).content.decode()
    assert f'href="{reverse("invoice_upload")}"' in text and "Import invoices" in text


# -- open payments, matched, transfers --------------------------------------------------------


def test_open_and_matched_lists_sum_filter_and_export(company, book, db_rows, admin, client_for):
    from kassenwart.reconciliation.models import TransactionState

    for key in ("big", "small", "same"):
        TransactionState.objects.create(company=company, transaction=book[key], suggestions=[])
    invoice = db_rows.invoice(company, "RE-1", "15.00")
    match_create(company, book["small"], [(invoice, Decimal("15.00"), Decimal("0.00"))], user=None)
    client = client_for(admin)

    waiting = client.get(reverse("reconciliation_open"), {"sort": "-amount"})
    assert [row.tx.counterparty_name for row in waiting.context["payments"]] == ["Kunde Eins GmbH", "Kunde Drei"]
    assert [(s.count, s.total) for s in waiting.context["sums"]] == [(2, Decimal("1249.56"))]
    small = client.get(reverse("reconciliation_open"), {"amount_to": "100"})
    assert [row.tx.counterparty_name for row in small.context["payments"]] == ["Kunde Drei"]
    _bom, rows = csv_rows(client.get(reverse("reconciliation_open_export"), {"sort": "-amount"}, **EN), ",")
    assert [row[2] for row in rows[1:]] == ["Kunde Eins GmbH", "Kunde Drei"]

    matched = client.get(reverse("reconciliation_matched"))
    assert [(s.count, s.total) for s in matched.context["sums"]] == [(1, Decimal("15.00"))]
    assert client.get(reverse("reconciliation_matched"), {"amount_from": "16"}).context["page"].paginator.count == 0
    bom, rows = csv_rows(client.get(reverse("reconciliation_matched_export")), ";")
    assert bom and rows[1][1] == "Kunde Zwei" and rows[1][5:8] == ["RE-1", "Musterkunde GmbH", "15,00"]


def test_transfers_list_sum_sort_and_export(company, db_rows, admin, member, client_for):
    account = db_rows.account(company)
    for amount, payee in (("10.00", "Lieferant A"), ("250.00", "Lieferant B"), ("99.50", "Lieferant C")):
        order = PaymentOrder.objects.create(company=company, account=account, created_by=member,
                                            requested_date=date(2026, 12, 1))
        Transfer.objects.create(order=order, drafted_by=member, payee_name=payee, iban="DE02120300000000202051",
                                amount=Decimal(amount))
    client = client_for(admin)
    response = client.get(reverse("payment_list"), {"sort": "-amount", "amount_from": "50"})
    assert [order.payee for order in response.context["page"].object_list] == ["Lieferant B", "Lieferant C"]
    assert [(s.count, s.total) for s in response.context["sums"]] == [(2, Decimal("349.50"))]
    _bom, rows = csv_rows(client.get(reverse("payment_export"), {"sort": "amount"}, **EN), ",")
    assert [(row[2], row[7]) for row in rows[1:]] == [
        ("Lieferant A", "10.00"), ("Lieferant C", "99.50"), ("Lieferant B", "250.00")]
