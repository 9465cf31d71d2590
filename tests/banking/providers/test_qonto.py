"""Qonto end to end: the connector against the simulator over real HTTP."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kassenwart.banking.models import Balance, BankAccount, BankConnection, PendingTransaction, Transaction
from kassenwart.banking.providers import FEE
from kassenwart.banking.providers.sync import provider_sync

State = BankConnection.State


def test_accounts_balances_and_transactions(qonto_sim, connect):
    api, now = qonto_sim.api, datetime.now(UTC)
    api.add(119000, "Kunde GmbH", at=now - timedelta(days=2), reference="RE-2026-0001", iban="DE77100000000000000000")
    api.add(-2900, "Qonto", at=now - timedelta(days=1), operation_type="qonto_fee")
    api.add(-4599, "Bahn", at=now - timedelta(hours=1), operation_type="card", pending=True)
    connection = connect(qonto_sim, "qonto")
    result = provider_sync(connection)
    assert result.state == State.OK and result.added == 2 and result.pending == 1
    account = BankAccount.objects.get(connection=connection)
    assert account.iban == "FR7616958000010123456789037" and account.name == "Qonto Hauptkonto"
    rows = {t.amount: t for t in Transaction.objects.filter(account=account)}
    credit = rows[Decimal("1190.00")]
    assert credit.counterparty_iban == "DE77100000000000000000" and credit.remittance == "RE-2026-0001"
    assert rows[Decimal("-29.00")].transaction_code == FEE
    assert PendingTransaction.objects.get(account=account).amount == Decimal("-45.99")
    assert Balance.objects.get(account=account, kind=Balance.Kind.BOOKED).amount == Decimal("6161.00")
    assert Balance.objects.get(account=account, kind=Balance.Kind.AVAILABLE).amount == Decimal("6115.01")


def test_paging_pending_to_completed_and_a_second_sync_adds_nothing(qonto_sim, connect):
    api, now = qonto_sim.api, datetime.now(UTC)
    api.page_limit = 3
    for n in range(10):
        api.add(1000 + n, f"Kunde {n}", at=now - timedelta(days=20 - n))
    waiting = api.add(-500, "Tankstelle", at=now - timedelta(hours=2), operation_type="card", pending=True)
    connection = connect(qonto_sim, "qonto")
    assert provider_sync(connection).added == 10
    assert any("current_page=4" in path for method, path in qonto_sim.requests)
    assert provider_sync(connection).added == 0
    api.settle(waiting)
    result = provider_sync(connection)
    assert result.added == 1 and result.pending == 0
    assert not PendingTransaction.objects.filter(account__connection=connection).exists()


def test_refused_secret_key_429_and_500(qonto_sim, connect):
    connection = connect(qonto_sim, "qonto")
    qonto_sim.faults.status_429 = 1
    started = time.monotonic()
    assert provider_sync(connection).state == State.OK and time.monotonic() - started >= 1
    qonto_sim.faults.status_500 = 1
    assert provider_sync(connection).error["key"] == "banking.provider.unavailable"
    qonto_sim.api.secret_key = "rotated"
    refused = provider_sync(connection)
    assert refused.state == State.ERROR and refused.error["key"] == "banking.provider.credentials_refused"
