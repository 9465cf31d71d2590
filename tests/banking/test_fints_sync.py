"""FinTS connections end to end: the product's services against the sandbox bank over HTTP."""

from dataclasses import replace
from datetime import timedelta

import pytest

from kassenwart import flows
from kassenwart.banking import fints
from kassenwart.banking.fints import client
from kassenwart.banking.models import Balance, BankAccount, BankConnection, PausedDialog, StatementImport, Transaction
from kassenwart.core.messages import render
from kassenwart.core.models import AuditEvent
from kassenwart.notifications.models import Notification
from kassenwart.sandbox.scenarios import LOGIN

from fints_fixtures import TAN

State = BankConnection.State


def visible_bookings(bank, iban):
    today = bank.clock.now().date()
    return bank.ledger.booked(iban, bank.ledger.history_start(iban), today)


def test_probe_offers_the_banks_tan_methods(connection):
    methods = {m["method"]: m for m in connection.tan_options["methods"]}
    assert set(methods) == {"942", "946", "902", "912"}
    assert methods["946"]["decoupled"] and not methods["942"]["decoupled"]
    assert methods["912"]["needs_medium"] and not methods["942"]["needs_medium"]
    assert methods["912"]["media"], "the bank lists the TAN generators (HKTAB)"
    assert connection.client_state is not None and connection.state == State.NEW


def test_connect_discovers_the_accounts(connection, bank, company):
    result = fints.connection_sync(connection, interactive=True)
    assert result.state == State.OK and result.accounts == 3
    accounts = {a.iban: a for a in BankAccount.objects.filter(connection=connection)}
    for expected in bank.customers[LOGIN].accounts:
        account = accounts[expected.iban]
        assert (account.kind, account.name, account.bic) == (expected.kind, expected.product, expected.bic)
        assert account.owner == expected.owner[:27] and account.account_number == expected.number
    assert AuditEvent.objects.filter(action="account.created", company=company).count() == 3


def test_sync_imports_every_booking_once_with_balances(connection, bank):
    first = fints.connection_sync(connection)
    ibans = [a.iban for a in bank.customers[LOGIN].accounts]
    expected = sum(len(visible_bookings(bank, iban)) for iban in ibans)
    assert first.added == expected == Transaction.objects.filter(account__connection=connection).count()
    assert not first.warnings
    imports = StatementImport.objects.filter(source="fints")
    assert {i.format for i in imports} == {"camt.052.001.08"} and all(i.balance_ok for i in imports)
    pending = bank.ledger.pending(ibans[0], bank.clock.now().date())
    assert sum(i.pending for i in imports) == len(pending) > 0
    today = bank.clock.now().date()
    for iban in ibans:
        balance = Balance.objects.get(account__iban=iban, kind=Balance.Kind.BOOKED, date=today)
        assert balance.amount == bank.ledger.balance(iban, today)

    second = fints.connection_sync(connection)
    assert second.state == State.OK and second.added == 0
    assert Transaction.objects.filter(account__connection=connection).count() == expected
    connection.refresh_from_db()
    assert connection.last_sync_at is not None and connection.pin_sealed is not None


def test_sync_keeps_the_available_balance_and_the_credit_line_the_bank_reports(connection, bank):
    """HISAL carries the available amount and the credit line (Business Giro: 25.000 EUR
    overdraft): both are kept; the accounts without a credit line keep none."""
    fints.connection_sync(connection)
    today = bank.clock.now().date()
    for expected in bank.customers[LOGIN].accounts:
        account = BankAccount.objects.get(iban=expected.iban)
        booked = bank.ledger.balance(expected.iban, today)
        available = Balance.objects.get(account=account, kind=Balance.Kind.AVAILABLE, date=today)
        assert available.amount == max(booked + expected.credit_line, 0) and available.currency == "EUR"
        assert account.credit_line == (expected.credit_line or None)
    giro = BankAccount.objects.get(iban=bank.customers[LOGIN].accounts[0].iban)
    assert str(giro.credit_line) == "25000.00"


def test_a_new_booking_arrives_with_the_next_sync(connection, bank):
    fints.connection_sync(connection)
    bank.clock.advance(days=3)  # scripted customer payments fall due
    current = bank.customers[LOGIN].accounts[0].iban
    before = Transaction.objects.filter(account__iban=current).count()
    later = fints.connection_sync(connection)
    assert later.added == len(visible_bookings(bank, current)) - before > 0


def test_mt940_where_the_bank_offers_no_camt(make_connection, bank):
    bank.settings.camt = False
    connection = make_connection()
    result = fints.connection_sync(connection)
    current = bank.customers[LOGIN].accounts[0].iban
    assert result.state == State.OK, result.message
    assert Transaction.objects.filter(account__iban=current).count() == len(visible_bookings(bank, current))
    imports = StatementImport.objects.filter(source="fints")
    assert {i.format for i in imports} == {"mt940", "mt942"}
    assert sum(i.pending for i in imports) == len(bank.ledger.pending(current, bank.clock.now().date())) > 0
    assert fints.connection_sync(connection).added == 0


def test_wrong_pin_stops_with_a_clear_error_and_is_never_retried(connection, bank, admin):
    fints.sync_request(connection, user=admin, pin="99999", keep_pin=True)
    result = fints.connection_sync(connection)
    connection.refresh_from_db()
    assert result.state == connection.state == State.PIN_WRONG
    assert "refused the PIN" in render(connection.last_error)
    assert connection.pin_sealed is None, "the wrong PIN is gone, so nothing can retry it"
    assert bank.customers[LOGIN].wrong_pins == 1

    from kassenwart.flows.tasks import enqueue_due_syncs
    assert enqueue_due_syncs() == 0
    again = fints.connection_sync(connection)
    assert again.state == State.PIN_WRONG and "enter it" in again.message
    assert bank.customers[LOGIN].wrong_pins == 1


def test_locked_access_is_pin_blocked(connection, bank):
    bank.customers[LOGIN].wrong_pins = bank.settings.max_wrong_pins
    result = fints.connection_sync(connection)
    assert result.state == State.PIN_BLOCKED and "locked" in result.message


def test_unreachable_bank_is_an_error_that_says_so(connection, sandbox):
    BankConnection.objects.filter(pk=connection.pk).update(server_url="http://127.0.0.1:9/")
    connection.refresh_from_db()
    result = fints.connection_sync(connection)
    assert result.state == State.ERROR and "did not answer" in result.message


@pytest.mark.parametrize("saved_state", [True, False], ids=["dialog start", "synchronisation"])
def test_an_unregistered_product_id_is_named_as_the_problem(make_connection, settings, saved_state):
    unregistered = replace(settings.CONFIG, fints_product_id="NOTREGISTERED")
    if saved_state:  # the system id is known: the bank refuses the dialog start
        connection = make_connection()
        settings.CONFIG = unregistered
        result = fints.connection_sync(connection)
        state, message = result.state, result.message
    else:  # the first contact: the bank refuses the synchronisation
        settings.CONFIG = unregistered
        connection = make_connection()
        state, message = connection.state, render(connection.last_error)
    assert state == State.ERROR and "product id" in message and "KASSENWART_FINTS_PRODUCT_ID" in message


@pytest.mark.parametrize("upd_type, kind", [(1, "current"), (9, "current"), (10, "savings"), (20, "call_money"),
                                            (30, "securities"), (50, "credit_card"), (40, "current"), (None, "current")])
def test_account_kind_from_the_upd_account_type(upd_type, kind):
    assert client.account_kind(upd_type) == kind


def test_a_bank_that_does_not_answer_in_time_is_unreachable(connection, sandbox, monkeypatch):
    """The bank takes 50 times the client's timeout; the server's own record shows the client
    gave up on its first message before any answer (no race of two sleeps measured)."""
    monkeypatch.setattr(client, "BANK_TIMEOUT", 0.2)
    sandbox.faults.delay = 10  # the server stops waiting when the test ends
    sandbox.exchanges.clear()
    result = fints.connection_sync(connection)
    [exchange] = sandbox.exchanges  # one message, and the client sent no other
    assert exchange.answered is None, "the sync ended before the bank answered"
    assert result.state == State.ERROR and "did not answer" in result.message
    assert not fints.is_busy(connection)


def test_tan_at_dialog_start_in_the_background_asks_the_admins(connection, bank, company, admin, member):
    bank.settings.sca_interval = timedelta(0)
    result = fints.connection_sync(connection)
    connection.refresh_from_db()
    assert result.needs_tan and connection.state == State.NEEDS_TAN
    assert not PausedDialog.objects.exists() and not bank.dialogs, "the dialog was ended"
    assert not fints.is_busy(connection)
    [note] = Notification.objects.filter(company=company)
    assert note.user == admin and "needs a TAN" in note.wording()
    assert not Transaction.objects.exists()


def test_tan_submit_resumes_the_dialog_and_the_sync_completes(connection, bank, admin):
    bank.settings.sca_interval = timedelta(0)
    waiting = fints.connection_sync(connection, interactive=True)
    assert waiting.needs_tan
    challenge = fints.pending_challenge(connection)
    assert "Anmeldung" in challenge.text and not challenge.decoupled
    assert fints.is_busy(connection), "the paused dialog keeps the login"

    with pytest.raises(client.TanWrong):
        fints.tan_submit(connection, tan="000000", user=admin)
    assert fints.pending_challenge(connection) is not None
    assert fints.tan_submit(connection, tan=TAN, user=admin) == "done"
    assert fints.pending_challenge(connection) is None

    result = fints.connection_sync(connection, interactive=True)  # the task continues
    assert result.state == State.OK and result.added > 0
    assert not bank.dialogs and not PausedDialog.objects.exists()
    assert not fints.is_busy(connection)


def test_decoupled_confirmation_is_polled_until_the_app_says_yes(make_connection, bank, admin):
    connection = make_connection(method="946")
    bank.settings.sca_interval = timedelta(0)
    bank.settings.decoupled_confirm_after_polls = None
    assert fints.connection_sync(connection, interactive=True).needs_tan
    assert fints.pending_challenge(connection).decoupled
    assert flows.tan_poll(connection, user=admin) == "waiting"
    bank.confirm_decoupled()
    assert flows.tan_poll(connection, user=admin) == "done"
    assert fints.connection_sync(connection, interactive=True).state == State.OK


def test_a_tan_for_the_statement_query_is_asked_and_given_in_the_same_dialog(make_connection, bank, admin, company):
    bank.settings.query_tan = True  # TAN for the first statement query of each dialog
    connection = make_connection()
    background = fints.connection_sync(connection)
    assert background.needs_tan and Notification.objects.filter(company=company).exists()

    assert fints.connection_sync(connection, interactive=True).needs_tan
    assert fints.tan_submit(connection, tan=TAN, user=admin) == "done"
    result = fints.connection_sync(connection, interactive=True)
    assert result.state == State.OK and result.added > 0 and not bank.dialogs


def test_a_dialog_the_bank_ended_needs_a_new_tan(connection, bank, admin):
    bank.settings.sca_interval = timedelta(0)
    fints.connection_sync(connection, interactive=True)
    bank.clock.advance(minutes=16)
    with pytest.raises(client.TanExpired):
        fints.tan_submit(connection, tan=TAN, user=admin)
    connection.refresh_from_db()
    assert connection.state == State.NEEDS_TAN and "15 minutes" in render(connection.last_error)
    assert not PausedDialog.objects.exists() and not fints.is_busy(connection)


def test_one_worker_per_login(connection, bank):
    bank.settings.sca_interval = timedelta(0)
    fints.connection_sync(connection, interactive=True)  # paused, waiting for a TAN
    with pytest.raises(fints.ConnectionBusy):
        fints.connection_sync(connection)

    PausedDialog.objects.all().delete()
    BankConnection.objects.filter(pk=connection.pk).update(lock_token="another-worker")
    with pytest.raises(fints.ConnectionBusy):
        fints.connection_sync(connection)
    bank.settings.sca_interval = timedelta(days=90)
    BankConnection.objects.filter(pk=connection.pk).update(locked_until=connection.locked_until - timedelta(hours=1))
    assert fints.connection_sync(connection).state == State.OK, "an expired claim is taken over"


def test_due_syncs_are_enqueued_once_per_interval(connection):
    from kassenwart.flows.tasks import enqueue_due_syncs

    assert enqueue_due_syncs() == 0, "a connection that never synced waits for its wizard"
    fints.connection_sync(connection)
    assert enqueue_due_syncs() == 1
    assert enqueue_due_syncs() == 0


def test_a_sync_that_cannot_run_is_not_left_queued(connection, bank, admin):
    bank.settings.sca_interval = timedelta(0)
    assert fints.connection_sync(connection, interactive=True).needs_tan  # a TAN is awaited
    BankConnection.objects.filter(pk=connection.pk).update(sync_queued=True)  # then another sync is asked for
    with pytest.raises(fints.ConnectionBusy):
        fints.connection_sync(connection)
    connection.refresh_from_db()
    assert not connection.sync_queued, "the page would wait for it for ever"
