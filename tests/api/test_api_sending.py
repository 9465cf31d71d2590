"""Sending an approved transfer through the API, against the sandbox bank over HTTP: queued
by an approve token, sent by the worker, the TAN's challenge read and the TAN given (a wrong
one first), as the web's order page does it."""

from decimal import Decimal

import pytest
from django.utils import timezone

from kassenwart.banking import fints
from kassenwart.banking.models import BankAccount
from kassenwart.payments import services, submission
from kassenwart.payments.models import PaymentOrder
from kassenwart.sandbox.scenarios import SUPPLIERS

from fints_fixtures import TAN

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(company, make_user):
    return make_user(company, "approver")


@pytest.fixture
def approved(company, member, approver, connection):
    fints.connection_sync(connection)
    account = BankAccount.objects.filter(connection=connection).order_by("pk").first()
    supplier = SUPPLIERS[0]
    order = services.order_create(company, user=member, account=account, requested_date=timezone.localdate(),
                                  transfers=[services.TransferInput(payee_name=supplier.name, iban=supplier.iban,
                                                                    amount=Decimal("250.00"), remittance="ER-77")])
    services.order_submit(order, user=member)
    services.order_approve(order, user=approver)
    return order


def test_an_approved_transfer_is_sent_and_its_tan_given_through_the_api(company, approver, member, approved, bank,
                                                                       make_token, api_client):
    approving = api_client(make_token(company, approver, "approve").secret)
    drafting = api_client(make_token(company, member, "write").secret)
    assert drafting.post(f"/payments/{approved.pk}/send").status_code == 403
    sent = approving.post(f"/payments/{approved.pk}/send")
    assert sent.status_code == 200, sent.content
    assert (sent.json()["state"], sent.json()["delivery"]) == ("queued", "fints")
    submission.order_transmit(PaymentOrder.objects.get(pk=approved.pk))  # what the worker does next

    step = approving.get(f"/payments/{approved.pk}/step").json()
    assert (step["state"], step["waiting_for"], step["payee_check"]) == ("tan_pending", "tan", None)
    assert step["challenge"]["text"] and step["challenge"]["decoupled"] is False
    wrong = approving.post(f"/payments/{approved.pk}/tan", {"tan": "000000"})
    assert (wrong.status_code, wrong.json()["code"], wrong.json()["field"]) == (422, "tan_wrong", "tan")
    assert not bank.ledger.orders
    done = approving.post(f"/payments/{approved.pk}/tan", {"tan": TAN})
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "accepted" and done.json()["finished_at"]
    assert [o.message_id for o in bank.ledger.orders] == [PaymentOrder.objects.get(pk=approved.pk).message_id]
    again = approving.post(f"/payments/{approved.pk}/send")
    assert (again.status_code, again.json()["code"]) == (409, "state_changed")
    assert approving.get(f"/payments/{approved.pk}/step").json()["challenge"] is None
