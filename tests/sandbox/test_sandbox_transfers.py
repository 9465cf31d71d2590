"""SEPA single transfers (HKCCS) with a two-step TAN: text challenge, wrong TAN, saved and
resumed dialog, decoupled app confirmation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from fints.client import NeedRetryResponse, NeedTANResponse, ResponseStatus

from kassenwart.sandbox.scenarios import OWNER, SUPPLIERS

from sandbox_payments import TAN, Line, send_transfer

SUPPLIER = SUPPLIERS[0]


def transfer(client, account, amount="1234.56", end_to_end_id="KW-E2E-0001", message_id="KW-MSG-1"):
    line = Line(SUPPLIER.name, SUPPLIER.iban, amount, end_to_end_id, "Lieferung LS-4711", SUPPLIER.bic)
    return send_transfer(client, account, [line], message_id)


def codes(result):
    return [r.code for r in result.responses]


def test_simple_sepa_transfer_with_tan_is_booked_once(client, bank, accounts):
    current = accounts[0]
    today = bank.clock.now().date()
    before = bank.ledger.balance(current.iban, today)
    with client:
        challenge = client.simple_sepa_transfer(
            account=current, iban=SUPPLIER.iban, bic=SUPPLIER.bic, recipient_name=SUPPLIER.name,
            amount=Decimal("1234.56"), account_name=OWNER, reason="Lieferung LS-4711",
            endtoend_id="KW-E2E-0001")
        assert isinstance(challenge, NeedTANResponse) and not challenge.decoupled
        assert "1.234,56 EUR" in challenge.challenge and SUPPLIER.iban in challenge.challenge
        assert not bank.ledger.orders
        result = client.send_tan(challenge, TAN)
        transactions = client.get_transactions(current, today - timedelta(days=1), today)
        balance = client.get_balance(current)
    assert result.status == ResponseStatus.SUCCESS and "0020" in codes(result)
    assert [(o.kind, o.count, o.total) for o in bank.ledger.orders] == [("HKCCS", 1, Decimal("1234.56"))]
    [line] = [t for t in transactions if t.data["end_to_end_reference"] == "KW-E2E-0001"]
    assert line.data["amount"].amount == Decimal("-1234.56")
    assert line.data["applicant_bin"] == SUPPLIER.bic
    assert balance.amount.amount == before - Decimal("1234.56")


def test_wrong_tan_books_nothing_and_the_right_one_still_works(client, bank, accounts):
    with client:
        challenge = transfer(client, accounts[0])
        wrong = client.send_tan(challenge, "000000")
        assert wrong.status == ResponseStatus.ERROR and "9941" in codes(wrong)
        assert not bank.ledger.orders
        right = client.send_tan(challenge, TAN)
    assert right.status == ResponseStatus.SUCCESS
    assert len(bank.ledger.orders) == 1


def test_three_wrong_tans_cancel_the_order(client, bank, accounts):
    with client:
        challenge = transfer(client, accounts[0])
        for _ in range(3):
            result = client.send_tan(challenge, "000000")
        assert "9210" in codes(result)
        late = client.send_tan(challenge, TAN)
    assert late.status == ResponseStatus.ERROR
    assert not bank.ledger.orders


def test_tan_in_a_resumed_dialog_after_saving_all_state(connect, client, bank, accounts):
    with client:
        challenge = transfer(client, accounts[0])
        dialog_data = client.pause_dialog()
    client_data = client.deconstruct(including_private=True)
    challenge_data = challenge.get_data()
    assert not bank.ledger.orders

    later = connect(from_data=client_data)
    restored = NeedRetryResponse.from_data(challenge_data)
    with later.resume_dialog(dialog_data):
        result = later.send_tan(restored, TAN)
    assert result.status == ResponseStatus.SUCCESS
    assert len(bank.ledger.orders) == 1
    assert not bank.dialogs, "leaving resume_dialog ends the dialog"


def test_a_paused_dialog_expires(connect, client, bank, accounts):
    with client:
        challenge = transfer(client, accounts[0])
        dialog_data = client.pause_dialog()
    client_data = client.deconstruct(including_private=True)
    bank.clock.advance(minutes=16)
    later = connect(from_data=client_data)
    with later.resume_dialog(dialog_data):
        result = later.send_tan(challenge, TAN)
    # The bank ends the dialog in HIRMG (9800) only; python-fints reads HIRMS alone,
    # so the outcome looks unknown, and the status protocol shows nothing was executed.
    assert result.status == ResponseStatus.UNKNOWN and not result.responses
    assert not bank.ledger.orders
    with later:
        assert later.get_status_protocol() == []


def test_transfer_beyond_funds_is_refused_before_any_tan(client, bank, accounts):
    with client:
        result = transfer(client, accounts[0], amount="9999999.00")
    assert not isinstance(result, NeedTANResponse)
    assert result.status == ResponseStatus.ERROR
    assert any("Kontodeckung" in r.text for r in result.responses)


def test_same_message_id_is_not_executed_twice(client, bank, accounts):
    with client:
        client.send_tan(transfer(client, accounts[0], message_id="KW-MSG-7"), TAN)
        replay = transfer(client, accounts[0], message_id="KW-MSG-7")
    assert replay.status == ResponseStatus.ERROR
    assert any("Doppeleinreichung" in r.text for r in replay.responses)
    assert len(bank.ledger.orders) == 1


@pytest.fixture
def app_client(client):
    client.set_tan_mechanism("946")
    return client


def test_decoupled_transfer_polls_until_the_app_confirms(app_client, bank, accounts):
    bank.settings.decoupled_confirm_after_polls = 3
    with app_client:
        result = transfer(app_client, accounts[0])
        assert isinstance(result, NeedTANResponse) and result.decoupled
        polls = 0
        while isinstance(result, NeedTANResponse):
            assert not bank.ledger.orders
            result = app_client.send_tan(result, "")
            polls += 1
    assert polls == 3
    assert result.status == ResponseStatus.SUCCESS
    assert len(bank.ledger.orders) == 1


def test_decoupled_confirmation_controlled_by_the_test(app_client, bank, accounts):
    bank.settings.decoupled_confirm_after_polls = None
    with app_client:
        challenge = transfer(app_client, accounts[0])
        still = app_client.send_tan(challenge, "")
        still = app_client.send_tan(still, "")
        assert isinstance(still, NeedTANResponse) and not bank.ledger.orders
        [task] = bank.pending_tasks()
        assert task.method.decoupled and task.polls == 2
        bank.confirm_decoupled()
        done = app_client.send_tan(still, "")
    assert done.status == ResponseStatus.SUCCESS
    assert len(bank.ledger.orders) == 1


def test_the_same_message_waiting_twice_for_its_tan_is_executed_once(client, bank, accounts):
    with client:
        first = transfer(client, accounts[0], message_id="KW-MSG-TWICE")
        second = transfer(client, accounts[0], message_id="KW-MSG-TWICE")  # both wait for a TAN
        assert client.send_tan(first, TAN).status == ResponseStatus.SUCCESS
        again = client.send_tan(second, TAN)
    assert "9210" in codes(again) and again.status == ResponseStatus.ERROR
    assert [o.message_id for o in bank.ledger.orders] == ["KW-MSG-TWICE"]
