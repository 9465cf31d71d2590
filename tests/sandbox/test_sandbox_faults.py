"""Fault modes (server.py): what a real python-fints client gets and what the bank has done
when a message is lost on the way, an answer is lost, cut off or held after the bank
executed an order, the dialog end fails, or every answer is slow."""

import json
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from fints.exceptions import FinTSClientError, FinTSConnectionError, FinTSDialogInitError
from test_sandbox_transfers import transfer

from kassenwart.sandbox.server import AT_DIALOG_END, NAMES, Faults

from sandbox_payments import TAN

RESET = "Connection reset by peer"


def faults_hit(sandbox):
    return [(e.segments, e.fault) for e in sandbox.exchanges if e.fault]


@pytest.mark.parametrize("fault, error, says", [
    ("drop_after_order", FinTSConnectionError, RESET),
    ("http_500_after_order", FinTSConnectionError, "500"),
    ("garble_after_order", ValueError, None),
])
def test_an_answer_lost_after_booking_leaves_exactly_one_execution(sandbox, client, bank, accounts, fault, error,
                                                                    says):
    sandbox.faults.set(fault)
    with pytest.raises(error, match=says):
        with client:
            challenge = transfer(client, accounts[0], end_to_end_id="KW-LOST-1")
            client.send_tan(challenge, TAN)
    [order] = bank.ledger.orders
    assert faults_hit(sandbox) == [(("HKVPA", "HKTAN"), fault)]  # the TAN, with the payee check's approval
    today = bank.clock.now().date()
    with client:
        protocol = client.get_status_protocol()
        lines = client.get_transactions(accounts[0], today - timedelta(days=1), today)
    assert [(p.responses.code, list(p.responses.parameters)) for p in protocol] == \
        [("0020", [order.message_id])]
    assert [t.data["end_to_end_reference"] for t in lines].count("KW-LOST-1") == 1


@pytest.mark.parametrize("fault, says", [("drop", RESET), ("http_500", "500")])
def test_a_message_lost_on_the_way_never_reaches_the_bank(sandbox, connect, client_state, bank, accounts, fault,
                                                          says):
    sandbox.faults.set(fault)
    client = connect(from_data=client_state)
    with pytest.raises(FinTSConnectionError, match=says):
        with client:
            client.get_balance(accounts[0])
    assert faults_hit(sandbox) == [((), fault)], "the bank did not read it"
    assert not bank.dialogs
    # A client whose dialog start failed keeps a half-made standing dialog: use a new one.
    client = connect(from_data=client_state)
    with client:
        assert client.get_balance(accounts[0]) is not None


def test_a_garbled_answer_is_no_fints_message_though_the_bank_processed_it(sandbox, client, bank, accounts):
    sandbox.faults.garble = 1
    with pytest.raises(FinTSDialogInitError) as failed:
        with client:
            client.get_balance(accounts[0])
    assert isinstance(failed.value.__cause__, ValueError), "the parser could not read the answer"
    assert faults_hit(sandbox) == [(("HKIDN", "HKVVB", "HKTAN"), "garble")]
    assert len(bank.dialogs) == 1, "the bank opened the dialog whose answer was lost"


def test_counted_faults_hit_that_many_messages_then_none(sandbox, connect, client_state, accounts):
    sandbox.faults.drop = 2
    for _ in range(2):
        with pytest.raises(FinTSConnectionError):
            with connect(from_data=client_state):
                pass
    assert sandbox.faults == Faults(), "both used up"
    client = connect(from_data=client_state)
    with client:
        assert client.get_balance(accounts[0]) is not None
    assert [e.fault for e in sandbox.exchanges] == ["drop", "drop", "", "", ""]


def test_clear_takes_every_fault_back(sandbox, client, accounts):
    for name in NAMES:
        sandbox.faults.set(name, 3)
    sandbox.faults.delay = 5.0
    sandbox.faults.clear()
    assert sandbox.faults == Faults()
    with client:
        assert client.get_balance(accounts[0]) is not None
    assert not faults_hit(sandbox)
    with pytest.raises(ValueError, match="unknown fault"):
        sandbox.faults.set("drop_everything")


@pytest.mark.parametrize("fault, error, says", [
    ("drop_at_dialog_end", FinTSConnectionError, RESET),
    ("http_500_at_dialog_end", FinTSConnectionError, "500"),
    ("garble_at_dialog_end", ValueError, None),
    ("error_at_dialog_end", FinTSClientError, None),  # python-fints raises on the 9010 answer
])
def test_a_failing_dialog_end_comes_after_the_bank_ended_the_dialog(sandbox, client, bank, accounts, fault, error,
                                                                    says):
    assert fault in AT_DIALOG_END
    setattr(sandbox.faults, fault, 1)
    balance = None
    with pytest.raises(error, match=says):
        with client:
            balance = client.get_balance(accounts[0])
    assert balance is not None, "what the dialog answered before came back"
    assert faults_hit(sandbox) == [(("HKEND",), fault)]
    assert not bank.dialogs, "the bank ended the dialog all the same"


def test_a_held_answer_leaves_the_client_waiting_with_the_order_executed(sandbox, client, bank, accounts):
    sandbox.faults.hold_after_order = 1
    outcome = []

    def pay():
        try:
            with client:
                client.send_tan(transfer(client, accounts[0], end_to_end_id="KW-HELD-1"), TAN)
        except Exception as error:
            outcome.append(error)

    payer = threading.Thread(target=pay)
    payer.start()
    try:
        assert sandbox.faults.holding.wait(10), "the bank holds the TAN's answer"
        assert [o.kind for o in bank.ledger.orders] == ["HKCCS"], "executed while the client still waits"
        assert payer.is_alive() and not outcome
    finally:
        sandbox.faults.release()
        payer.join(10)
    [error] = outcome
    assert isinstance(error, FinTSConnectionError) and RESET in str(error)
    assert not sandbox.faults.holding.is_set()
    assert [e.fault for e in sandbox.exchanges if e.executed] == ["hold_after_order"]


def test_delay_slows_every_answer(sandbox, client, accounts):
    sandbox.faults.delay = 0.05
    with client:  # dialog start, balance, dialog end: three answers
        client.get_balance(accounts[0])
    exchanges = list(sandbox.exchanges)
    assert [e.segments for e in exchanges] == [("HKIDN", "HKVVB", "HKTAN"), ("HKSAL",), ("HKEND",)]
    assert all(e.delayed == 0.05 and e.answered - e.received >= 0.05 for e in exchanges), exchanges


def test_the_command_takes_faults(client_state):
    process = subprocess.Popen([sys.executable, "-m", "kassenwart.sandbox", "--port", "0",
                                "--fault", "http_500", "--fault", "drop=2"], stdout=subprocess.PIPE, text=True)
    try:
        info = json.loads(process.stdout.readline())
        from fints.client import FinTS3PinTanClient

        def client():
            return FinTS3PinTanClient(info["bank_code"], info["login"], info["pin"], info["url"],
                                      product_id=info["product_id"], from_data=client_state)

        for says in (RESET, RESET, "500"):  # drop comes first where both apply
            with pytest.raises(FinTSConnectionError, match=says):
                with client():
                    pass
        with client():
            pass
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_command_refuses_an_unknown_fault():
    done = subprocess.run([sys.executable, "-m", "kassenwart.sandbox", "--fault", "drop_everything"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unknown fault 'drop_everything'" in done.stderr
