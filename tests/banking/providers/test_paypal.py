"""PayPal end to end: the connector against the simulator over real HTTP."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kassenwart.banking.models import Balance, BankAccount, BankConnection, PendingTransaction, Transaction
from kassenwart.banking.providers import FEE, PAYOUT
from kassenwart.banking.providers.sync import provider_sync

State = BankConnection.State


def test_payments_fees_and_withdrawals_with_the_balance(paypal_sim, connect):
    api, now = paypal_sim.api, datetime.now(UTC)
    api.payment("100.00", at=now - timedelta(days=3), subject="Bestellung 1", invoice_id="RE-2026-0042",
                payer="Erika Muster")
    api.withdrawal("50.00", at=now - timedelta(days=2))
    api.payment("20.00", at=now - timedelta(hours=1), pending=True)
    connection = connect(paypal_sim, "paypal")
    result = provider_sync(connection)
    assert result.state == State.OK and result.added == 3 and result.pending == 2
    account = BankAccount.objects.get(connection=connection)
    assert (account.bank_code, account.account_number) == ("paypal", "KW7SANDBOX42X-EUR")
    rows = {t.amount: t for t in Transaction.objects.filter(account=account)}
    assert set(rows) == {Decimal("100.00"), Decimal("-2.84"), Decimal("-50.00")}
    assert "RE-2026-0042" in rows[Decimal("100.00")].remittance
    assert rows[Decimal("100.00")].counterparty_name == "Erika Muster"
    assert rows[Decimal("-2.84")].transaction_code == FEE and rows[Decimal("-50.00")].transaction_code == PAYOUT
    assert Balance.objects.get(account=account, kind=Balance.Kind.BOOKED).amount == Decimal("66.31")
    assert Balance.objects.get(account=account, kind=Balance.Kind.AVAILABLE).amount == Decimal("47.16")


def test_paging_across_31_day_windows(paypal_sim, connect):
    api, now = paypal_sim.api, datetime.now(UTC)
    api.page_limit = 4
    for n in range(40):
        api.payment("10.00", at=now - timedelta(days=85) + timedelta(days=2 * n, minutes=n))
    connection = connect(paypal_sim, "paypal")
    assert provider_sync(connection).added == 80
    searches = [path for method, path in paypal_sim.requests if path.startswith("/v1/reporting/transactions")]
    assert len(searches) > 3 * 3  # three windows of 90 days, several pages each
    assert any("page=4" in path for path in searches)


def test_late_data_is_caught_by_the_next_sync_and_nothing_twice(paypal_sim, connect):
    api = paypal_sim.api
    first_at = datetime.now(UTC)
    api.payment("30.00", at=first_at - timedelta(days=1))
    connection = connect(paypal_sim, "paypal")
    assert provider_sync(connection, now=first_at).added == 2
    # It happened an hour before that sync, but the search lists it only now.
    api.payment("45.00", at=first_at - timedelta(hours=1), late=True)
    assert provider_sync(connection, now=first_at + timedelta(minutes=30)).added == 0
    api.publish_late()
    second = provider_sync(connection, now=first_at + timedelta(hours=1))
    assert second.added == 2
    assert provider_sync(connection, now=first_at + timedelta(hours=2)).added == 0
    assert Transaction.objects.filter(account__connection=connection).count() == 4


def test_pending_becomes_booked_days_later(paypal_sim, connect):
    """It keeps the day it happened: the next sync reaches back to the oldest pending one."""
    api = paypal_sim.api
    waiting = api.payment("20.00", at=datetime.now(UTC) - timedelta(days=5), pending=True)
    connection = connect(paypal_sim, "paypal")
    assert provider_sync(connection).pending == 2
    api.complete(waiting)
    result = provider_sync(connection)
    assert result.added == 2 and result.pending == 0
    assert not PendingTransaction.objects.filter(account__connection=connection).exists()


def test_wrong_secret_429_and_500(paypal_sim, connect):
    paypal_sim.api.payment("10.00", at=datetime.now(UTC) - timedelta(days=1))
    connection = connect(paypal_sim, "paypal")
    paypal_sim.faults.status_500 = 1
    assert provider_sync(connection).error["key"] == "banking.provider.unavailable"
    paypal_sim.faults.status_429 = 1
    started = time.monotonic()
    assert provider_sync(connection).added == 2 and time.monotonic() - started >= 1
    paypal_sim.api.client_secret = "changed"
    refused = provider_sync(connection)
    assert refused.state == State.ERROR and refused.error["key"] == "banking.provider.credentials_refused"
    assert refused.error["params"]["detail"] == "Client Authentication failed"


def test_revoked_permission(paypal_sim, connect):
    connection = connect(paypal_sim, "paypal")
    paypal_sim.api.revoked = True
    assert provider_sync(connection).error["key"] == "banking.provider.access_revoked"
