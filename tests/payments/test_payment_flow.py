"""A transfer from draft to the bank: four eyes, the payee check (VoP), the TAN, and what
the order becomes when the bank answers, refuses or goes silent. Against the sandbox bank
over HTTP with the real python-fints client."""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from order_steps import SUPPLIER, executed, send

from kassenwart.banking import fints
from kassenwart.banking.fints import client, orders
from kassenwart.banking.models import BankAccount, BankConnection, PausedDialog, Transaction
from kassenwart.core import workers
from kassenwart.core.messages import message, render
from kassenwart.core.models import AuditEvent
from kassenwart.payments import services, submission
from kassenwart.payments.models import PaymentOrder
from kassenwart.payments.state import digest
from kassenwart.sandbox.scenarios import CLOSED_ACCOUNT, LOGIN, SUPPLIERS
from kassenwart.sandbox.server import AT_DIALOG_END

from fints_fixtures import TAN

State = PaymentOrder.State


@pytest.fixture
def approver(company, make_user):
    return make_user(company, "approver")


def faults_hit(sandbox):
    """The messages a sandbox fault hit (segment types, fault), by the sandbox's own record."""
    return [(e.segments, e.fault) for e in sandbox.exchanges if e.fault]


THE_TAN = ("HKVPA", "HKTAN")  # the order's TAN goes with the payee check's approval


def test_match_goes_to_the_tan_and_the_bank_executes_once(approved, approver, bank, connection):
    order = send(approved(), approver)
    assert order.state == State.TAN_PENDING and order.payee_check is None
    step = submission.order_step(order)
    assert step.challenge is not None and not step.payee
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.ACCEPTED and order.finished_at is not None
    [done] = executed(bank, order)
    assert (done.kind, done.total, done.count) == ("HKCCS", Decimal("250.00"), 1)
    assert not PausedDialog.objects.exists() and not fints.is_busy(connection)
    # The sent transfer shows up once on the next statement, with our end-to-end id.
    fints.connection_sync(connection)
    end_to_end = order.transfers.get().end_to_end_id
    booked = Transaction.objects.filter(account=order.account, end_to_end_id=end_to_end)
    assert [t.amount for t in booked] == [Decimal("-250.00")]
    actions = list(AuditEvent.objects.filter(object_type="payments.paymentorder", object_id=str(order.pk))
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["payment.created", "payment.pending_approval", "payment.approved", "payment.queued",
                       "payment.sending", "payment.tan_pending", "payment.accepted"]


def test_close_match_shows_the_banks_name_and_needs_confirmation(approved, approver, bank):
    order = send(approved(name="Stahlhandel Nord"), approver)
    assert order.state == State.VOP_PENDING
    assert order.payee_check["result"] == "RVMC"
    assert order.payee_check["registered_name"] == SUPPLIER.name
    assert order.payee_check["notice"], "the bank's words on liability are shown"
    assert not bank.ledger.orders and not bank.pending_tasks()
    submission.order_confirm_payee(order, user=approver)
    order.refresh_from_db()
    assert order.state == State.TAN_PENDING
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.ACCEPTED and len(executed(bank, order)) == 1


def test_no_match_refused_is_never_executed(approved, approver, bank, connection):
    order = send(approved(name="Max Mustermann"), approver)
    assert order.state == State.VOP_PENDING and order.payee_check["result"] == "RVNM"
    submission.order_refuse_payee(order, user=approver)
    order.refresh_from_db()
    assert order.state == State.CANCELLED and render(order.note)
    assert not bank.ledger.orders
    assert not PausedDialog.objects.exists() and not fints.is_busy(connection)
    with pytest.raises(services.StateChanged):
        submission.order_confirm_payee(order, user=approver)


def test_wrong_tan_can_be_given_again(approved, approver, bank):
    order = send(approved(), approver)
    with pytest.raises(client.TanWrong):
        submission.order_give_tan(order, tan="000000", user=approver)
    order.refresh_from_db()
    assert order.state == State.TAN_PENDING and not bank.ledger.orders
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.ACCEPTED and len(executed(bank, order)) == 1


def test_decoupled_confirmation_is_polled(approved, approver, bank, connection):
    fints.connection_choose_tan(connection, method="946")
    bank.settings.decoupled_confirm_after_polls = None
    order = send(approved(), approver)
    assert submission.order_step(order).challenge.decoupled
    submission.order_give_tan(order, tan="", user=approver)
    order.refresh_from_db()
    assert order.state == State.TAN_PENDING and not bank.ledger.orders
    bank.confirm_decoupled()
    submission.order_give_tan(order, tan="", user=approver)
    order.refresh_from_db()
    assert order.state == State.ACCEPTED and len(executed(bank, order)) == 1


def test_tan_at_login_then_the_order_goes_out(approved, approver, bank):
    bank.settings.sca_interval = timedelta(0)  # the 90 days have passed
    order = send(approved(), approver)
    assert order.state == State.TAN_PENDING and submission.order_step(order).login
    submission.order_give_tan(order, tan=TAN, user=approver)  # the login's TAN
    order.refresh_from_db()
    assert order.state == State.TAN_PENDING and not submission.order_step(order).login
    submission.order_give_tan(order, tan=TAN, user=approver)  # the order's TAN
    order.refresh_from_db()
    assert order.state == State.ACCEPTED and len(executed(bank, order)) == 1


@pytest.mark.parametrize("fault", ["drop_after_order", "http_500_after_order"])
def test_lost_answer_makes_the_outcome_unknown_and_nothing_is_resent(approved, approver, bank, sandbox, fault):
    order = send(approved(), approver)
    sandbox.faults.set(fault)
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.UNKNOWN and "not known" in render(order.bank_said)
    assert len(executed(bank, order)) == 1, "the bank did execute it"
    assert faults_hit(sandbox) == [(THE_TAN, fault)]
    assert submission.order_transmit(order) == State.UNKNOWN  # a second run of the task sends nothing
    assert len(executed(bank, order)) == 1
    with pytest.raises(services.StateChanged):
        services.order_queue(order, user=approver)


def test_wrong_pin_sends_nothing_and_the_order_can_be_sent_again(approved, approver, bank, connection):
    fints.pin_handover(connection, pin="99999", keep=True)
    order = send(approved(), approver)
    assert order.state == State.APPROVED and "PIN" in render(order.note)
    assert not bank.ledger.orders
    send(order, approver, pin=bank.customers[LOGIN].pin)
    assert order.state == State.TAN_PENDING


def test_creator_cannot_approve_and_the_database_agrees(company, member, approver, account):
    transfer = services.TransferInput(payee_name=SUPPLIER.name, iban=SUPPLIER.iban, amount=Decimal("10.00"))
    order = services.order_create(company, user=approver, account=account, requested_date=timezone.localdate(),
                                  transfers=[transfer])
    services.order_submit(order, user=approver)
    with pytest.raises(services.FourEyes):
        services.order_approve(order, user=approver)
    with pytest.raises(IntegrityError), transaction.atomic():
        order.transfers.update(approved_by=approver)
    order.refresh_from_db()
    assert order.state == State.PENDING_APPROVAL


def test_changed_content_cannot_be_approved(approved, company, member, approver, account):
    transfer = services.TransferInput(payee_name=SUPPLIER.name, iban=SUPPLIER.iban, amount=Decimal("10.00"))
    order = services.order_create(company, user=member, account=account, requested_date=timezone.localdate(),
                                  transfers=[transfer])
    services.order_submit(order, user=member)
    order.transfers.update(amount=Decimal("10000.00"))
    with pytest.raises(services.StateChanged, match="changed"):
        services.order_approve(order, user=approver)


def test_bad_input_names_the_field(company, member, account):
    transfer = services.TransferInput(payee_name="", iban="DE00 1234", amount=Decimal("5.00"))
    with pytest.raises(services.PaymentInvalid) as invalid:
        services.order_create(company, user=member, account=account, requested_date=timezone.localdate(),
                              transfers=[transfer])
    fields = {p.field for p in invalid.value.problems}
    assert {"transfers[0].creditor.iban", "transfers[0].creditor.name"} <= fields
    assert not PaymentOrder.objects.exists()


def test_queued_pain_message_is_kept_and_validates(approved, approver, bank):
    from lxml import etree

    from shared_data import shared_path

    order = send(approved(), approver)
    xsd = etree.XMLSchema(etree.parse(str(shared_path("xsd", "pain.001.001.09_GBIC_4.xsd"))))
    [attempt] = order.attempts.all()
    assert attempt.schemas_checked == ["pain.001.001.09", "pain.001.001.09_GBIC_4"]
    document = etree.fromstring(bytes(attempt.pain))
    xsd.assertValid(document)
    namespace = {"p": document.nsmap[None]}
    assert document.findtext(".//p:MsgId", namespaces=namespace) == order.message_id
    assert document.findtext(".//p:EndToEndId", namespaces=namespace) == order.transfers.get().end_to_end_id


def expire_dialog():
    """15 minutes later: the bank has ended the dialog, and its claim on the login ran out with it."""
    past = timezone.now() - timedelta(seconds=1)
    PausedDialog.objects.update(expires_at=past)
    BankConnection.objects.update(locked_until=past)


def test_a_lapsed_payee_check_goes_back_to_approved_and_can_be_sent_again(approved, approver, bank):
    order = send(approved(name="Max Mustermann"), approver)
    assert order.state == State.VOP_PENDING
    expire_dialog()
    submission.order_lapse(order)
    order.refresh_from_db()
    assert order.state == State.APPROVED and "did not execute" in render(order.note) and not bank.ledger.orders
    assert send(order, approver).state == State.VOP_PENDING


def test_a_lapsed_app_confirmation_is_unknown(approved, approver, bank, connection):
    fints.connection_choose_tan(connection, method="946")
    bank.settings.decoupled_confirm_after_polls = None
    order = send(approved(), approver)
    assert order.state == State.TAN_PENDING
    expire_dialog()
    submission.order_lapse(order)
    order.refresh_from_db()
    assert order.state == State.UNKNOWN and "may have been executed" in render(order.bank_said)


def test_a_waiting_order_with_a_live_dialog_does_not_lapse(approved, approver):
    order = send(approved(), approver)
    submission.order_lapse(order)
    order.refresh_from_db()
    assert order.state == State.TAN_PENDING


def accepted(order, approver):
    send(order, approver)
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.ACCEPTED
    return order


def test_the_statement_books_the_order(approved, approver, connection, company, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from kassenwart.flows.tasks import sync_connection_task

    order = accepted(approved(), approver)
    with django_capture_on_commit_callbacks(execute=True):
        sync_connection_task.call(connection.pk)
    follow = DBTaskResult.objects.filter(task_path__endswith="after_import_task")
    assert follow and {tuple(t.args_kwargs["args"]) for t in follow} == {(company.pk,)}, "the sync asks for it"
    followed = services.orders_follow_statements(company)
    assert (followed.booked, followed.returned) == (1, 0)
    order.refresh_from_db()
    assert order.state == State.BOOKED and order.booked_at is not None
    followed = services.orders_follow_statements(company)
    assert (followed.booked, followed.returned) == (0, 0)


def test_a_transfer_to_a_closed_account_comes_back_returned(approved, approver, connection, company, bank):
    order = accepted(approved(name=CLOSED_ACCOUNT.name, iban=CLOSED_ACCOUNT.iban), approver)
    fints.connection_sync(connection)
    services.orders_follow_statements(company)
    order.refresh_from_db()
    assert order.state == State.BOOKED
    bank.clock.advance(days=3)  # the payee's bank sends it back (AC04: account closed)
    fints.connection_sync(connection)
    assert services.orders_follow_statements(company).returned == 1
    order.refresh_from_db()
    assert order.state == State.RETURNED and "AC04" in render(order.bank_said)


def test_a_person_settles_an_unknown_outcome(approved, approver, sandbox):
    order = send(approved(), approver)
    sandbox.faults.drop_after_order = 1
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    services.order_resolve(order, user=approver, executed=True, note="Im Bankportal gesehen")
    order.refresh_from_db()
    assert order.state == State.ACCEPTED and render(order.note) == "Im Bankportal gesehen"
    with pytest.raises(services.StateChanged):
        services.order_resolve(order, user=approver, executed=False, note="")


def test_an_asynchronous_payee_check_is_waited_for(approved, approver, bank):
    bank.settings.vop_polls, bank.settings.vop_wait_seconds = 2, 0  # the result comes with the third ask
    order = send(approved(name="Stahlhandel Nord"), approver)
    assert order.state == State.VOP_PENDING and order.payee_check["registered_name"] == SUPPLIER.name
    submission.order_confirm_payee(order, user=approver)
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.ACCEPTED and len(executed(bank, order)) == 1


def test_a_payee_check_that_never_finishes_sends_nothing(approved, approver, bank, monkeypatch):
    from kassenwart.banking.fints import client as connector

    monkeypatch.setattr(connector, "VOP_MAX_POLLS", 2)
    bank.settings.vop_polls, bank.settings.vop_wait_seconds = 5, 0
    order = send(approved(), approver)
    assert order.state == State.APPROVED and "did not finish" in render(order.note)
    assert not bank.ledger.orders and not bank.pending_tasks()
    bank.settings.vop_polls = 0
    assert send(order, approver).state == State.TAN_PENDING  # later it goes through


@pytest.mark.parametrize("claimed_by", ["", "live"], ids=["unnamed claim", "claim of a live process that failed"])
def test_the_clock_moves_on_what_nobody_will(approved, approver, bank, claimed_by):
    waiting = send(approved(name="Max Mustermann"), approver)
    stuck = approved()
    services.order_queue(stuck, user=approver)
    PaymentOrder.objects.filter(pk=stuck.pk).update(
        state=State.SENDING, sending_started_at=timezone.now(), claimed_by=workers.current() if claimed_by else "")
    assert submission.orders_recover() == 0  # recovery leaves a live process's claim alone
    assert submission.orders_sweep() == 0  # the dialog is alive, the send is recent
    expire_dialog()
    later = timezone.now() + submission.SENDING_STALLED + timedelta(seconds=1)
    assert submission.orders_sweep(later) == 2
    waiting.refresh_from_db()
    stuck.refresh_from_db()
    assert waiting.state == State.APPROVED and stuck.state == State.UNKNOWN and "half way" in render(stuck.bank_said)
    assert submission.orders_sweep(later) == 0


@pytest.mark.parametrize("fault", AT_DIALOG_END)
def test_a_failing_dialog_end_does_not_undo_an_accepted_order(approved, approver, bank, sandbox, connection, fault):
    order = send(approved(), approver)
    sandbox.faults.set(fault)  # HKEND: a reset, HTTP 500, a cut-off answer or an error answer
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.ACCEPTED and len(executed(bank, order)) == 1
    assert faults_hit(sandbox) == [(("HKEND",), fault)], "the dialog end did fail"
    assert not PausedDialog.objects.exists() and not fints.is_busy(connection)


def test_an_unreadable_answer_after_the_tan_is_unknown_not_rejected(approved, approver, bank, sandbox, connection):
    order = send(approved(), approver)
    sandbox.faults.garble_after_order = 1  # the bank executes; its answer arrives cut off
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.UNKNOWN and "not known" in render(order.bank_said)
    assert len(executed(bank, order)) == 1
    assert faults_hit(sandbox) == [(THE_TAN, "garble_after_order")]
    assert not PausedDialog.objects.exists() and not fints.is_busy(connection)


def test_a_refusal_before_anything_is_sent_goes_back_to_approved(company, member, approver, account, bank, sandbox,
                                                                 connection):
    # The bank's parameters (BPD) offer no instant batch (HKIPM): python-fints refuses it
    # before it sends anything.
    transfers = [services.TransferInput(payee_name=s.name, iban=s.iban, amount=Decimal("10.00"), remittance="ER-78")
                 for s in SUPPLIERS[:2]]
    order = services.order_create(company, user=member, account=account, requested_date=timezone.localdate(),
                                  transfers=transfers, instant=True)
    services.order_submit(order, user=member)
    services.order_approve(order, user=approver)
    order = send(order, approver)
    assert not any("HKIPM" in e.segments for e in sandbox.exchanges), "nothing went out"
    assert not bank.ledger.orders and not bank.pending_tasks()
    assert order.state == State.APPROVED and "does not offer" in render(order.note), (order.state, order.bank_said)
    assert not fints.is_busy(connection)


def test_an_account_the_bank_does_not_let_send_transfers_exports_a_file(approved, approver, account, bank):
    savings = BankAccount.objects.get(connection=account.connection, kind=BankAccount.Kind.SAVINGS)
    [at_the_bank] = [a for a in bank.customers[LOGIN].accounts if a.iban == savings.iban]
    assert "HKCCS" not in at_the_bank.operations and "transfer" not in savings.fints_operations  # its UPD says so
    order = approved(source=savings)
    assert order.delivery == PaymentOrder.Delivery.FILE  # decided when drafting, so nobody waits for a TAN
    services.order_queue(order, user=approver)
    order.refresh_from_db()
    assert order.state == State.EXPORTED and order.attempts.get().delivery == "file"
    assert not bank.ledger.orders and not bank.pending_tasks()


def test_an_account_whose_rights_are_not_known_gets_the_banks_refusal(approved, approver, account, bank):
    savings = BankAccount.objects.get(connection=account.connection, kind=BankAccount.Kind.SAVINGS)
    BankAccount.objects.filter(pk=savings.pk).update(fints_operations=[])  # not known: the bank decides
    savings.refresh_from_db()
    order = send(approved(source=savings), approver)  # python-fints sends it all the same
    assert order.state == State.REJECTED and "9210" in render(order.bank_said) and "nicht zugelassen" in render(order.bank_said)
    assert not bank.ledger.orders and not bank.pending_tasks()


def test_nobody_acts_on_an_order_whose_answer_is_at_the_bank(approved, approver, bank):
    order = send(approved(), approver)
    assert submission._claim(order, [State.TAN_PENDING])  # a request is giving the TAN right now ...
    PausedDialog.objects.all().delete()  # ... and has taken the paused dialog to do it
    assert submission.order_lapse(order) == 0 and submission.orders_sweep() == 0
    with pytest.raises(services.StateChanged, match="right now"):
        submission.order_give_tan(order, tan=TAN, user=approver)  # a second tab, a double click
    order.refresh_from_db()
    assert order.state == State.TAN_PENDING and not bank.ledger.orders


def test_an_app_confirmation_that_never_arrives_is_unknown_not_approved(approved, approver, bank, connection):
    fints.connection_choose_tan(connection, method="946")
    bank.settings.decoupled_confirm_after_polls = None
    order = send(approved(), approver)
    assert order.waiting_for == PaymentOrder.WaitingFor.APP
    PausedDialog.objects.update(polls=fints.MAX_DECOUPLED_POLLS)
    submission.order_give_tan(order, tan="", user=approver)
    order.refresh_from_db()
    assert order.state == State.UNKNOWN, "the person may confirm in the app a minute later"


def test_the_creator_cannot_wave_through_a_payee_mismatch(company, make_user, approver, account, bank):
    admin = make_user(company, "admin", "second-approver")
    transfer = services.TransferInput(payee_name="Max Mustermann", iban=SUPPLIER.iban, amount=Decimal("99.00"))
    order = services.order_create(company, user=approver, account=account, requested_date=timezone.localdate(),
                                  transfers=[transfer])
    services.order_submit(order, user=approver)
    services.order_approve(order, user=admin)
    order = send(order, approver)
    assert order.state == State.VOP_PENDING
    with pytest.raises(services.FourEyes):
        submission.order_confirm_payee(order, user=approver)
    submission.order_confirm_payee(order, user=admin)
    order.refresh_from_db()
    assert order.state == State.TAN_PENDING


def test_a_queued_order_can_still_be_cancelled(approved, approver, bank):
    order = approved()
    services.order_queue(order, user=approver)
    services.order_cancel(order, user=approver, reason="falscher Betrag")
    assert submission.order_transmit(order) == State.CANCELLED and not bank.ledger.orders


def test_a_busy_login_sends_the_order_again_later(approved, approver, bank, connection,
                                                 django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    bank.settings.sca_interval = timedelta(0)
    assert fints.connection_sync(connection, interactive=True).needs_tan  # a sync waits for its TAN
    order = approved()
    services.order_queue(order, user=approver)
    with django_capture_on_commit_callbacks(execute=True):
        assert submission.order_transmit(order) == State.QUEUED
    assert not bank.ledger.orders
    [again] = DBTaskResult.objects.filter(task_path__endswith="send_order_task")
    assert again.run_after > timezone.now()


def test_a_second_attempt_sends_the_same_ids_and_both_are_kept(approved, approver, bank, connection):
    fints.pin_handover(connection, pin="99999", keep=True)
    order = send(approved(), approver)
    first = (order.message_id, order.transfers.get().end_to_end_id)
    send(order, approver, pin=bank.customers[LOGIN].pin)
    assert (order.message_id, order.transfers.get().end_to_end_id) == first
    assert [a.outcome for a in order.attempts.all()] == [State.APPROVED, ""]  # not sent; under way


def test_a_passed_execution_date_goes_out_as_today(approved, approver, bank):
    order = approved()
    PaymentOrder.objects.filter(pk=order.pk).update(requested_date=timezone.localdate() - timedelta(days=3))
    order.refresh_from_db()
    with pytest.raises(services.StateChanged, match="changed"):
        services.order_queue(order, user=approver)  # the date is part of what was approved ...
    order.payload_hash = digest(order)
    PaymentOrder.objects.filter(pk=order.pk).update(payload_hash=order.payload_hash)
    services.order_queue(order, user=approver)  # ... and once approved so, it goes out today
    assert order.attempts.get().requested_date == timezone.localdate()


def test_services_ask_the_role_too(approved, member):
    order = approved()
    with pytest.raises(services.NotAllowed):
        services.order_queue(order, user=member)


def test_only_its_creator_or_an_approver_submits_a_draft(company, member, make_user, account):
    colleague = make_user(company, "member", "colleague")
    transfer = services.TransferInput(payee_name=SUPPLIER.name, iban=SUPPLIER.iban, amount=Decimal("10.00"))
    order = services.order_create(company, user=member, account=account, requested_date=timezone.localdate(),
                                  transfers=[transfer])
    with pytest.raises(services.NotAllowed):
        services.order_submit(order, user=colleague)
    services.order_submit(order, user=member)
    assert order.state == State.PENDING_APPROVAL


def test_a_connection_in_error_is_ok_again_once_the_bank_answers(approved, approver, connection):
    BankConnection.objects.filter(pk=connection.pk).update(state=BankConnection.State.ERROR,
                                                           last_error=message("banking.as_written", text="timeout"))
    send(approved(), approver)
    connection.refresh_from_db()
    assert (connection.state, connection.last_error) == (BankConnection.State.OK, None)


@contextmanager
def dying_while_the_bank_holds_its_answer(sandbox) -> Iterator[None]:
    """SIGINT to this thread (the web process's) once the sandbox holds an answer: the
    process ends while it waits for the bank's reply, as when it is stopped or restarted."""
    main = threading.current_thread()
    assert main is threading.main_thread(), "signals reach the main thread only"
    done = threading.Event()

    def interrupt():
        while not done.is_set():
            if sandbox.faults.holding.wait(0.05):
                signal.pthread_kill(main.ident, signal.SIGINT)
                return

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    killer = threading.Thread(target=interrupt, daemon=True)
    killer.start()
    try:
        yield
    finally:
        done.set()
        killer.join(5)
        signal.signal(signal.SIGINT, previous)
        sandbox.faults.release()


def test_an_answer_whose_reply_never_came_back_is_unknown(approved, approver, bank, sandbox):
    order = send(approved(), approver)
    sandbox.faults.hold_after_order = 1  # the bank executes and keeps its reply
    with dying_while_the_bank_holds_its_answer(sandbox), pytest.raises(KeyboardInterrupt):
        submission.order_give_tan(order, tan=TAN, user=approver)
    assert len(executed(bank, order)) == 1
    assert faults_hit(sandbox) == [(THE_TAN, "hold_after_order")]
    order.refresh_from_db()
    assert order.state == State.TAN_PENDING and order.answer_sent_at is not None, "nothing recorded but the answer"
    assert submission.orders_sweep() == 1
    order.refresh_from_db()
    assert order.state == State.UNKNOWN and "never came back" in render(order.bank_said)


def test_a_failure_after_the_bank_accepted_is_unknown(approved, approver, bank, monkeypatch):
    from django.db import DatabaseError

    order = send(approved(), approver)

    def locked(connection, client_state):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(orders, "keep_client_state", locked)
    with pytest.raises(DatabaseError):
        submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.UNKNOWN and len(executed(bank, order)) == 1


def test_a_lost_answer_with_a_failing_dialog_end_stays_unknown(approved, approver, bank, sandbox, connection):
    order = send(approved(), approver)
    sandbox.faults.drop_after_order = 1
    sandbox.faults.drop_at_dialog_end = 1  # still no connection when the client ends the dialog
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.UNKNOWN and "not known" in render(order.bank_said) and len(executed(bank, order)) == 1
    assert faults_hit(sandbox) == [(THE_TAN, "drop_after_order"), (("HKEND",), "drop_at_dialog_end")]
    assert not PausedDialog.objects.exists() and not fints.is_busy(connection)


def test_a_tan_the_bank_no_longer_waits_for_sends_nothing(approved, approver, bank):
    order = send(approved(), approver)
    bank.clock.advance(minutes=16)  # the bank ends the dialog after 15 minutes
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.APPROVED and "ended the dialog" in render(order.note) and not bank.ledger.orders, (order.bank_said, order.note)
    assert send(order, approver).state == State.TAN_PENDING  # a new dialog, a new TAN
