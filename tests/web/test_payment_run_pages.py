"""The transfer list as the place to make runs (select, "Make a run", "Approve as run"), the
run's page (count, total, each payee and who drafted it), a debit run's page (debtors,
mandates, scheme, sequence type, collection date), and pain files to download and confirm."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kassenwart.banking import fints
from kassenwart.banking.models import BankAccount
from kassenwart.payments import services, submission
from kassenwart.payments.models import Collection, Mandate, PaymentOrder, SendAttempt
from kassenwart.receivables.models import Customer
from kassenwart.sandbox.scenarios import LOGIN, SUPPLIERS

from fints_fixtures import TAN

State = PaymentOrder.State
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def approver(company, make_user):
    return make_user(company, "approver")


@pytest.fixture
def account(connection, bank):
    fints.connection_sync(connection)
    return BankAccount.objects.get(iban=bank.customers[LOGIN].accounts[0].iban)


@pytest.fixture
def draft(company, member, account):
    def make(amount, supplier=0, by=None):
        payee = SUPPLIERS[supplier]
        return services.order_create(company, user=by or member, account=account,
                                     requested_date=timezone.localdate(),
                                     transfers=[services.TransferInput(payee.name, payee.iban, Decimal(amount),
                                                                       "Rechnung")])
    return make


def page(client, url) -> str:
    response = client.get(url, **EN)
    assert response.status_code == 200
    return response.content.decode()


def checkboxes(html: str) -> set[int]:
    import re

    return {int(pk) for pk in re.findall(r'name="orders" value="(\d+)"', html)}


def test_the_list_offers_open_transfers_for_a_run(client_for, member, approver, draft):
    mine, theirs = draft("10.00"), draft("20.00", by=approver)
    submitted = draft("30.00")
    services.order_submit(submitted, user=member)
    released = draft("40.00")
    services.order_submit(released, user=member)
    services.order_approve(released, user=approver)
    html = page(client_for(member), reverse("payment_list"))
    assert checkboxes(html) == {mine.pk, submitted.pk}, "a member bundles their own open transfers"
    assert "Make a run" in html and "Approve as run" not in html
    html = page(client_for(approver), reverse("payment_list"))
    assert checkboxes(html) == {mine.pk, theirs.pk, submitted.pk}
    assert "Approve as run" in html and "Select all open transfers" in html


def test_a_member_makes_a_run_and_the_approver_sees_count_total_and_each_payee(client_for, member, approver, draft):
    first, second = draft("1250.00"), draft("80.50", supplier=1)
    client = client_for(member)
    response = client.post(reverse("payment_run_create"), {"orders": [first.pk, second.pk], "make": ""}, **EN)
    run = PaymentOrder.objects.get(state=State.PENDING_APPROVAL)
    assert response.status_code == 302 and response["Location"] == reverse("payment_detail", args=[run.pk])
    assert client.post(reverse("payment_run_create"), {"orders": [first.pk], "approve": ""}).status_code == 403

    html = page(client_for(approver), reverse("payment_detail", args=[run.pk]))
    assert f"Run #{run.pk}" in html and "2 payments" in html and "1,330.50" in html
    assert SUPPLIERS[0].name in html and SUPPLIERS[1].name in html and "1,250.00" in html and "80.50" in html
    assert "Drafted by" in html and member.username in html
    assert "Approve and send" in html and f"Run made of #{first.pk}, #{second.pk}" in html
    listing = page(client_for(approver), reverse("payment_list"))
    assert "Run of transfers" in listing and f"/payments/{first.pk}/" not in listing, "emptied orders are gone"
    moved = page(client_for(member), reverse("payment_detail", args=[first.pk]))
    assert f"Its transfers moved into <a href=\"/payments/{run.pk}/\">run #{run.pk}</a>" in moved


def test_select_approve_as_run_and_the_tan_are_all_it_takes(client_for, approver, draft, bank):
    chosen = [draft("100.00").pk, draft("200.00", supplier=1).pk, draft("300.00", supplier=2).pk]
    client = client_for(approver)
    response = client.post(reverse("payment_run_create"), {"orders": chosen, "approve": ""}, follow=True, **EN)
    run = PaymentOrder.objects.get(state=State.QUEUED)  # approved and on its way, no other click needed
    assert b"Run #%d of 3 transfers approved." % run.pk in response.content
    submission.order_transmit(run)  # what the worker does next
    html = page(client, reverse("payment_detail", args=[run.pk]))
    assert "Confirm with a TAN" in html and "Sammelüberweisung: 3 Posten, Summe 600,00 EUR" in html
    client.post(reverse("payment_tan", args=[run.pk]), {"tan": TAN})
    run.refresh_from_db()
    assert run.state == State.ACCEPTED
    [executed] = bank.ledger.orders
    assert (executed.kind, executed.count, executed.total) == ("HKCCM", 3, Decimal("600.00"))
    assert "The bank has accepted the run." in page(client, reverse("payment_detail", args=[run.pk]))


def test_what_cannot_be_a_run_is_said_on_the_list(client_for, member, approver, draft, other_company, db_rows,
                                                   make_user):
    client = client_for(approver)
    one = draft("5.00")
    foreign_account = db_rows.account(other_company, name="Konto theirs")
    foreign = PaymentOrder.objects.create(company=other_company, account=foreign_account, created_by=approver,
                                          requested_date=timezone.localdate())
    foreign.transfers.create(drafted_by=make_user(other_company, "member", "theirs"), payee_name="Geheim",
                             iban=SUPPLIERS[0].iban, amount=Decimal("9.00"))
    response = client.post(reverse("payment_run_create"), {"orders": [one.pk, foreign.pk], "make": ""},
                           follow=True, **EN)
    assert b"Some of the selected transfers do not exist (any more)." in response.content
    foreign.refresh_from_db()
    assert foreign.state == State.DRAFT and foreign.transfers.count() == 1, "another company's order is untouched"
    response = client.post(reverse("payment_run_create"), {"orders": [one.pk], "approve": ""}, follow=True, **EN)
    assert b"Select at least two transfers for a run." in response.content
    response = client.post(reverse("payment_run_create"), {"make": ""}, follow=True, **EN)
    assert b"Select the transfers for the run first." in response.content
    mine = draft("6.00", by=approver)
    response = client.post(reverse("payment_run_create"), {"orders": [one.pk, mine.pk], "approve": ""},
                           follow=True, **EN)
    assert b"You drafted a payment of this run; another approver has to release it." in response.content
    response = client_for(member).post(reverse("payment_run_create"), {"orders": [one.pk, mine.pk], "make": ""},
                                       follow=True, **EN)
    assert b"Your role does not allow this." in response.content
    assert set(PaymentOrder.objects.filter(company=one.company).values_list("state", flat=True)) == {State.DRAFT}, \
        "nothing changed"


def test_approve_and_send_in_one_click_on_the_order_page(client_for, member, approver, draft):
    order = draft("70.00")
    services.order_submit(order, user=member)
    client_for(approver).post(reverse("payment_approve", args=[order.pk]), {"send": ""})
    order.refresh_from_db()
    assert order.state == State.QUEUED and order.approved_by == approver


# -- pain files ----------------------------------------------------------------------------
@pytest.fixture
def exported(company, member, approver, db_rows):
    """An order exported as a pain file, as the lead's order_queue leaves it."""
    account = db_rows.account(company, name="Konto ohne FinTS")
    order = PaymentOrder.objects.create(company=company, account=account, requested_date=date(2026, 12, 1),
                                        created_by=member, delivery="file", state=State.EXPORTED,
                                        approved_by=approver, message_id="KW/2026 11?07")
    order.transfers.create(drafted_by=member, approved_by=approver, payee_name="Stahlhandel Nord GmbH",
                           iban=SUPPLIERS[0].iban, amount=Decimal("12.00"))
    SendAttempt.objects.create(order=order, requested_date=date(2026, 12, 1), delivery="file", outcome="exported",
                               pain=b"<?xml version='1.0' encoding='UTF-8'?>\n<Document>first</Document>")
    return order


def test_the_pain_file_downloads_byte_for_byte_under_its_message_id(client_for, approver, member, exported):
    SendAttempt.objects.create(order=exported, requested_date=date(2026, 12, 2), delivery="file", outcome="exported",
                               pain=b"<?xml version='1.0' encoding='UTF-8'?>\n<Document>\xc3\xa4 second</Document>")
    client = client_for(approver)
    html = page(client, reverse("payment_detail", args=[exported.pk]))
    assert "Download pain file" in html and "Confirm upload to the bank" in html
    response = client.get(reverse("payment_pain", args=[exported.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="KW_2026_11_07-2.xml"'
    assert response.content == b"<?xml version='1.0' encoding='UTF-8'?>\n<Document>\xc3\xa4 second</Document>"
    assert client_for(member).get(reverse("payment_pain", args=[exported.pk])).status_code == 403


def test_confirming_the_upload_marks_it_accepted(client_for, approver, exported):
    client_for(approver).post(reverse("payment_uploaded", args=[exported.pk]))
    exported.refresh_from_db()
    assert exported.state == State.ACCEPTED


def test_an_account_that_cannot_pay_is_refused_on_the_form(client_for, member, company, db_rows):
    securities = db_rows.account(company, name="Depot")
    BankAccount.objects.filter(pk=securities.pk).update(kind=BankAccount.Kind.SECURITIES)
    response = client_for(member).post(reverse("payment_new"), {
        "account": securities.pk, "payee_name": SUPPLIERS[0].name, "iban": SUPPLIERS[0].iban, "amount": "10,00",
        "remittance": "", "requested_date": timezone.localdate().isoformat()}, **EN)
    assert response.status_code == 200 and list(response.context["form"].errors) == ["account"]
    assert "Payments cannot be made from this account" in response.content.decode()
    assert not PaymentOrder.objects.exists()


# -- a debit run's page ------------------------------------------------------------------------
def test_a_debit_runs_page_shows_each_debtor_with_mandate_and_the_runs_terms(client_for, approver, member, company,
                                                                            db_rows):
    account = db_rows.account(company, name="Lizenzkonto")
    collection_date = timezone.localdate() + timedelta(days=5)
    order = PaymentOrder.objects.create(company=company, account=account, kind="debit", scheme="B2B",
                                        sequence_type="RCUR", creditor_id="DE98ZZZ09999999999",
                                        requested_date=collection_date, created_by=member,
                                        state=State.PENDING_APPROVAL)
    for n, (name, amount) in enumerate([("Autohaus Weber KG", "49.00"), ("Bäckerei Schmidt GmbH", "99.00")], 1):
        customer = Customer.objects.create(company=company, number=f"K-{n}", name=name)
        mandate = Mandate.objects.create(company=company, customer=customer, reference=f"LIZ-{n:04d}",
                                         creditor_id="DE98ZZZ09999999999", signed_on=date(2025, 1, 15),
                                         scheme="B2B", debtor_name=name, iban=SUPPLIERS[n].iban)
        Collection.objects.create(company=company, mandate=mandate, account=account, amount=Decimal(amount),
                                  due_date=collection_date, order=order, position=n, sequence_type="RCUR",
                                  drafted_by=member, remittance=f"Lizenz {n}")
    html = page(client_for(approver), reverse("payment_detail", args=[order.pk]))
    assert f"Debit run #{order.pk}" in html and "2 payments" in html and "148.00" in html
    assert "Autohaus Weber KG" in html and "LIZ-0001" in html and "49.00" in html and "LIZ-0002" in html
    assert "B2B" in html and "RCUR" in html and "DE98ZZZ09999999999" in html and "Collection date" in html
    listing = page(client_for(approver), reverse("payment_list"))
    assert "Debit run" in listing and "148.00" in listing
