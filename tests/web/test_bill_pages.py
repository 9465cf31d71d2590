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
