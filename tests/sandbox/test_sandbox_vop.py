"""Verification of Payee: the client sees the result before the TAN; anything but a match
needs the customer's approval (HKVPA) before the bank sends a challenge."""

import pytest
from fints.client import NeedTANResponse, NeedVOPResponse, ResponseStatus

from kassenwart.sandbox.scenarios import OWNER, SUPPLIERS, SWISS_SUPPLIER

from sandbox_payments import TAN, Line, send_transfer

SUPPLIER = SUPPLIERS[0]  # registered as "Stahlhandel Nord GmbH"


def pay(client, account, name, iban, end_to_end_id="KW-VOP-1"):
    line = Line(name, iban, "250.00", end_to_end_id, "Rechnung ER-77")
    return send_transfer(client, account, [line], f"MSG-{end_to_end_id}")


def test_match_goes_straight_to_the_tan(client, bank, accounts):
    with client:
        challenge = pay(client, accounts[0], SUPPLIER.name, SUPPLIER.iban)
        assert isinstance(challenge, NeedTANResponse)
        assert challenge.vop_result.vop_single_result.result == "RCVC"
        result = client.send_tan(challenge, TAN)  # python-fints adds HKVPA with the VoP-ID
    assert result.status == ResponseStatus.SUCCESS
    assert len(bank.ledger.orders) == 1


def test_own_customers_account_matches_by_default(client, bank, accounts):
    current, _, call_money = accounts
    with client:
        challenge = pay(client, current, OWNER, call_money.iban)
        assert challenge.vop_result.vop_single_result.result == "RCVC"
        assert client.send_tan(challenge, TAN).status == ResponseStatus.SUCCESS


@pytest.mark.parametrize("name, iban, result", [
    ("Stahlhandel Nord", SUPPLIER.iban, "RVMC"),  # legal form missing
    ("Stahlhandl Nord GmbH", SUPPLIER.iban, "RVMC"),  # typo
    ("Max Mustermann", SUPPLIER.iban, "RVNM"),
    ("Uhrenmanufaktur Gerber AG", SWISS_SUPPLIER.iban, "RVNA"),  # payee bank outside VoP
])
def test_other_results_need_approval_before_the_tan(client, bank, accounts, name, iban, result):
    with client:
        check = pay(client, accounts[0], name, iban)
        assert isinstance(check, NeedVOPResponse)
        single = check.vop_result.vop_single_result
        assert single.result == result and single.recipient_IBAN == iban
        assert check.vop_result.manual_authorization_notice
        assert not bank.pending_tasks() and not bank.ledger.orders, "no challenge before approval"
        challenge = client.approve_vop_response(check)
        assert isinstance(challenge, NeedTANResponse) and "Namensabgleich" in challenge.challenge
        done = client.send_tan(challenge, TAN)
    assert done.status == ResponseStatus.SUCCESS
    assert len(bank.ledger.orders) == 1
    if result == "RVMC":
        assert single.close_match_name == SUPPLIER.name
    if result == "RVNA":
        assert "nimmt nicht" in single.na_reason


def test_vop_id_of_another_payment_does_not_release_this_one(client, bank, accounts):
    with client:
        first = pay(client, accounts[0], "Max Mustermann", SUPPLIER.iban, "KW-VOP-A")
        second = pay(client, accounts[0], "Erika Musterfrau", SUPPLIER.iban, "KW-VOP-B")
        forged = NeedVOPResponse(first.vop_result, second.command_seg, second.resume_method)
        result = client.approve_vop_response(forged)
    assert not isinstance(result, NeedTANResponse)
    assert any("passt nicht" in r.text for r in result.responses)
    assert not bank.pending_tasks() and not bank.ledger.orders


class TestAsynchronousVoP:
    @pytest.fixture
    def profile(self):
        return "vop-async"

    @pytest.fixture
    def polling_client(self, sandbox, client_state):
        """The product's client, which polls for the result (python-fints issue #220)."""
        from kassenwart.banking.fints.client import BankClient

        info = sandbox.connection_info()
        return BankClient(info["bank_code"], info["login"], info["pin"], info["url"],
                          product_id=info["product_id"], from_data=client_state)

    def test_plain_python_fints_gets_no_challenge(self, client, bank, accounts):
        with client:
            result = pay(client, accounts[0], SUPPLIER.name, SUPPLIER.iban)
        assert result.status == ResponseStatus.WARNING
        assert {"3905"} <= {r.code for r in result.responses}
        assert not bank.pending_tasks()

    def test_the_client_polls_until_the_result_is_there(self, polling_client, bank, accounts):
        bank.settings.vop_wait_seconds = 0
        assert bank.settings.vop_polls == 2  # the result comes with the third ask
        with polling_client:
            check = pay(polling_client, accounts[0], "Stahlhandel Nord", SUPPLIER.iban)
            assert isinstance(check, NeedVOPResponse)
            assert check.vop_result.vop_single_result.result == "RVMC"
            challenge = polling_client.approve_vop_response(check)
            done = polling_client.send_tan(challenge, TAN)
        assert len([r for r in polling_client.responses if r.code == "3040"]) == 2
        assert done.status == ResponseStatus.SUCCESS and len(bank.ledger.orders) == 1
