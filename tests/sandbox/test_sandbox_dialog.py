"""Dialog, synchronisation, BPD/UPD, SEPA accounts and balance with the real client."""

import base64

import pytest
import requests
from fints.client import FinTSOperations
from fints.exceptions import FinTSClientPINError, FinTSClientTemporaryAuthError
from fints.parser import FinTS3Parser

from kassenwart.sandbox.protocol import parse_request
from kassenwart.sandbox.scenarios import LOGIN


def test_sepa_accounts_and_allowed_transactions(client, accounts):
    with client:
        fetched = client.get_sepa_accounts()
        info = client.get_information()
    assert fetched == accounts
    assert all(a.bic == "KWSBDEF0XXX" and a.blz == "99990000" for a in fetched)
    assert info["bank"]["name"] == "Kassenwart Sandbox Bank"
    current, savings, call_money, depot = info["accounts"]
    assert current["supported_operations"][FinTSOperations.SEPA_TRANSFER_MULTIPLE]
    assert savings["supported_operations"][FinTSOperations.GET_BALANCE]
    assert not savings["supported_operations"][FinTSOperations.SEPA_TRANSFER_SINGLE]
    assert call_money["supported_operations"][FinTSOperations.SEPA_TRANSFER_SINGLE]
    assert depot["iban"] is None and depot["supported_operations"][FinTSOperations.GET_HOLDINGS]
    assert client.get_current_tan_mechanism() == "942"
    assert set(client.get_tan_mechanisms()) == {"942", "946", "902", "912"}


def test_balance_is_the_ledger_balance(client, bank, accounts):
    with client:
        balances = [client.get_balance(a) for a in accounts]
    today = bank.clock.now().date()
    for account, balance in zip(accounts, balances):
        expected = bank.ledger.balance(account.iban, today)
        assert balance.amount.amount == expected
        assert balance.date == today


def test_wrong_pin_is_reported_as_pin_error(connect):
    client = connect(pin="99999")
    with pytest.raises(FinTSClientPINError):
        with client:
            client.get_sepa_accounts()


def test_unknown_product_id_is_refused(connect):
    # The bank ends the dialog (9800, 9210 on HKVVB); python-fints then misses the system id.
    client = connect(product_id="SOMEOTHERPRODUCT")
    with pytest.raises(ValueError, match="system_id"):
        with client:
            client.get_sepa_accounts()


def test_saved_client_state_skips_synchronisation(client, bank, accounts):
    seen = []
    handle = bank.handle

    def spy(raw):
        seen.append([segment.header.type for segment in parse_request(raw).segments])
        return handle(raw)

    bank.handle = spy
    system_id = client.system_id
    with client:
        balance = client.get_balance(accounts[1])
    assert client.system_id == system_id != "0"
    assert seen == [["HKIDN", "HKVVB", "HKTAN"], ["HKSAL"], ["HKEND"]]
    assert balance.amount.amount == bank.ledger.balance(accounts[1].iban, bank.clock.now().date())


def test_three_wrong_pins_lock_the_access_until_unlocked(connect, bank, client_state):
    for _ in range(3):
        with pytest.raises(FinTSClientPINError):
            with connect(pin="99999", from_data=client_state):
                pass
    locked = connect(from_data=client_state)
    with pytest.raises(FinTSClientTemporaryAuthError):
        with locked:
            pass
    bank.unlock(LOGIN)
    client = connect(from_data=client_state)
    with client:
        assert len(client.get_sepa_accounts()) == 3


def test_garbage_gets_a_fints_error_not_a_crash(sandbox):
    answer = requests.post(sandbox.url, data=base64.b64encode(b"HNHBK:1:3+kaputt"), timeout=5)
    message = FinTS3Parser().parse_message(base64.b64decode(answer.content))
    [feedback] = message.find_segments("HIRMG")
    assert answer.status_code == 200 and feedback.responses[0].code == "9110"
