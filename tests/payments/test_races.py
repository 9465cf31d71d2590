"""Races with real threads, each on its own PostgreSQL connection: many workers or people act
on the same row at the same moment, and exactly one wins each round. SQLite lets one writer
at a time, so there is no overlap to test there: these run on PostgreSQL only (scripts/test
runs both databases)."""

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone
from needs_postgresql import MARKS

from kassenwart.banking.fints import login
from kassenwart.banking.models import BankConnection
from kassenwart.payments import collections, services, submission
from kassenwart.payments.models import Collection, PaymentOrder

from debit_data import TODAY, person

pytestmark = MARKS
RACERS = 20
ROUNDS = 50
WAIT = 300  # seconds for a round's threads to meet and finish: generous for a loaded machine


def race(rounds, act, prepare=None) -> list[list]:
    """For each round: prepare(round) if given, then RACERS threads, released together at a
    barrier, call act(round, n); what each returned (or the exception it raised) per round.
    The threads (and their database connections) last for all rounds."""
    results = []
    with ThreadPoolExecutor(RACERS) as pool:
        try:
            for item in rounds:
                item = prepare(item) if prepare else item
                start = threading.Barrier(RACERS, timeout=WAIT)

                def one(n, item=item, start=start):
                    start.wait()
                    try:
                        return act(item, n)
                    except Exception as error:  # noqa: BLE001 - each loser's reason is checked by the caller
                        return error

                results.append([f.result(timeout=WAIT) for f in [pool.submit(one, n) for n in range(RACERS)]])
        finally:
            together = threading.Barrier(RACERS, timeout=WAIT)  # so that every thread closes its own

            def close():
                together.wait()
                connections.close_all()

            for closing in [pool.submit(close) for _ in range(RACERS)]:
                closing.result(timeout=WAIT)
    return results


def winners(outcomes, loses=services.StateChanged) -> int:
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, loses)]
    assert not unexpected, unexpected
    return sum(1 for o in outcomes if not isinstance(o, Exception) and o is not False)


@pytest.fixture
def drafted(company, debits, drafter):
    account = debits.account()

    def make():
        order = services.order_create(company, user=drafter, account=account, requested_date=timezone.localdate(), transfers=[
            services.TransferInput(payee_name="Stahlhandel Nord GmbH", iban="DE02120300000000202051",
                                   amount=Decimal("10.00"), remittance="Rechnung ER-1")])
        services.order_submit(order, user=drafter)
        return order

    return make


def test_postgresql_twenty_approvers_at_once_approve_each_order_once(company, drafted):
    approvers = [person(company, "approver", f"approver-{n}") for n in range(RACERS)]
    orders = [drafted() for _ in range(ROUNDS)]
    results = race(orders, lambda order, n: services.order_approve(
        PaymentOrder.objects.get(pk=order.pk), user=approvers[n]))
    assert [winners(outcomes) for outcomes in results] == [1] * ROUNDS
    for order in orders:
        order.refresh_from_db()
        assert order.state == PaymentOrder.State.APPROVED
        assert order.transfers.get().approved_by == order.approved_by


def test_postgresql_twenty_workers_at_once_send_each_order_once(drafted):
    orders = [drafted() for _ in range(ROUNDS)]
    PaymentOrder.objects.filter(pk__in=[o.pk for o in orders]).update(state=PaymentOrder.State.QUEUED)
    results = race(orders, lambda order, n: submission.sending_claim(PaymentOrder.objects.get(pk=order.pk)))
    assert [winners(outcomes) for outcomes in results] == [1] * ROUNDS
    claimants = PaymentOrder.objects.filter(pk__in=[o.pk for o in orders]).values_list("state", "claimed_by")
    assert {state for state, _ in claimants} == {PaymentOrder.State.SENDING} and all(c for _, c in claimants)


def test_postgresql_twenty_workers_at_once_claim_a_bank_login_once(company):
    connection = BankConnection.objects.create(company=company, kind=BankConnection.Kind.FINTS, name="Bank",
                                               bank_code="12345678", server_url="https://bank.example/fints",
                                               login="nordlicht")
    tokens = [[secrets.token_hex(16) for _ in range(RACERS)] for _ in range(ROUNDS)]

    def claim(round_tokens, n):
        mine = BankConnection.objects.get(pk=connection.pk)
        return round_tokens[n] if login.claim(mine, round_tokens[n], timedelta(minutes=10)) else False

    def freed(round_tokens):  # each round: the login is free, then everyone wants it
        login.release(connection, BankConnection.objects.get(pk=connection.pk).lock_token)
        return round_tokens

    results = race(tokens, claim, prepare=freed)
    assert [winners(outcomes) for outcomes in results] == [1] * ROUNDS
    connection.refresh_from_db()
    assert connection.lock_token == next(o for o in results[-1] if o)


def test_postgresql_twenty_clocks_at_once_collect_each_due_debit_once(debits, drafter):
    account = debits.account()
    due = date(2026, 7, 20)

    def planned():
        mandate = debits.mandate()
        invoice = debits.invoice(mandate.customer, amount="100.00")
        return collections.collection_create(debits.company, invoice=invoice, mandate=mandate, account=account,
                                             due_date=due, user=drafter, today=TODAY)

    rounds = []

    def a_due_one(_):  # one due collection per round, twenty clocks build runs at once
        rounds.append(planned())
        return rounds[-1]

    results = race(range(ROUNDS), lambda _, n: collections.debit_runs_build(today=date(2026, 7, 15)), prepare=a_due_one)
    assert [sum(outcomes) for outcomes in results] == [1] * ROUNDS, "one run per round, built once"
    ordered = Collection.objects.filter(pk__in=[c.pk for c in rounds])
    assert {c.state for c in ordered} == {Collection.State.ORDERED}
    assert len({c.order_id for c in ordered}) == ROUNDS
    assert PaymentOrder.objects.filter(kind=PaymentOrder.Kind.DEBIT).count() == ROUNDS
