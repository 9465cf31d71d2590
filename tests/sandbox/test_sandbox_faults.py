"""Fault modes: an answer lost after the bank booked the order, HTTP 500, slow answers."""

import time
from datetime import timedelta

import pytest
from fints.exceptions import FinTSConnectionError
from test_sandbox_transfers import transfer

from sandbox_payments import TAN


def test_lost_answer_after_booking_leaves_exactly_one_execution(sandbox, client, bank, accounts):
    sandbox.faults.drop_after_order = 1
    with pytest.raises(FinTSConnectionError):
        with client:
            challenge = transfer(client, accounts[0], end_to_end_id="KW-LOST-1")
            client.send_tan(challenge, TAN)
    [order] = bank.ledger.orders
    today = bank.clock.now().date()
    with client:
        protocol = client.get_status_protocol()
        lines = client.get_transactions(accounts[0], today - timedelta(days=1), today)
    assert [(p.responses.code, list(p.responses.parameters)) for p in protocol] == \
        [("0020", [order.message_id])]
    assert [t.data["end_to_end_reference"] for t in lines].count("KW-LOST-1") == 1


def test_http_500_then_recovery(sandbox, connect, client_state, accounts):
    sandbox.faults.http_500 = 1
    client = connect(from_data=client_state)
    with pytest.raises(FinTSConnectionError, match="500"):
        with client:
            client.get_balance(accounts[0])
    # A client whose dialog start failed keeps a half-made standing dialog: use a new one.
    client = connect(from_data=client_state)
    with client:
        assert client.get_balance(accounts[0]) is not None


def test_delay_slows_every_answer(sandbox, client, accounts):
    sandbox.faults.delay = 0.2
    started = time.monotonic()
    with client:  # dialog start, balance, dialog end: three answers
        client.get_balance(accounts[0])
    assert time.monotonic() - started >= 0.6
