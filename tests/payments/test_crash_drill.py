"""Crash drill: real processes, killed with SIGKILL from outside at seeded points while they
send an order and while they answer the bank for it (payee check, TAN), against the sandbox
bank over HTTP. Whatever the point, the bank executes each order at most once, and every
order ends accepted, rejected, approved (provably not sent: and then sent again, once) or
unknown; nothing waits for a claim to run out.

Each seed is one process, forked from this one once Django is set up (a fresh interpreter
would cost seconds a seed). It does what `serve` does: start up (register itself and recover
what dead processes held, runtime.worker.start_up), queue the order as the approver's click
does, run the real task worker until the queue is empty, then give the payee check and the TAN
as the web request would. KASSENWART_TEST_CRASH_AT (core/crash_points.py) makes it stop at the
seed's point and say so; this process then kills it with SIGKILL. The next seed's process
recovers what it left. SQLite's test database lives in memory, so the drill copies it to a
file for the processes and back afterwards.

KASSENWART_CRASH_SEEDS (50) and KASSENWART_CRASH_FIRST_SEED (0) choose the seeds;
scripts/crash-drill runs many and prints each seed's outcome.
"""

import os
import random
import signal
import sqlite3
import time
import traceback
from dataclasses import dataclass

import pytest
from django.db import connection, connections
from order_steps import SUPPLIER, executed, send

from kassenwart.core.append_only import append_only
from kassenwart.payments import services, submission
from kassenwart.payments.models import PaymentOrder
from kassenwart.runtime.worker import make_worker, recover, start_up

from fints_fixtures import TAN

State = PaymentOrder.State
SEEDS = int(os.environ.get("KASSENWART_CRASH_SEEDS", "50"))
FIRST_SEED = int(os.environ.get("KASSENWART_CRASH_FIRST_SEED", "0"))
# Where a process may die, and how often the point is reached in one order's way to the bank
# (the payee check adds an answer): the seed picks one, or none.
POINTS = {
    "order.sending": 1,  # "sending" committed, the bank not called yet
    "order.before_transmit": 1,  # logged in; the order's mark committed, the order not sent
    "order.after_transmit": 1,  # the bank has the order and answered; nothing written yet
    "order.answered": 3,  # a step's answer is in, its new state not yet written
    "order.answer_marked": 2,  # a person's answer is marked as going out, not yet sent
}
APPEND_ONLY = ["banking_transaction", "core_auditevent"]
ENDINGS = {State.ACCEPTED, State.REJECTED, State.APPROVED, State.UNKNOWN}
WAIT = 600  # seconds for one process to reach its point or finish: generous for a loaded machine


@dataclass
class Seed:
    number: int
    point: str | None
    reached: int
    payee: str
    order: PaymentOrder | None = None
    killed: bool = False

    @classmethod
    def drawn(cls, number: int) -> "Seed":
        rng = random.Random(number)
        point = rng.choice([*POINTS, None])
        return cls(number, point, rng.randint(1, POINTS[point]) if point else 0,
                   rng.choice([SUPPLIER.name, "Max Mustermann"]))  # the second needs the payee check


def sends_and_answers(order_id: int, approver) -> None:
    """The process: what `serve` does for one order, from start-up to the TAN."""
    start_up()
    order = PaymentOrder.objects.select_related("company").get(pk=order_id)
    services.order_queue(order, user=approver, via="drill")
    make_worker(interval=0.1, batch=True).run()
    for _ in range(3):
        order = PaymentOrder.objects.select_related("account__connection", "company").get(pk=order_id)
        if order.state == State.VOP_PENDING:
            submission.order_confirm_payee(order, user=approver, via="drill")
        elif order.state == State.TAN_PENDING:
            submission.order_give_tan(order, tan=TAN, user=approver, via="drill")


def run_one(seed: Seed, approver, report: str, database_file: str | None) -> None:
    """Fork the seed's process; kill it when it reports its point; wait for it either way."""
    connections.close_all()  # the child opens its own (in-memory SQLite stays open here)
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            if database_file:
                kept = connection.connection  # noqa: F841 (the parent's in-memory database: left as it is)
                connection.connection, connection.settings_dict["NAME"] = None, database_file
            if seed.point:
                os.environ["KASSENWART_TEST_CRASH_AT"] = f"{seed.point}:{seed.reached}"
                os.environ["KASSENWART_TEST_CRASH_REPORT"] = report
            sends_and_answers(seed.order.pk, approver)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0, f"seed {seed.number}: the process failed"
            return
        if os.path.exists(report) and open(report).read().strip():
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
            os.remove(report)
            seed.killed = True
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail(f"seed {seed.number}: neither reached {seed.point}:{seed.reached} nor finished in {WAIT} s")


def copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    source.backup(target)


@pytest.fixture
def committed(transactional_db):
    """Committed rows, as other processes need them. Afterwards the rows of the append-only
    tables go first, on SQLite with their triggers lifted for a moment: the test database is
    emptied with DELETE there, which the triggers refuse (PostgreSQL's TRUNCATE passes them)."""
    yield
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in APPEND_ONLY:
            forward, backward = append_only(table)
            with connection.schema_editor() as editor:
                backward(None, editor)
            cursor.execute(f"DELETE FROM {table}")
            with connection.schema_editor() as editor:
                forward(None, editor)


def test_killed_processes_never_execute_an_order_twice_and_leave_none_waiting(committed, approved, approver, bank,
                                                                              tmp_path):
    seeds = [Seed.drawn(n) for n in range(FIRST_SEED, FIRST_SEED + SEEDS)]
    for seed in seeds:
        seed.order = approved(name=seed.payee)
    report = str(tmp_path / "crash-point")
    in_memory = connection.vendor == "sqlite"
    database_file = str(tmp_path / "drill.sqlite3") if in_memory else None
    if in_memory:
        connection.ensure_connection()
        with sqlite3.connect(database_file) as file:
            copy(connection.connection, file)
    for seed in seeds:
        run_one(seed, approver, report, database_file)
    if in_memory:
        with sqlite3.connect(database_file) as file:
            copy(file, connection.connection)
    recover()  # what the next start-up does after the last kill

    lines, resent = [], []
    for seed in seeds:
        order = seed.order
        order.refresh_from_db()
        times = len(executed(bank, order))
        where = f"killed at {seed.point}:{seed.reached}" if seed.killed else "not killed"
        lines.append(f"seed {seed.number}: {where}, payee {seed.payee!r} -> {order.state}, executed {times}x")
        assert order.state in ENDINGS, lines[-1]
        assert order.claimed_by == "" and order.answer_sent_at is None, lines[-1]
        assert times <= 1, lines[-1]
        if order.state in (State.ACCEPTED, State.APPROVED):
            assert times == (order.state == State.ACCEPTED), lines[-1]
        if not seed.killed:
            assert order.state == State.ACCEPTED, lines[-1]
        if order.state == State.APPROVED:
            resent.append(order)
    print("\n" + "\n".join(lines))
    assert not bank.ledger.resubmitted, "an executed order was sent again"
    for order in resent:  # provably not sent: it may go again, and the bank executes it once
        order = send(order, approver)
        for _ in range(2):
            if order.state == State.VOP_PENDING:
                submission.order_confirm_payee(order, user=approver)
            elif order.state == State.TAN_PENDING:
                submission.order_give_tan(order, tan=TAN, user=approver)
            order.refresh_from_db()
        assert order.state == State.ACCEPTED and len(executed(bank, order)) == 1
    killed = sum(seed.killed for seed in seeds)
    print(f"{len(seeds)} seeds, {killed} processes killed with SIGKILL, {len(resent)} orders provably unsent and "
          f"sent again, 0 executed twice")
    assert killed, "no seed reached its point: the drill tested nothing"
