"""The demo connects its company to the in-process sandbox bank over FinTS."""

from datetime import date

import pytest

from kassenwart.banking.models import BankAccount, BankConnection
from kassenwart.demo.services import DEMO_IBAN, demo_connect_bank, demo_setup, demo_transfers, sandbox_start
from kassenwart.payments.models import PaymentOrder


@pytest.fixture
def sandbox():
    server = sandbox_start(port=0)
    yield server
    server.stop()


def test_demo_shows_fints_accounts_next_to_the_file_imported_one(db, tmp_path, sandbox):
    company = demo_setup(tmp_path, today=date.today()).company
    first = demo_connect_bank(company, sandbox)
    assert first.state == BankConnection.State.OK and first.accounts == 3 and first.added > 100
    kinds = dict(BankAccount.objects.filter(company=company).values_list("iban", "connection__kind"))
    assert kinds.pop(DEMO_IBAN) == BankConnection.Kind.FILE
    assert list(kinds.values()) == [BankConnection.Kind.FINTS] * 3
    connection = BankConnection.objects.get(company=company, kind=BankConnection.Kind.FINTS)
    assert connection.pin_kept and connection.sync_interval_minutes > 0

    again = demo_connect_bank(company, sandbox)
    assert again.state == BankConnection.State.OK and again.added == 0
    assert BankConnection.objects.filter(company=company, kind=BankConnection.Kind.FINTS).count() == 1

    assert demo_transfers(company) == 2 and demo_transfers(company) == 0
    states = sorted(PaymentOrder.objects.filter(company=company).values_list("state", flat=True))
    assert states == [PaymentOrder.State.DRAFT, PaymentOrder.State.PENDING_APPROVAL]
    assert {o.account.connection_id for o in PaymentOrder.objects.filter(company=company)} == {connection.pk}
