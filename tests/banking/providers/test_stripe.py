"""Stripe end to end: the connector (the `stripe` package itself) against the simulator over HTTP."""

import time
from decimal import Decimal

from kassenwart.banking.models import Balance, BankAccount, BankConnection, PendingTransaction, Transaction
from kassenwart.banking.providers import PAYOUT
from kassenwart.banking.providers.sync import provider_sync
from kassenwart.core.messages import render

State = BankConnection.State
DAY = 86400


def test_first_sync_books_charges_fees_and_payouts_with_the_balance(stripe_sim, connect):
    api, now = stripe_sim.api, int(time.time())
    api.charge(10000, description="Order 7", metadata={"invoice": "RE-2026-0007"}, name="Erika Muster",
               created=now - 5 * DAY)
    api.charge(5000, created=now - 4 * DAY)
    payout = api.payout(created=now - 3 * DAY)
    api.charge(2000, created=now - DAY, pending=True)
    connection = connect(stripe_sim, "stripe")
    result = provider_sync(connection)
    assert result.state == State.OK and result.accounts == 1 and result.added == 5 and result.pending == 2
    account = BankAccount.objects.get(connection=connection)
    assert (account.bank_code, account.account_number, account.currency) == ("stripe", "acct_1KassenwartSbx-eur", "EUR")
    rows = {t.amount: t for t in Transaction.objects.filter(account=account)}
    assert set(rows) == {Decimal("100.00"), Decimal("-1.75"), Decimal("50.00"), Decimal("-1.00"), Decimal("-147.25")}
    charge = rows[Decimal("100.00")]
    assert "RE-2026-0007" in charge.remittance and charge.counterparty_name == "Erika Muster"
    out = rows[Decimal("-147.25")]
    assert out.transaction_code == PAYOUT and out.batch_reference == payout.source["id"] and out.batch_size == 2
    pending = PendingTransaction.objects.filter(account=account)
    assert sorted(p.amount for p in pending) == [Decimal("-0.55"), Decimal("20.00")]
    balance = Balance.objects.get(account=account, kind=Balance.Kind.BOOKED)
    assert balance.amount == Decimal("0.00")  # everything available was paid out


def test_a_second_sync_adds_nothing_and_pending_becomes_booked(stripe_sim, connect):
    api, now = stripe_sim.api, int(time.time())
    api.charge(10000, created=now - 2 * DAY)
    waiting = api.charge(3000, created=now - 600, pending=True)
    connection = connect(stripe_sim, "stripe")
    assert provider_sync(connection).added == 2
    assert provider_sync(connection).added == 0
    api.settle(waiting)
    again = provider_sync(connection)
    assert again.added == 2 and again.pending == 0
    assert not PendingTransaction.objects.filter(account__connection=connection).exists()
    assert Transaction.objects.filter(account__connection=connection).count() == 4
    assert Balance.objects.get(account__connection=connection, kind=Balance.Kind.BOOKED).amount == Decimal("127.55")


def test_paging_reads_every_page(stripe_sim, connect):
    api, now = stripe_sim.api, int(time.time())
    for n in range(230):
        api.charge(1000 + n, created=now - 50 * DAY + n * 600)
    connection = connect(stripe_sim, "stripe")
    assert provider_sync(connection).added == 460
    pages = [path for method, path in stripe_sim.requests if path.startswith("/v1/balance_transactions")]
    assert len(pages) == 3 and "starting_after" in pages[-1]


def test_refused_key_is_a_message_to_act_on_and_stops_the_schedule(stripe_sim, connect):
    connection = connect(stripe_sim, "stripe")
    stripe_sim.faults.status_401 = 1
    result = provider_sync(connection)
    assert result.state == State.ERROR and result.added == 0
    connection.refresh_from_db()
    assert connection.last_error["key"] == "banking.provider.credentials_refused"
    assert "Enter valid API credentials" in render(connection.last_error)


def test_revoked_access_says_so(stripe_sim, connect):
    connection = connect(stripe_sim, "stripe")
    stripe_sim.api.revoked = True
    assert provider_sync(connection).error["key"] == "banking.provider.access_revoked"


def test_429_is_waited_for_by_its_retry_after(stripe_sim, connect):
    stripe_sim.api.charge(1000, created=int(time.time()) - DAY)
    connection = connect(stripe_sim, "stripe")
    stripe_sim.faults.status_429 = 2
    started = time.monotonic()
    result = provider_sync(connection)
    assert result.state == State.OK and result.added == 2
    assert time.monotonic() - started >= 2  # twice Retry-After: 1


def test_a_rate_limit_that_lasts_is_given_up_and_kept_for_the_next_sync(stripe_sim, connect):
    connection = connect(stripe_sim, "stripe")
    provider_sync(connection)
    stripe_sim.faults.retry_after = 3600  # longer than Kassenwart waits
    stripe_sim.faults.status_429 = 1
    result = provider_sync(connection)
    assert result.state == State.OK and result.error["key"] == "banking.provider.rate_limited"


def test_500_leaves_the_books_as_they_were(stripe_sim, connect):
    stripe_sim.api.charge(1000, created=int(time.time()) - DAY)
    connection = connect(stripe_sim, "stripe")
    stripe_sim.faults.status_500 = 1
    result = provider_sync(connection)
    assert result.error["key"] == "banking.provider.unavailable" and result.added == 0
    assert not Transaction.objects.filter(account__connection=connection).exists()
    assert provider_sync(connection).added == 2


def test_a_charge_pending_for_days_is_booked_when_it_settles(stripe_sim, connect):
    """Its date stays the day it happened: the next sync reaches back to the oldest pending one."""
    api, now = stripe_sim.api, int(time.time())
    waiting = api.charge(8000, created=now - 5 * DAY, pending=True)
    connection = connect(stripe_sim, "stripe")
    assert provider_sync(connection).pending == 2
    api.settle(waiting)
    result = provider_sync(connection)
    assert result.added == 2 and result.pending == 0
    assert not PendingTransaction.objects.filter(account__connection=connection).exists()
