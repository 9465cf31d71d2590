"""Which changes become which events, with what in them: an order's steps (a single transfer
and a run), a bank connection that needs a person, and a rotated secret that still signs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from kassenwart.banking.fints.login import set_state
from kassenwart.banking.models import BankAccount, BankConnection
from kassenwart.core.messages import message
from kassenwart.payments import services as payments
from kassenwart.webhooks.models import Delivery
from kassenwart.webhooks.services import endpoint_secret_rotate, endpoint_update

IBAN = "DE02120300000000202051"


def _types(receiver):
    return [(r.payload["type"], r.payload["data"].get("state")) for r in receiver.verified()]


def test_a_transfer_and_a_run_tell_each_step_with_its_state(company, admin, member, hook, receiver, worker):
    endpoint_update(company, hook, events=["transfer.state_changed", "run.state_changed"], user=admin, via="test")
    account = BankAccount.objects.create(company=company, name="Giro", iban="DE89370400440532013000",
                                         bic="COBADEFFXXX", owner="Nordlicht Software GmbH")
    when = date.today() + timedelta(days=3)
    single = payments.order_create(company, user=member, account=account, requested_date=when, transfers=[
        payments.TransferInput("Lieferant Ost GmbH", IBAN, Decimal("250.00"), "Rechnung L-77")], via="test")
    payments.order_submit(single, user=member, via="test")
    run = payments.order_create(company, user=member, account=account, requested_date=when, transfers=[
        payments.TransferInput("Lieferant Ost GmbH", IBAN, Decimal("10.00"), "L-1"),
        payments.TransferInput("Lieferant West AG", IBAN, Decimal("20.50"), "L-2")], via="test")
    payments.order_cancel(run, user=member, reason="doppelt", via="test")
    worker.fan_out()
    worker.deliver()
    assert sorted(_types(receiver)) == [("run.state_changed", "cancelled"), ("run.state_changed", "draft"),
                                        ("transfer.state_changed", "draft"),
                                        ("transfer.state_changed", "pending_approval")]
    submitted = next(r.payload["data"] for r in receiver.verified() if r.payload["data"]["state"] == "pending_approval")
    assert submitted | {"payments": None} == {
        "order_id": single.pk, "kind": "transfer", "state": "pending_approval", "previous_state": "draft",
        "account_id": account.pk, "account_iban": "DE89370400440532013000", "requested_date": when.isoformat(),
        "total": "250.00", "currency": "EUR", "count": 1, "payments": None}
    assert submitted["payments"][0] | {"transfer_id": 0} == {
        "transfer_id": 0, "end_to_end_id": "", "amount": "250.00", "name": "Lieferant Ost GmbH", "iban": IBAN,
        "remittance": "Rechnung L-77"}
    cancelled = next(r.payload["data"] for r in receiver.verified() if r.payload["data"]["state"] == "cancelled")
    assert (cancelled["kind"], cancelled["total"], cancelled["count"]) == ("run", "30.50", 2)


def test_a_connection_that_needs_a_person_is_told_once(company, admin, hook, receiver, worker):
    endpoint_update(company, hook, events=["connection.needs_attention"], user=admin, via="test")
    connection = BankConnection.objects.create(company=company, kind="fints", name="Sparkasse", bank_code="99990000",
                                               login="nord")
    set_state(connection, "ok", None, None, "test")
    set_state(connection, "pin_wrong", message("banking.connection_needs_tan", name="Sparkasse"), None, "test")
    set_state(connection, "pin_wrong", message("banking.connection_needs_tan", name="Sparkasse 2"), None, "test")
    worker.fan_out()
    worker.deliver()
    [told] = receiver.verified()
    assert told.payload["type"] == "connection.needs_attention"
    assert told.payload["data"] | {"error": None} == {"connection_id": connection.pk, "name": "Sparkasse",
                                                      "state": "pin_wrong", "previous_state": "ok", "error": None}
    assert told.payload["data"]["error"]["key"] == "banking.connection_needs_tan"


def test_after_a_rotation_both_secrets_sign_for_a_day(company, admin, hook, receiver, worker):
    from standardwebhooks.webhooks import Webhook

    from kassenwart.banking.services import statement_import

    from camt_files import camt, entry

    old = receiver.secret
    hook, new = endpoint_secret_rotate(company, hook, user=admin, via="test")
    receiver.secret = new
    statement_import(company, camt([entry("5.00")]), file_name="a.xml", user=admin, via="test")
    worker.fan_out()
    worker.deliver()
    [first] = receiver.verified()
    assert len(first.headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify(first.body, first.headers)  # the receiver not yet switched still accepts it
    # a day later only the new one signs
    type(hook).objects.filter(pk=hook.pk).update(previous_secret_until=timezone.now() - timedelta(seconds=1))
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(state="pending", next_attempt_at=timezone.now())
    worker.retries()
    worker.deliver()
    assert len(receiver.received[-1].headers["webhook-signature"].split(" ")) == 1
    assert receiver.received[-1].payload is not None
