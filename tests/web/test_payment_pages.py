"""The transfer pages: drafting with errors per field, four eyes in the buttons and routes,
the payee check with the bank's name and an explicit confirmation, the TAN step."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from kassenwart.banking import fints
from kassenwart.banking.models import BankAccount
from kassenwart.core.messages import render
from kassenwart.payments import services, submission
from kassenwart.payments.models import PaymentOrder
from kassenwart.sandbox.scenarios import SUPPLIERS

from fints_fixtures import TAN

State = PaymentOrder.State
SUPPLIER = SUPPLIERS[0]
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def approver(company, make_user):
    return make_user(company, "approver")


@pytest.fixture
def account(connection):
    fints.connection_sync(connection)
    return BankAccount.objects.filter(connection=connection).order_by("pk").first()


def logged_in(client_for, user):
    return client_for(user)


def draft(client, account, **changes):
    data = {"account": account.pk, "payee_name": SUPPLIER.name, "iban": SUPPLIER.iban, "bic": "",
            "amount": "1.234,56", "remittance": "Rechnung ER-77", "requested_date": "", **changes}
    if not data["requested_date"]:
        from django.utils import timezone
        data["requested_date"] = timezone.localdate().isoformat()
    return client.post(reverse("payment_new"), data, **EN)


def test_member_drafts_with_a_german_amount_and_submits(client_for, member, account):
    client = client_for(member)
    response = draft(client, account)
    order = PaymentOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("payment_detail", args=[order.pk])
    transfer = order.transfers.get()
    assert (transfer.amount, transfer.iban, order.state) == (Decimal("1234.56"), SUPPLIER.iban, State.DRAFT)
    page = client.get(reverse("payment_detail", args=[order.pk]), **EN).content.decode()
    assert "Submit for approval" in page and "Approve" not in page
    client.post(reverse("payment_submit", args=[order.pk]))
    order.refresh_from_db()
    assert order.state == State.PENDING_APPROVAL
    page = client.get(reverse("payment_detail", args=[order.pk]), **EN).content.decode()
    assert "Waiting for another person to approve it" in page
    assert client.post(reverse("payment_approve", args=[order.pk])).status_code == 403


def test_errors_name_the_field(client_for, member, account):
    client = client_for(member)
    response = draft(client, account, amount="zwölf")
    assert response.status_code == 200 and list(response.context["form"].errors) == ["amount"]
    response = draft(client, account, iban="DE00 0000 0000", requested_date="2020-01-31")
    errors = response.context["form"].errors
    assert errors.keys() >= {"iban", "requested_date"}
    assert "IBAN" in " ".join(errors["iban"])
    assert not PaymentOrder.objects.exists()


def test_german_is_the_default_language(client_for, member, account):
    page = client_for(member).get(reverse("payment_new")).content.decode()
    assert "Neue Überweisung" in page and "Empfänger" in page


@pytest.fixture
def approved(company, member, approver, account):
    def make(name):
        transfer = services.TransferInput(payee_name=name, iban=SUPPLIER.iban, amount=Decimal("250.00"))
        from django.utils import timezone
        order = services.order_create(company, user=member, account=account, requested_date=timezone.localdate(),
                                      transfers=[transfer])
        services.order_submit(order, user=member)
        return order

    return make


def test_close_match_page_shows_the_banks_name_and_wants_a_tick(client_for, approver, approved, bank):
    order = approved("Stahlhandel Nord")
    client = client_for(approver)
    client.post(reverse("payment_approve", args=[order.pk]))
    order.refresh_from_db()
    assert order.state == State.APPROVED and order.approved_by == approver
    client.post(reverse("payment_send", args=[order.pk]))  # the PIN is kept for this connection
    order.refresh_from_db()
    assert order.state == State.QUEUED
    submission.order_transmit(order)  # what the worker does
    page = client.get(reverse("payment_detail", args=[order.pk]), **EN).content.decode()
    assert "The name is close to, but not the same as, the name of the account holder." in page
    assert SUPPLIER.name in page and "Send anyway" in page
    refused = client.post(reverse("payment_payee", args=[order.pk]), {"confirm_payee": "1"}, **EN)
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    assert not bank.ledger.orders
    client.post(reverse("payment_payee", args=[order.pk]), {"confirm": "on", "confirm_payee": "1"})
    order.refresh_from_db()
    assert order.state == State.TAN_PENDING
    page = client.get(reverse("payment_detail", args=[order.pk]), **EN).content.decode()
    assert "Confirm with a TAN" in page and 'name="tan"' in page
    wrong = client.post(reverse("payment_tan", args=[order.pk]), {"tan": "000000"}, **EN)
    assert wrong.status_code == 400 and "The TAN was wrong" in wrong.content.decode()
    client.post(reverse("payment_tan", args=[order.pk]), {"tan": TAN})
    order.refresh_from_db()
    assert order.state == State.ACCEPTED and len(bank.ledger.orders) == 1
    page = client.get(reverse("payment_detail", args=[order.pk]), **EN).content.decode()
    assert "The bank has accepted the transfer." in page


def test_no_match_can_be_stopped(client_for, approver, approved, bank):
    order = approved("Max Mustermann")
    services.order_approve(order, user=approver)
    services.order_queue(order, user=approver)
    submission.order_transmit(order)
    client = client_for(approver)
    page = client.get(reverse("payment_detail", args=[order.pk]), **EN).content.decode()
    assert "The name does not match the account holder." in page
    client.post(reverse("payment_payee", args=[order.pk]), {"refuse": "1"})
    order.refresh_from_db()
    assert order.state == State.CANCELLED and not bank.ledger.orders


def test_members_do_not_see_the_payee_step(client_for, member, approver, approved):
    order = approved("Max Mustermann")
    services.order_approve(order, user=approver)
    services.order_queue(order, user=approver)
    submission.order_transmit(order)
    client = client_for(member)
    page = client.get(reverse("payment_detail", args=[order.pk]), **EN).content.decode()
    assert "Send anyway" not in page
    assert client.post(reverse("payment_payee", args=[order.pk]), {"confirm": "on"}).status_code == 403


def test_send_asks_for_the_pin_when_it_is_not_kept(client_for, approver, approved, connection):
    order = approved(SUPPLIER.name)
    services.order_approve(order, user=approver)
    connection.refresh_from_db()
    type(connection).objects.filter(pk=connection.pk).update(pin_sealed=None, pin_kept=False)
    client = client_for(approver)
    page = client.get(reverse("payment_detail", args=[order.pk]), **EN).content.decode()
    assert 'name="pin"' in page
    response = client.post(reverse("payment_send", args=[order.pk]), follow=True, **EN)
    assert "Enter the PIN" in response.content.decode()
    order.refresh_from_db()
    assert order.state == State.APPROVED


def test_an_unknown_outcome_is_settled_by_a_person(client_for, approver, approved, sandbox):
    order = approved(SUPPLIER.name)
    services.order_approve(order, user=approver)
    services.order_queue(order, user=approver)
    submission.order_transmit(order)
    sandbox.faults.drop_after_order = 1
    submission.order_give_tan(order, tan=TAN, user=approver)
    client = client_for(approver)
    page = client.get(reverse("payment_detail", args=[order.pk]), **EN).content.decode()
    assert "Resending would risk paying twice" in page and "The bank executed it" in page
    client.post(reverse("payment_resolve", args=[order.pk]), {"not_executed": "1", "reason": "Laut Bank nicht ausgeführt"})
    order.refresh_from_db()
    assert order.state == State.REJECTED and render(order.note) == "Laut Bank nicht ausgeführt"


def test_a_note_the_worker_wrote_in_english_is_german_on_the_german_page(client_for, approver, approved, connection,
                                                                         bank):
    order = approved(SUPPLIER.name)
    services.order_approve(order, user=approver)
    fints.pin_handover(connection, pin="99999", keep=True)
    services.order_queue(order, user=approver)
    submission.order_transmit(order)  # the worker, in English (KASSENWART_LANGUAGE)
    order.refresh_from_db()
    assert order.state == State.APPROVED and order.note["key"] == "banking.fints.pin_wrong"
    client = client_for(approver)
    german = client.get(reverse("payment_detail", args=[order.pk])).content.decode()
    assert "Nicht gesendet: Die Bank hat die PIN abgelehnt." in german and "The bank refused" not in german
    english = client.get(reverse("payment_detail", args=[order.pk]), **EN).content.decode()
    assert "Not sent: The bank refused the PIN." in english and "Die Bank" not in english


def test_what_a_german_worker_stored_is_english_on_the_english_page(client_for, approver, approved, sandbox):
    order = approved(SUPPLIER.name)
    services.order_approve(order, user=approver)
    services.order_queue(order, user=approver)
    submission.order_transmit(order)
    sandbox.faults.drop_after_order = 1
    with translation.override("de"):
        submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.UNKNOWN
    client = client_for(approver)
    english = client.get(reverse("payment_detail", args=[order.pk]), **EN).content.decode()
    broke = "The connection to the bank broke after the order was sent"
    assert english.count(broke) == 2 and "Die Verbindung" not in english  # the note and the history's line
    german = client.get(reverse("payment_detail", args=[order.pk])).content.decode()
    assert german.count("Die Verbindung zur Bank brach ab") == 2 and broke not in german
