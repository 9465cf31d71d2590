from decimal import Decimal

import pytest

from kassenwart.core.models import AuditEvent
from kassenwart.receivables.invoice_csv import InvoiceFileError
from kassenwart.receivables.models import Customer, Invoice
from kassenwart.receivables.services import invoice_import

from shared_data import shared_path

HEADER = "invoice_number,customer_number,customer_name,customer_iban,issue_date,due_date,amount,currency,payment_reference\n"


def csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def test_imports_the_benchmark_file_as_is(company):
    result = invoice_import(company, shared_path("reconbench", "dev", "invoices.csv").read_bytes())
    assert result.created == 2000
    assert Invoice.objects.filter(company=company).count() == 2000
    credit_notes = Invoice.objects.filter(company=company, amount__lt=0)
    assert all(i.status == Invoice.Status.CREDIT_NOTE for i in credit_notes)
    again = invoice_import(company, shared_path("reconbench", "dev", "invoices.csv").read_bytes())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2000)


def test_upsert_by_number_keeps_payments_received(company):
    invoice_import(company, csv("A-1,100,Muster GmbH,,2026-01-01,2026-01-31,100.00,EUR,"))
    Invoice.objects.filter(number="A-1").update(open_amount=Decimal("40.00"), status="partially_paid")
    result = invoice_import(company, csv("A-1,100,Muster GmbH,,2026-01-01,2026-02-28,120.00,EUR,"))
    assert result.updated == 1
    invoice = Invoice.objects.get(number="A-1")
    assert invoice.amount == Decimal("120.00")
    assert invoice.open_amount == Decimal("60.00")  # 60 were paid before
    assert invoice.status == Invoice.Status.PARTIALLY_PAID


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(company):
    data = csv(
        "A-1,100,Muster GmbH,,2026-01-01,2026-01-31,100.00,EUR,",
        "A-2,100,Muster GmbH,DE00123,2026-01-01,2026-01-31,100.00,EUR,",
        "A-3,101,Beispiel AG,,31.13.2026,,12x,EUR,",
        "A-1,100,Muster GmbH,,2026-01-01,2026-01-31,5.00,EUR,",
    )
    with pytest.raises(InvoiceFileError) as caught:
        invoice_import(company, data)
    messages = [str(e) for e in caught.value.errors]
    assert any(m.startswith("line 3, column customer_iban") for m in messages)
    assert any(m.startswith("line 4, column issue_date") for m in messages)
    assert any(m.startswith("line 4, column amount") and '"12x"' in m for m in messages)
    assert any(m.startswith("line 5, column invoice_number") and "line 2" in m for m in messages)
    assert not Invoice.objects.filter(company=company).exists()
    assert not Customer.objects.filter(company=company).exists()


def test_missing_column_is_named(company):
    with pytest.raises(InvoiceFileError, match="column amount: column missing"):
        invoice_import(company, b"invoice_number,customer_number,customer_name\nA,1,B\n")


def test_semicolons_german_amounts_and_dates(company):
    data = (
        "invoice_number;customer_number;customer_name;amount;due_date\n"
        "R 7;9;Müller & Söhne e.K.;1.234,56;31.01.2027\n"
    ).encode("cp1252")
    invoice_import(company, data)
    invoice = Invoice.objects.get(number="R 7")
    assert invoice.amount == Decimal("1234.56")
    assert invoice.customer.name == "Müller & Söhne e.K."
    assert invoice.due_date.isoformat() == "2027-01-31"


def test_import_is_audited(company):
    invoice_import(company, csv("A-1,100,Muster GmbH,,,,100.00,EUR,"), file_name="crm.csv")
    event = AuditEvent.objects.get(action="invoices.imported")
    assert event.after["created"] == 1 and event.after["file"] == "crm.csv"


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-07-21", "2026-07-21"), ("21.07.2026", "2026-07-21"), ("1.7.2026", "2026-07-01"), (" 2026-12-31 ", "2026-12-31"),
])
def test_dates_iso_or_german(text, expected):
    from kassenwart.receivables.invoice_csv import parse_date

    assert parse_date(text).isoformat() == expected


@pytest.mark.parametrize("text", ["2026-02-30", "20260721", "2026/07/21", "07/21/2026", "31.13.2026", "2026-7-21"])
def test_what_is_not_a_date_is_said(text):
    from kassenwart.receivables.invoice_csv import parse_date

    with pytest.raises(ValueError, match="is not a date"):
        parse_date(text)


def test_new_invoices_get_their_customer_status_and_times(company):
    invoice_import(company, csv("A-1,100,Muster GmbH,,2026-01-01,2026-01-31,100.00,EUR,RF18539007547034",
                                "G-1,100,Muster GmbH,,,,-20.00,EUR,"))
    invoice, credit = Invoice.objects.get(number="A-1"), Invoice.objects.get(number="G-1")
    assert (invoice.customer.number, invoice.open_amount, invoice.status) == ("100", Decimal("100.00"), "open")
    assert invoice.payment_reference == "RF18539007547034" and invoice.created_at and invoice.updated_at
    assert credit.status == Invoice.Status.CREDIT_NOTE and credit.customer_id == invoice.customer_id


@pytest.mark.parametrize(("amount", "problem"), [("12345678901234567890", "too large"),
                                                 ("99.999.999.999.999,00", "too large")])
def test_an_amount_the_books_cannot_hold_is_refused_by_line(company, amount, problem):
    with pytest.raises(InvoiceFileError) as caught:
        invoice_import(company, csv(f'A-1,100,Muster GmbH,,,,"{amount}",EUR,'))
    [error] = caught.value.errors
    assert str(error).startswith("line 2, column amount") and problem in str(error)
    assert not Invoice.objects.filter(company=company).exists()


def test_reimporting_loads_no_customer_per_invoice(company, django_assert_max_num_queries):
    rows = [f"A-{n},{100 + n % 5},Kunde {n % 5},,2026-01-01,2026-01-31,{n}.00,EUR," for n in range(1, 201)]
    invoice_import(company, csv(*rows))
    changed = [row.replace("2026-01-31", "2026-02-28") for row in rows]
    with django_assert_max_num_queries(20):
        assert invoice_import(company, csv(*changed)).updated == 200


def test_an_optional_customer_email_column_gives_pre_notifications_an_address(company):
    with_email = (HEADER.strip() + ",customer_email\n"
                  "A-1,100,Muster GmbH,,2026-01-01,2026-01-31,100.00,EUR,,buchhaltung@muster.example\n"
                  "A-2,101,Beispiel AG,,2026-01-01,2026-01-31,50.00,EUR,,\n").encode()
    invoice_import(company, with_email)
    assert dict(Customer.objects.filter(company=company).values_list("number", "email")) == {
        "100": "buchhaltung@muster.example", "101": ""}
    # an export without the column keeps the address
    invoice_import(company, csv("A-3,100,Muster GmbH,,2026-02-01,2026-02-28,100.00,EUR,"))
    assert Customer.objects.get(company=company, number="100").email == "buchhaltung@muster.example"
    with pytest.raises(InvoiceFileError, match="line 2, column customer_email"):
        invoice_import(company, (HEADER.strip() + ",customer_email\n"
                                 "A-4,100,Muster GmbH,,,,1.00,EUR,,kein-at-zeichen\n").encode())
