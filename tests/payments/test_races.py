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
from django.conf import settings
from django.db import connections
from django.utils import timezone

from kassenwart.banking.fints import login
from kassenwart.banking.models import BankConnection
from kassenwart.payments import collections, services, submission
from kassenwart.payments.models import Collection, PaymentOrder

from debit_data import TODAY, person

pytestmark = [
    pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                       reason="PostgreSQL only: SQLite lets one writer at a time, so nothing overlaps"),
    pytest.mark.django_db(transaction=True),
]
RACERS = 20
ROUNDS = 50
WAIT = 300  # seconds for a round's threads to meet and finish: generous for a loaded machine


def race(rounds, act) -> list[list]:
    """For each round: RACERS threads, released together at a barrier, call act(round, n);
    what each returned (or the exception it raised) per round."""
    results = []
    with ThreadPoolExecutor(RACERS) as pool:
        for item in rounds:
            start = threading.Barrier(RACERS, timeout=WAIT)

            def one(n, item=item, start=start):
                start.wait()
                try:
                    return act(item, n)
                except Exception as error:  # noqa: BLE001 - each loser's reason is checked by the caller
                    return error

            results.append([f.result(timeout=WAIT) for f in [pool.submit(one, n) for n in range(RACERS)]])
        list(pool.map(lambda _: connections.close_all(), range(RACERS * 2)))
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

    results = []
    for round_tokens in tokens:  # each round: the login is free, then everyone wants it
        [outcomes] = race([round_tokens], claim)
        results.append(outcomes)
        connection.refresh_from_db()
        [held] = [o for o in outcomes if o]
        assert connection.lock_token == held
        login.release(connection, held)
    assert [winners(outcomes) for outcomes in results] == [1] * ROUNDS


def test_postgresql_twenty_clocks_at_once_collect_each_due_debit_once(debits, drafter):
    account = debits.account()
    due = date(2026, 7, 20)

    def planned():
        mandate = debits.mandate()
        invoice = debits.invoice(mandate.customer, amount="100.00")
        return collections.collection_create(debits.company, invoice=invoice, mandate=mandate, account=account,
                                             due_date=due, user=drafter, today=TODAY)

    rounds, results = [], []
    for _ in range(ROUNDS):  # one due collection per round, twenty clocks build runs at once
        rounds.append(planned())
        [outcomes] = race([rounds[-1]], lambda _, n: collections.debit_runs_build(today=date(2026, 7, 15)))
        results.append(outcomes)
    assert [sum(outcomes) for outcomes in results] == [1] * ROUNDS, "one run per round, built once"
    ordered = Collection.objects.filter(pk__in=[c.pk for c in rounds])
    assert {c.state for c in ordered} == {Collection.State.ORDERED}
    assert len({c.order_id for c in ordered}) == ROUNDS
    assert PaymentOrder.objects.filter(kind=PaymentOrder.Kind.DEBIT).count() == ROUNDS
