"""Webhooks end to end over real HTTP: a service call changes the books, the fan-out turns
its audit event into deliveries, the delivery task posts them signed, and a local receiver
checks every signature with the standardwebhooks library."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kassenwart.banking.models import Transaction
from kassenwart.banking.services import statement_import
from kassenwart.core.models import AuditEvent
from kassenwart.notifications.models import Notification
from kassenwart.receivables.models import Customer
from kassenwart.receivables.services import invoice_create
from kassenwart.reconciliation.services import match_create, match_undo
from kassenwart.webhooks.models import Attempt, Delivery, FanOutCursor
from kassenwart.webhooks.services import delivery_replay, endpoint_create

from camt_files import camt, entry

ONE = Decimal("0.00")


def _books(company, admin):
    """One statement with a payment of 1190.00 and an open invoice over that amount."""
    result = statement_import(company, camt([entry("1190.00", text="Rechnung RE-2026-7", name="Kunde Nord GmbH"),
                                             entry("-35.50", text="Gebühren", name="Bank")]),
                              file_name="auszug.xml", user=admin, via="test")
    customer = Customer.objects.create(company=company, number="K-7", name="Kunde Nord GmbH")
    invoice = invoice_create(company, customer=customer, number="RE-2026-7", amount=Decimal("1190.00"),
                             due_date=date(2026, 10, 15), issue_date=date(2026, 10, 1), user=admin, via="test")
    payment = Transaction.objects.get(company=company, amount=Decimal("1190.00"))
    return result, invoice, payment


def test_a_statement_import_and_a_map_by_hand_reach_the_receiver_signed(company, admin, hook, receiver, worker):
    _result, invoice, payment = _books(company, admin)
    match = match_create(company, payment, [(invoice, Decimal("1190.00"), ONE)], user=admin, via="test")

    made = worker.fan_out()
    assert made == 4  # two transactions booked, the payment matched, the invoice paid
    assert worker.deliver() == 4

    assert all(r.payload is not None for r in receiver.received), [r.error for r in receiver.received]
    booked = sorted((r.payload["data"] for r in receiver.verified("transaction.booked")), key=lambda d: d["amount"])
    assert [(d["amount"], d["currency"], d["counterparty_name"]) for d in booked] == [
        ("-35.50", "EUR", "Bank"), ("1190.00", "EUR", "Kunde Nord GmbH")]
    assert booked[1]["transaction_id"] == payment.pk and booked[1]["booking_date"] == "2026-10-01"
    [matched] = receiver.verified("payment.matched")
    assert matched.headers["webhook-id"] == f"evt_match_{match.pk}"
    assert matched.payload["data"]["allocations"] == [
        {"invoice_id": invoice.pk, "invoice_number": "RE-2026-7", "amount": "1190.00", "write_off": "0.00"}]
    [paid] = receiver.verified("invoice.paid")
    assert {k: paid.payload["data"][k] for k in ("invoice_number", "status", "open_amount", "paid_amount",
                                                 "match_id")} == {
        "invoice_number": "RE-2026-7", "status": "paid", "open_amount": "0.00", "paid_amount": "1190.00",
        "match_id": match.pk}
    assert set(Delivery.objects.values_list("state", flat=True)) == {"succeeded"}
    assert all(a.status_code == 200 and a.succeeded for a in Attempt.objects.all())

    # the receiver's check is real: the same request with another secret does not verify
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(matched.body, matched.headers)

    match_undo(company, match, user=admin, via="test")
    assert worker.fan_out() == 1 and worker.deliver() == 1
    [undone] = receiver.verified("match.undone")
    assert undone.payload["data"]["match_id"] == match.pk


def test_the_receiver_fails_once_and_the_retry_delivers_the_same_webhook_id(company, admin, hook, receiver, worker):
    _result, invoice, payment = _books(company, admin)
    hook.events = ["payment.matched"]
    hook.save(update_fields=["events"])
    match_create(company, payment, [(invoice, Decimal("1190.00"), ONE)], user=admin, via="test")
    receiver.answers = [500]

    worker.fan_out()
    worker.deliver()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempt_count) == ("pending", 1)
    wait = delivery.next_attempt_at - Attempt.objects.get().started_at
    assert timedelta(seconds=4) < wait < timedelta(seconds=7)  # the first retry after 5 s

    assert worker.retries() == 0 and worker.deliver() == 0  # not due yet
    assert worker.retries(now=delivery.next_attempt_at) == 1
    assert worker.retries(now=delivery.next_attempt_at) == 0  # handed to the queue once
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())  # the 5 s have passed
    assert worker.deliver() == 1

    first, second = receiver.received
    assert (first.answered, second.answered) == (500, 200)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.payload is not None and second.payload is not None  # both signed
    assert first.body == second.body
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempt_count) == ("succeeded", 2)
    assert [(a.trigger, a.status_code, a.succeeded) for a in Attempt.objects.order_by("pk")] == [
        ("first", 500, False), ("retry", 200, True)]


def test_the_retries_back_off_and_give_up_after_three_days(company, admin, hook, worker):
    from kassenwart.webhooks.delivery import retry_delay

    assert [retry_delay(n) for n in range(1, 9)] == [
        timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=5),
        timedelta(hours=10), timedelta(hours=10), timedelta(hours=10)]
    _result, invoice, payment = _books(company, admin)
    hook.events = ["payment.matched"]
    hook.url = "http://127.0.0.1:9/nobody-listens"  # the discard port: refused
    hook.save(update_fields=["events", "url"])
    match_create(company, payment, [(invoice, Decimal("1190.00"), ONE)], user=admin, via="test")
    worker.fan_out()
    worker.deliver()
    delivery = Delivery.objects.get()
    [attempt] = Attempt.objects.all()
    assert attempt.status_code is None and "Connect" in attempt.error and delivery.state == "pending"
    # three days later the next failure gives it up
    Delivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - timedelta(days=3),
                                                   next_attempt_at=timezone.now())
    worker.retries()
    worker.deliver()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.next_attempt_at, delivery.attempt_count) == ("failed", None, 2)


def test_an_answer_410_disables_the_endpoint_and_tells_the_admins(company, admin, member, hook, receiver, worker):
    _result, invoice, payment = _books(company, admin)
    receiver.answers = [410]
    hook.events = ["transaction.booked"]
    hook.save(update_fields=["events"])
    worker.fan_out()
    worker.deliver()
    hook.refresh_from_db()
    assert not hook.enabled and hook.disabled_reason["key"] == "webhooks.gone"
    assert len(receiver.received) == 1  # the second transaction was not posted to a gone endpoint
    states = sorted(Delivery.objects.values_list("state", flat=True))
    assert states == ["failed", "pending"]
    notes = Notification.objects.filter(company=company, key="webhooks.endpoint_disabled")
    assert list(notes.values_list("user", flat=True)) == [admin.pk]  # admins only
    assert AuditEvent.objects.filter(action="webhook_endpoint.disabled", actor_label="worker").exists()
    # nothing more goes out, also after another scan
    match_create(company, payment, [(invoice, Decimal("1190.00"), ONE)], user=admin, via="test")
    worker.fan_out()
    worker.retries()
    worker.deliver()
    assert len(receiver.received) == 1


def test_running_the_fan_out_again_makes_no_duplicates_and_finds_late_commits(company, admin, hook, worker):
    _books(company, admin)
    assert worker.fan_out() == 2
    assert worker.fan_out() == 0
    assert Delivery.objects.count() == 2
    first = AuditEvent.objects.filter(action="statement.imported").get()
    # An event committed late on PostgreSQL: its id is below a watermark that a scan moved past
    # while its transaction was still open.
    statement_import(company, camt([entry("50.00", text="Nachzügler")], statement_id="S-2"), file_name="2.xml",
                     user=admin, via="test")
    late = AuditEvent.objects.filter(action="statement.imported").latest("pk")
    FanOutCursor.objects.filter(pk=1).update(audit_watermark=late.pk + 10)
    assert worker.fan_out() == 1  # found by the look-back, though below the watermark
    assert worker.fan_out() == 0
    assert Delivery.objects.filter(audit_event_id=first.pk).count() == 2
    assert Delivery.objects.filter(audit_event_id=late.pk).count() == 1
    assert Delivery.objects.count() == 3
    # Two scans at once: the second finds the cursor claimed and does nothing
    FanOutCursor.objects.filter(pk=1).update(claimed_until=timezone.now() + timedelta(minutes=5))
    assert worker.fan_out() == 0


def test_an_endpoint_gets_only_its_own_companys_events(company, admin, hook, receiver, worker, make_user):
    from kassenwart.companies.services import company_create
    from kassenwart.webhooks.models import EventType

    other = company_create("Alpenglück Handels KG", via="test")
    other_admin = make_user(other, "admin", "otto")
    theirs, _secret = endpoint_create(other, url=receiver.url, events=EventType.values, user=other_admin, via="test")
    statement_import(other, camt([entry("777.77", name="Geheimlieferant")], iban="AT611904300234573201"),
                     file_name="theirs.xml", user=other_admin, via="test")
    statement_import(company, camt([entry("12.00", name="Unser Kunde")]), file_name="ours.xml", user=admin, via="test")
    worker.fan_out()
    assert set(Delivery.objects.filter(endpoint=hook).values_list("payload__counterparty_name", flat=True)) == {
        "Unser Kunde"}
    assert set(Delivery.objects.filter(endpoint=theirs).values_list("payload__counterparty_name", flat=True)) == {
        "Geheimlieferant"}
    assert set(Delivery.objects.filter(endpoint=theirs).values_list("company", flat=True)) == {other.pk}


def test_events_before_an_endpoint_was_made_are_not_sent_to_it(company, admin, receiver, worker):
    from kassenwart.webhooks.models import EventType

    _books(company, admin)  # the import happens before the endpoint is made
    endpoint_create(company, url=receiver.url, events=EventType.values, user=admin, via="test")
    assert worker.fan_out() == 0
    statement_import(company, camt([entry("50.00", text="Danach")], statement_id="S-2"), file_name="2.xml",
                     user=admin, via="test")
    assert worker.fan_out() == 1
    assert list(Delivery.objects.values_list("payload__remittance", flat=True)) == ["Danach"]


def test_replay_posts_the_delivery_again_with_the_same_id(company, admin, hook, receiver, worker,
                                                          django_capture_on_commit_callbacks):
    _books(company, admin)
    hook.events = ["transaction.booked"]
    hook.save(update_fields=["events"])
    worker.fan_out()
    worker.deliver()
    delivery = Delivery.objects.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        delivery_replay(company, delivery, user=admin, via="test")
    assert worker.deliver() == 1
    ids = [r.headers["webhook-id"] for r in receiver.received if r.headers["webhook-id"] == delivery.event_id]
    assert len(ids) == 2
    assert [a.trigger for a in Attempt.objects.filter(delivery=delivery).order_by("pk")] == ["first", "replay"]
    assert AuditEvent.objects.filter(action="webhook_delivery.replayed", actor=admin).exists()


def test_the_clock_runs_the_fan_out_and_hands_due_retries_to_the_queue():
    from kassenwart.runtime.worker import periodic_jobs
    from kassenwart.webhooks.delivery import retries_enqueue_due
    from kassenwart.webhooks.fanout import webhooks_fan_out

    jobs = periodic_jobs()
    assert webhooks_fan_out in jobs and retries_enqueue_due in jobs


def test_a_delivery_another_worker_holds_is_not_posted_twice(company, admin, hook, receiver, worker):
    from kassenwart.webhooks.delivery import delivery_send

    statement_import(company, camt([entry("5.00")]), file_name="a.xml", user=admin, via="test")
    worker.fan_out()
    delivery = Delivery.objects.get()
    assert delivery_send(delivery.pk) is not None  # the first task posts it
    assert delivery_send(delivery.pk) is None  # a second task for the same id finds nothing due
    Delivery.objects.filter(pk=delivery.pk).update(state="pending", next_attempt_at=timezone.now(),
                                                   claimed_until=timezone.now() + timedelta(seconds=30))
    assert delivery_send(delivery.pk) is None  # held by a worker posting it right now
    assert len(receiver.received) == 1
