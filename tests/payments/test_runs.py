"""Runs of transfers: a member drafts, an approver bundles them into one run, approves it in
the same step and sends it with ONE TAN that binds the number of transfers and their total.
Against the sandbox bank over HTTP with the real python-fints client."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from kassenwart.banking import fints
from kassenwart.banking.models import BankAccount
from kassenwart.core.messages import render
from kassenwart.core.models import AuditEvent
from kassenwart.notifications.models import Notification
from kassenwart.payments import runs, services, submission
from kassenwart.payments.models import PaymentOrder, Transfer
from kassenwart.payments.state import delivery_for, digest
from kassenwart.sandbox.scenarios import LOGIN, SUPPLIERS

from fints_fixtures import TAN

State = PaymentOrder.State


@pytest.fixture
def approver(company, make_user):
    return make_user(company, "approver")


@pytest.fixture
def accounts(connection, bank):
    """The sandbox customer's current, savings and call-money accounts, discovered by a sync."""
    fints.connection_sync(connection)
    return [BankAccount.objects.get(iban=a.iban) for a in bank.customers[LOGIN].accounts]


@pytest.fixture
def account(accounts):
    return accounts[0]


@pytest.fixture
def draft(company, member, account):
    """draft(amount, days=0, by=member, ...) -> a single transfer order, as drafted on the form."""

    def make(amount="100.00", days=0, by=None, supplier=0, account=account, instant=False, submit=False):
        payee = SUPPLIERS[supplier]
        order = services.order_create(
            company, user=by or member, account=account, requested_date=timezone.localdate() + timedelta(days=days),
            instant=instant, transfers=[services.TransferInput(payee.name, payee.iban, Decimal(amount),
                                                               f"Rechnung ER-{amount}")])
        if submit:
            services.order_submit(order, user=by or member)
        return order

    return make


def test_three_transfers_go_as_one_run_with_one_tan_for_their_count_and_total(draft, approver, member, bank):
    first, second, third = draft("1250.00", days=1, submit=True), draft("80.50", days=3, supplier=1), draft("19.49")
    run = runs.run_create(first.company, user=approver, orders=[first, second, third], approve=True)

    assert (run.state, run.kind, run.delivery) == (State.APPROVED, "transfer", "fints")
    assert run.requested_date == timezone.localdate() + timedelta(days=3), "the latest of their dates"
    payments = list(run.transfers.order_by("position"))
    assert [(p.position, p.amount, p.drafted_by, p.approved_by) for p in payments] == [
        (1, Decimal("1250.00"), member, approver), (2, Decimal("80.50"), member, approver),
        (3, Decimal("19.49"), member, approver)], "they keep who drafted them, in the order they were drafted"
    for source in (first, second, third):
        source.refresh_from_db()
        assert source.state == State.CANCELLED and render(source.note) == f"moved into run #{run.pk}"
        assert not source.transfers.exists()
        event = AuditEvent.objects.get(object_type="payments.paymentorder", object_id=str(source.pk),
                                       action="payment.cancelled")
        assert event.after["moved_into"] == run.pk

    services.order_queue(run, user=approver)
    submission.order_transmit(run)
    run.refresh_from_db()
    assert run.state == State.TAN_PENDING and run.payee_check is None, "no payee check for a batch"
    challenge = submission.order_step(run).challenge
    assert "Sammelüberweisung: 3 Posten, Summe 1.349,99 EUR" in challenge.text
    assert not bank.ledger.orders
    submission.order_give_tan(run, tan=TAN, user=approver)
    run.refresh_from_db()
    assert run.state == State.ACCEPTED
    [executed] = bank.ledger.orders
    assert (executed.kind, executed.count, executed.total, executed.message_id) == (
        "HKCCM", 3, Decimal("1349.99"), run.message_id)
    end_to_end_ids = [t.end_to_end_id for t in Transfer.objects.filter(order=run)]
    assert len(set(end_to_end_ids)) == 3 and all(end_to_end_ids), "each payment keeps its own id at the bank"


def test_an_approver_who_drafted_one_of_the_payments_cannot_release_the_run(company, draft, approver, make_user):
    theirs, mine = draft("40.00"), draft("60.00", by=approver)
    with pytest.raises(services.FourEyes):
        runs.run_create(company, user=approver, orders=[theirs, mine], approve=True)
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.state == mine.state == State.DRAFT and PaymentOrder.objects.count() == 2, "nothing changed"

    run = runs.run_create(company, user=approver, orders=[theirs, mine])  # bundled, not released
    assert run.state == State.PENDING_APPROVAL
    with pytest.raises(services.FourEyes):
        services.order_approve(run, user=approver)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds it too
        run.transfers.update(approved_by=approver)
    services.order_approve(run, user=make_user(company, "approver", "second-approver"))
    run.refresh_from_db()
    assert run.state == State.APPROVED


def test_a_member_bundles_their_own_drafts_and_the_approvers_are_told(company, draft, member, approver):
    run = runs.run_create(company, user=member, orders=[draft("10.00"), draft("20.00")])
    assert run.state == State.PENDING_APPROVAL and run.payload_hash == digest(run)
    [note] = Notification.objects.filter(user=approver)
    assert f"Payment run #{run.pk} (2 transfers) of 30.00 EUR waits for approval." == note.wording()
    with pytest.raises(services.NotAllowed):  # not someone else's
        runs.run_create(company, user=member, orders=[draft("1.00", by=approver), draft("2.00")])
    with pytest.raises(services.NotAllowed):  # nor release it
        runs.run_create(company, user=member, orders=[draft("3.00"), draft("4.00")], approve=True)


def code_of(call) -> str:
    with pytest.raises(services.PaymentInvalid) as refused:
        call()
    [problem] = refused.value.problems
    assert problem.field == "orders" and problem.message
    return problem.code


def test_what_cannot_go_into_one_run_is_refused_with_a_reason(company, draft, approver, accounts, make_user):
    create = runs.run_create
    one, two = draft("1.00"), draft("2.00")
    assert code_of(lambda: create(company, user=approver, orders=[one])) == "run_too_small"
    other = draft("3.00", account=accounts[2])
    assert code_of(lambda: create(company, user=approver, orders=[one, other])) == "run_accounts"
    fast = draft("4.00", instant=True)
    assert code_of(lambda: create(company, user=approver, orders=[one, fast])) == "run_instant"
    released = draft("5.00", submit=True)
    services.order_approve(released, user=approver)
    assert code_of(lambda: create(company, user=approver, orders=[one, released])) == "run_not_open"
    assert code_of(lambda: create(company, user=approver, orders=[one, two.pk + 1000])) == "run_unknown"
    assert PaymentOrder.objects.filter(pk__in=[one.pk, two.pk], state=State.DRAFT).count() == 2, "nothing changed"

    run = create(company, user=approver, orders=[one, two])
    assert code_of(lambda: create(company, user=approver, orders=[one, draft("6.00")])) == "run_not_open", \
        "a transfer already taken into a run is not taken twice"
    assert run.transfers.count() == 2


def test_a_run_the_bank_does_not_allow_over_fints_becomes_a_file(company, draft, approver, accounts):
    call_money = accounts[2]
    assert "transfer" in call_money.fints_operations and "transfer_batch" not in call_money.fints_operations
    run = runs.run_create(company, user=approver, orders=[draft("7.00", account=call_money),
                                                          draft("8.00", account=call_money)])
    assert run.delivery == PaymentOrder.Delivery.FILE
    current = accounts[0]
    assert delivery_for(current, "transfer_batch") == "fints"
    current.connection = None
    assert delivery_for(current, "transfer_batch") == delivery_for(current, "transfer") == "file"
