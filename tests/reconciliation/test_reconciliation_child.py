"""A large matching run decides in a child interpreter (engine_child) while it writes: the
child decides as the run's own process would, and a child that fails, or is killed, or is
left behind by a run that failed, leaves nothing written and nothing running."""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from offload_children import gone, offload_children

from kassenwart.banking.services import statement_import
from kassenwart.core.models import AuditEvent
from kassenwart.core.offload import OffloadError
from kassenwart.receivables.models import Invoice
from kassenwart.receivables.services import invoice_import
from kassenwart.reconciliation import engine_child, rows, services
from kassenwart.reconciliation.convert import engine_config, engine_knowledge
from kassenwart.reconciliation.engine_child import EngineChild
from kassenwart.reconciliation.models import Allocation, Match, MatchingConfig, TransactionState
from kassenwart.reconciliation.services import reconcile_company

from reconciliation_books import INVOICES, open_books, refuse_automatic_match_events
from shared_data import REPO


@pytest.fixture
def workload_books(company, tmp_path):
    """The benchmarks' labelled workload, small: 400 open invoices of every kind, a statement
    of 300 lines (Skonto, fees, installments, collective payments, typos, noise ...)."""
    spec = importlib.util.spec_from_file_location("workload", REPO / "benchmarks" / "workload.py")
    workload = sys.modules["workload"] = importlib.util.module_from_spec(spec)  # its dataclasses look there
    spec.loader.exec_module(workload)
    work = workload.build(400)
    work.write_invoices_csv(tmp_path / "invoices.csv")
    work.write_statement(tmp_path / "statement.xml")
    invoice_import(company, (tmp_path / "invoices.csv").read_bytes())
    statement_import(company, tmp_path / "statement.xml")
    return company


def _plain(decision) -> tuple:
    """A decision with what equality of its reasons leaves out: their keys and parameters."""
    proposals = ([decision.match] if decision.match else []) + list(decision.suggestions)
    said = [[(reason.key, reason.params) for reason in proposal.reasons] for proposal in proposals]
    return decision, said, getattr(decision.note, "key", decision.note)


def test_the_child_decides_as_the_runs_own_process_would_in_the_same_order(workload_books):
    company = workload_books
    invoice_rows = list(services._open_invoices(company))
    credit_rows = list(services._open_credits(company))
    config, knowledge = engine_config(MatchingConfig.objects.get_or_create(company=company)[0]), engine_knowledge(company)

    here = [_plain(d) for d in rows.decisions(invoice_rows, credit_rows, config, knowledge)]
    with EngineChild(batch=7) as child:  # sent as a run sends them: the driver's rows, in parts
        assert services._read_invoices(company, child, config, knowledge) == invoice_rows
        child.send_transactions(credit_rows)
        there = [_plain(d) for d in child]

    assert len(here) == len(credit_rows) > 200
    assert {decision.status for decision, *_ in here} == {"auto", "open"}
    assert there == here


@pytest.fixture
def in_child(settings, monkeypatch):
    """Every run decides in a child, sending each decision as it comes; the run writes every
    row as it comes too (so a failure comes after rows were written)."""
    settings.KASSENWART_MATCH_IN_CHILD_FROM = 1
    monkeypatch.setattr(services, "CHILD_BATCH", 1)
    monkeypatch.setattr(services, "BATCH", 1)


@pytest.fixture
def breaking_engine(monkeypatch):
    """Puts an engine of engine_child_jobs.py in the child's place."""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))

    def use(name):
        monkeypatch.setattr(engine_child, "TARGET", f"engine_child_jobs:{name}")

    return use


@pytest.fixture
def books(company):
    pay = open_books(company, [*INVOICES, "AB-1004,502,Beispiel AG,,2026-09-04,2026-10-04,400.00,EUR,"],
                     payer_iban="DE75512108001245126199")
    return [pay("100.00", "AB-1001"), pay("250.00", "AB-1002"), pay("250.00", "AB-1003"), pay("400.00", "Danke")]


def _nothing_written(company):
    assert not Match.objects.exists() and not Allocation.objects.exists()
    assert not TransactionState.objects.exists()
    assert not AuditEvent.objects.filter(action="match.auto").exists()
    assert {(i.status, i.open_amount == i.amount) for i in Invoice.objects.filter(company=company)} == {
        (Invoice.Status.OPEN, True)}


def test_a_run_decided_in_a_child_writes_its_matches(company, books, in_child):
    result = reconcile_company(company)

    assert (result.transactions, result.auto, result.open) == (4, 3, 1)
    assert Match.objects.count() == 3
    assert {i.number for i in Invoice.objects.filter(status=Invoice.Status.PAID)} == {"AB-1001", "AB-1002", "AB-1003"}


def test_an_invoice_paid_in_installments_across_batches_keeps_the_last_open_amount(company, books, in_child):
    """Each batch writes the open amounts of the invoices it changed; a later batch that
    changes one again writes it again, after."""
    pay = books[0].__class__.objects.create
    first, second = (pay(company=company, account=books[0].account, statement_import=books[0].statement_import,
                         booking_date=books[0].booking_date, amount=Decimal("200.00"), currency="EUR",
                         counterparty_name="Beispiel AG", counterparty_iban=books[0].counterparty_iban,
                         remittance="Rate AB-1004", fingerprint=f"{n:040d}", bank_reference=f"RATE{n}")
                     for n in (901, 902))

    reconcile_company(company)

    halves = Allocation.objects.filter(invoice__number="AB-1004").order_by("match__transaction_id")
    assert [(a.match.transaction_id, a.amount) for a in halves] == [(first.pk, Decimal("200.00")),
                                                                     (second.pk, Decimal("200.00"))]
    paid = Invoice.objects.get(number="AB-1004")
    assert (paid.open_amount, paid.status) == (Decimal("0.00"), Invoice.Status.PAID)


def test_an_engine_that_fails_in_the_child_fails_the_run_with_its_error_and_writes_nothing(
        company, books, in_child, breaking_engine):
    breaking_engine("fails_after_two")

    with pytest.raises(Exception, match="broke after 2 decisions") as raised:
        reconcile_company(company)

    assert type(raised.value).__name__ == "EngineBroke"  # the child's own exception
    _nothing_written(company)


def test_a_child_killed_midway_fails_the_run_and_writes_nothing(company, books, in_child, breaking_engine):
    breaking_engine("stalls_after_two")
    killed = _kill_engine_child_once_it_decided()

    with pytest.raises(OffloadError, match="ended without finishing.*killed by signal SIGKILL"):
        reconcile_company(company)

    assert killed.wait(5)
    _nothing_written(company)


def test_a_run_that_fails_itself_kills_its_child(company, books, in_child, breaking_engine):
    breaking_engine("stalls_after_two")
    refuse_automatic_match_events()  # the database refuses the run's audit events
    with _engine_children_seen() as children, pytest.raises(connection.Database.DatabaseError, match="disk full"):
        reconcile_company(company)

    assert children and all(gone(pid) for pid in children)
    _nothing_written(company)


def test_a_small_run_decides_in_its_own_process(company, books, settings):
    settings.KASSENWART_MATCH_IN_CHILD_FROM = 5  # the books have 4 payments
    with _engine_children_seen() as children:
        assert reconcile_company(company).auto == 3

    assert children == []


def test_without_a_child_process_to_be_had_the_run_decides_here(company, books, in_child, monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python-here"))
    assert reconcile_company(company).auto == 3


# -- watching the engine's child ------------------------------------------------------------


def _watching(job) -> threading.Event:
    done = threading.Event()

    def watch():
        try:
            job()
        finally:
            done.set()

    threading.Thread(target=watch, daemon=True).start()
    return done


def _kill_engine_child_once_it_decided() -> threading.Event:
    """SIGKILL the run's child a second after it appeared: the stalling engine has sent its
    first decisions by then, and the run has written them (inside its transaction)."""
    def kill():
        pid = _first_child(timeout=30)
        time.sleep(1)
        os.kill(pid, signal.SIGKILL)

    return _watching(kill)


@contextmanager
def _engine_children_seen() -> Iterator[list[int]]:
    """The pids of the engine children that appear during the block (watched every ms)."""
    seen: list[int] = []
    before = set(offload_children())  # none, unless a test before left one behind
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            seen.extend(pid for pid in offload_children() if pid not in seen and pid not in before)
            stop.wait(0.001)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield seen
    finally:
        stop.set()
        watcher.join()


def _first_child(timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = offload_children()
        if found:
            return found[0]
        time.sleep(0.001)
    raise AssertionError("no engine child appeared")
