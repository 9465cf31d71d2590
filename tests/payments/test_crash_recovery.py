"""After a crash: an order whose claim belongs to a dead process is moved on at once (at
start-up and on the clock's next tick), to unknown when it may have reached the bank and back
to approved only when it provably did not. How a claim names its process: core/workers.py.

These build the dead process's claim in the database; test_crash_drill.py kills real ones."""

import os
import socket
from datetime import timedelta

import pytest
from django.utils import timezone
from order_steps import executed, send

from kassenwart.banking import fints
from kassenwart.banking.models import BankConnection, PausedDialog
from kassenwart.core import workers
from kassenwart.core.messages import render
from kassenwart.core.models import WorkerProcess
from kassenwart.payments import services, submission
from kassenwart.payments.models import PaymentOrder
from kassenwart.runtime.worker import recover

from fints_fixtures import TAN

State = PaymentOrder.State


def a_dead_process(**fields) -> str:
    """A process of this host that has ended: its pid now runs another program (ours), started
    at another time. The pid alone would call it alive."""
    me = WorkerProcess.objects.get(id=workers.current())
    fields = {"host": me.host, "pid": os.getpid(), "pid_space": me.pid_space, "pid_started": (me.pid_started or 0) - 1,
              "beat_at": timezone.now(), **fields}
    return WorkerProcess.objects.create(id=os.urandom(16).hex(), **fields).id


def sending(order, approver, claimed_by: str, *, marked: bool = False) -> PaymentOrder:
    services.order_queue(order, user=approver)
    PaymentOrder.objects.filter(pk=order.pk).update(state=State.SENDING, sending_started_at=timezone.now(),
                                                    claimed_by=claimed_by,
                                                    answer_sent_at=timezone.now() if marked else None)
    return order


def test_a_reused_pid_is_not_taken_for_the_process_that_had_it(db):
    assert workers.dead({workers.current()}) == set()
    assert workers.dead({a_dead_process()}) != set()
    assert workers.dead({"never-registered"}) == {"never-registered"}


@pytest.mark.parametrize("where", ["another host", "another container"])
def test_a_process_out_of_sight_is_dead_once_its_heartbeat_is_stale(db, where):
    boot = WorkerProcess.objects.get(id=workers.current()).pid_space.split(" ")[0]
    quiet = a_dead_process(**{"another host": {"host": "elsewhere", "pid_space": ""},
                              "another container": {"pid_space": f"{boot} pid:[1]"}}[where])
    assert workers.dead({quiet}) == set()  # it may be at work: nothing tells from here
    WorkerProcess.objects.filter(id=quiet).update(beat_at=timezone.now() - workers.STALE - timedelta(seconds=1))
    assert workers.dead({quiet}) == {quiet}


def test_a_process_from_before_the_machine_booted_is_dead(db):
    me = WorkerProcess.objects.get(id=workers.current())
    assert workers.dead({a_dead_process(pid_space="an-earlier-boot " + me.pid_space.split(" ")[1])}) != set()


def test_an_order_whose_worker_died_before_it_reached_the_bank_goes_back_to_approved(approved, approver, bank):
    order = sending(approved(), approver, a_dead_process())
    assert recover() == 1
    order.refresh_from_db()
    assert (order.state, order.claimed_by) == (State.APPROVED, "") and "was not sent" in render(order.note)
    assert order.attempts.get().outcome == State.APPROVED
    assert send(order, approver).state == State.TAN_PENDING  # and it may go again, with the same ids


def test_an_order_whose_worker_died_after_it_may_have_reached_the_bank_is_unknown(approved, approver, bank):
    order = sending(approved(), approver, a_dead_process(), marked=True)
    assert recover() == 1
    order.refresh_from_db()
    assert order.state == State.UNKNOWN and "not be sent again" in render(order.bank_said)
    assert submission.order_transmit(order) == State.UNKNOWN and not bank.ledger.orders


def test_an_order_of_a_live_worker_is_left_alone(approved, approver):
    order = sending(approved(), approver, workers.current())
    assert recover() == 0
    order.refresh_from_db()
    assert order.state == State.SENDING


def test_a_tan_answer_that_died_before_it_left_frees_the_order_for_the_tan(approved, approver, bank):
    order = send(approved(), approver)
    PaymentOrder.objects.filter(pk=order.pk).update(claimed_by=a_dead_process(),
                                                    claimed_until=timezone.now() + submission.CLAIM)
    assert recover() == 1
    order.refresh_from_db()
    assert (order.state, order.claimed_until, order.claimed_by) == (State.TAN_PENDING, None, "")
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.ACCEPTED and len(executed(bank, order)) == 1


def test_a_tan_answer_that_died_after_it_left_is_unknown_and_its_dialog_ends(approved, approver, bank, connection):
    order = send(approved(), approver)
    PaymentOrder.objects.filter(pk=order.pk).update(claimed_by=a_dead_process(), answer_sent_at=timezone.now(),
                                                    claimed_until=timezone.now() + submission.CLAIM)
    assert recover() == 1
    order.refresh_from_db()
    assert order.state == State.UNKNOWN
    assert not PausedDialog.objects.exists() and not fints.is_busy(BankConnection.objects.get(pk=connection.pk))


def test_a_worker_taken_for_dead_that_wakes_up_sends_nothing(approved, approver, bank):
    """Recovery moved the order back to approved; the old process, paused meanwhile, goes on:
    its mark that the order leaves now fails, so the order message never goes out."""
    order = sending(approved(), approver, a_dead_process())
    recover()
    order.state = State.SENDING  # what the old process still believes
    with pytest.raises(services.StateChanged, match="moved on"):
        submission._mark_answer_sent(order, timezone.now())
    order.refresh_from_db()
    assert order.state == State.APPROVED and order.answer_sent_at is None and not bank.ledger.orders


def test_a_login_held_by_a_dead_process_is_freed_but_not_one_a_paused_dialog_holds(approved, approver, connection):
    BankConnection.objects.filter(pk=connection.pk).update(
        lock_token="t1", locked_by=a_dead_process(), locked_until=timezone.now() + timedelta(minutes=20))
    assert fints.connections_recover() == 1
    assert not fints.is_busy(BankConnection.objects.get(pk=connection.pk))
    send(approved(), approver)  # the TAN step pauses a dialog that holds the login
    BankConnection.objects.filter(pk=connection.pk).update(locked_by=a_dead_process())
    assert fints.connections_recover() == 0
    assert fints.is_busy(BankConnection.objects.get(pk=connection.pk))


def test_a_process_that_stops_cleanly_leaves_no_row(db):
    me = workers.current()
    workers.stopped()
    assert not WorkerProcess.objects.filter(id=me).exists()
    assert workers.current() != me and socket.gethostname()
