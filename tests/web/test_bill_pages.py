"""The bill pages: several files uploaded at once, each with its outcome; the list of what is
to pay with due and Skonto deadlines; a bill's page with the readable XRechnung and its flags;
the draft button leading into the transfer's four-eyes flow. English and German."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kassenwart.banking.models import BankAccount
from kassenwart.payables.models import Bill
from kassenwart.payments.models import PaymentOrder

from einvoices import Spec, cii, girocode_picture, ubl

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DE = {"HTTP_ACCEPT_LANGUAGE": "de"}


def _upload(client, *files):
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    return client.post(reverse("bill_upload"), {"files": uploads}, follow=True, **EN)


def test_upload_several_bills_then_draft_one(company, make_user, client_for):
    member = make_user(company, "member", "mia")
    account = BankAccount.objects.create(company=company, name="Geschäftskonto", iban="DE89370400440532013000",
                                         bic="COBADEFFXXX", currency="EUR", owner=company.name)
    client = client_for(member)
    today = timezone.localdate()
    page = _upload(client, ("re.xml", ubl(Spec(issue=today, due=today + timedelta(days=30)))),
                   ("again.xml", cii(Spec(issue=today, due=today + timedelta(days=30)))),
                   ("bad.xml", ubl(Spec(number="X", overrides={"payable": "1.00"}))),
                   ("code.png", girocode_picture()))
    text = page.content.decode()
    assert "re.xml: imported as bill of Bürobedarf Müller GmbH" in text
    assert "again.xml: duplicate" in text
    assert "bad.xml: refused" in text and "BR-CO-16" in text and "cbc:PayableAmount" in text
    assert "code.png: imported as bill of Stadtwerke Beispiel" in text
    assert Bill.objects.filter(company=company).count() == 2
    assert "Skonto ends soon" not in text and "RE-2026-0042" in text  # Skonto in 14 days: not yet "soon"

    bill = Bill.objects.get(company=company, invoice_number="RE-2026-0042")
    detail = client.get(reverse("bill_detail", args=[bill.pk]), **EN).content.decode()
    for shown in ("Beispiel AG", "Papier A4", "Toner", "DE123456789", "62.70", "392.70", "384.85", "with Skonto",
                  "Draft transfer"):
        assert shown in detail, shown
    assert client.get(reverse("bill_file", args=[bill.pk])).content == ubl(Spec(issue=today,
                                                                              due=today + timedelta(days=30)))

    answer = client.post(reverse("bill_draft", args=[bill.pk]), {"account": account.pk}, **EN)
    order = PaymentOrder.objects.get(company=company)
    assert answer.status_code == 302 and answer["Location"] == reverse("payment_detail", args=[order.pk])
    assert order.transfers.get().amount == Decimal("384.85")
    again = client.get(reverse("bill_detail", args=[bill.pk]), **EN).content.decode()
    assert "Draft transfer" not in again and reverse("payment_detail", args=[order.pk]) in again


def test_the_approver_sees_a_changed_iban_in_german(company, make_user, client_for):
    approver = make_user(company, "approver", "alex")
    account = BankAccount.objects.create(company=company, name="Konto", iban="DE89370400440532013000",
                                         currency="EUR", owner=company.name)
    earlier = PaymentOrder.objects.create(company=company, account=account, requested_date=timezone.localdate(),
                                          created_by=approver, state="booked")
    earlier.transfers.create(drafted_by=approver, payee_name="Bürobedarf Müller GmbH",
                             iban="DE75512108001245126199", amount=Decimal("10.00"))
    client = client_for(approver)
    _upload(client, ("re.xml", ubl()))
    bill = Bill.objects.get(company=company)
    listing = client.get(reverse("bill_list"), **DE).content.decode()
    assert "IBAN geändert" in listing
    detail = client.get(reverse("bill_detail", args=[bill.pk]), **DE).content.decode()
    assert "weicht von der IBAN ab" in detail and "DE75512108001245126199" in detail
    assert "Überweisung entwerfen" in detail


def test_the_home_page_lists_bills_to_pay_and_skonto_ending(company, make_user, client_for):
    member = make_user(company, "member", "mia")
    client = client_for(member)
    today = timezone.localdate()
    _upload(client, ("a.xml", ubl(Spec(issue=today - timedelta(days=10), due=today + timedelta(days=20)))),
            ("b.xml", ubl(Spec(number="RE-2", issue=today, terms="", due=today + timedelta(days=20)))))
    home = client.get(reverse("home"), **EN).content.decode()
    assert "2 bills to pay" in home and "Skonto ends within a week for 1" in home
    assert "2 Rechnungen zu zahlen" in client.get(reverse("home"), **DE).content.decode()


def test_the_list_filters_by_status_supplier_kind_and_due_day_and_pages_in_german(company, make_user, client_for):
    from kassenwart.flows.bills import bill_draft_transfer, bills_import

    member = make_user(company, "member", "mia")
    account = BankAccount.objects.create(company=company, name="Konto", iban="DE89370400440532013000",
                                         currency="EUR", owner=company.name)
    today = timezone.localdate()
    files = [(f"m{n}.xml", ubl(Spec(number=f"RE-M{n:02d}", issue=today, due=today + timedelta(days=20 + n))))
             for n in range(52)]
    files += [("soon.xml", ubl(Spec(number="RE-SOON", issue=today, due=today + timedelta(days=3), terms=""))),
              ("s.xml", cii(Spec(number="RE-S1", seller="Druckerei Schmidt KG", seller_vat="DE999999999",
                                 issue=today, due=today + timedelta(days=40)))),
              ("gs.xml", ubl(Spec(credit_note=True, number="GS-1", issue=today, due=today + timedelta(days=90))))]
    bills_import(company, files, user=member, via="test")
    bill_draft_transfer(Bill.objects.get(invoice_number="RE-M00"), user=member, account=account)
    client = client_for(member)

    def listed(**query):
        page = client.get(reverse("bill_list"), query, **DE).content.decode()
        return page, {number for number in Bill.objects.values_list("invoice_number", flat=True)
                      if f">{number}<" in page or f">{number} <" in page}

    page, shown = listed()  # to pay: 51 + 2 open invoices, 50 a page, the soonest deadline first
    assert "53 Eingangsrechnungen" in page and "Seite 1 von 2" in page and "Später fällig" in page
    assert {"RE-SOON", "RE-M01"} <= shown and "RE-M00" not in shown and "GS-1" not in shown
    soon = Bill.objects.get(invoice_number="RE-SOON")
    assert f"{soon.due_date:%d.%m.%Y}" in page and "bald fällig" in page and "392,70\u00a0EUR" in page
    page, shown = listed(page=2)
    assert "Seite 2 von 2" in page and "Früher fällig" in page and len(shown) == 3
    assert listed(status="drafted")[1] == {"RE-M00"}
    page, shown = listed(status="all", kind="credit_note")
    assert shown == {"GS-1"} and "Gutschrift" in page
    assert listed(q="schmidt")[1] == {"RE-S1"}
    assert listed(due="7")[1] == {"RE-SOON"}
    page, shown = listed(status="all", q="müller", due="30")
    assert shown == {"RE-SOON", *(f"RE-M{n:02d}" for n in range(11))} and "Überweisung entworfen" in page
    partial = client.get(reverse("bill_list"), {"q": "schmidt"}, HTTP_HX_REQUEST="true", **DE).content.decode()
    assert "RE-S1" in partial and "<form" not in partial and "1 Eingangsrechnung" in partial
