"""Bank profiles: a savings bank (persisted system id, TAN for the first statement query of
a dialog) and one with MT940 only."""

import pytest
from fints.client import FinTSOperations, NeedTANResponse
from fints.exceptions import FinTSUnsupportedOperation

from sandbox_payments import TAN


class TestSavingsBank:
    @pytest.fixture
    def profile(self):
        return "sparkasse"

    def test_tan_for_a_new_system_id_and_for_the_first_statement_query(self, connect, bank, accounts):
        client = connect()
        with client:
            login = client.init_tan_response
            assert isinstance(login, NeedTANResponse), "a new system id needs a TAN"
            client.send_tan(login, TAN)
            first = client.get_transactions(accounts[0])
            assert isinstance(first, NeedTANResponse) and "Umsatzabfrage" in first.challenge
            transactions = client.send_tan(first, TAN)
            again = client.get_transactions(accounts[1])
        assert len(transactions) > 20 and isinstance(again, list)
        client.init_tan_response = None
        with client:
            assert client.init_tan_response is None, "the kept system id needs no TAN at login"
            assert isinstance(client.get_transactions(accounts[0]), NeedTANResponse), "new dialog, new TAN"

    def test_a_system_id_the_bank_did_not_issue_is_refused(self, connect, client_state, accounts):
        client = connect(from_data=client_state)  # synchronised with another bank
        texts = []
        client.add_response_callback(lambda segment, response: texts.append(response.text))
        with client:
            balance = client.get_balance(accounts[0])
        # The bank ends the dialog at its start (9800, 9210 "Kundensystem-ID unbekannt");
        # python-fints does not raise there, only the next message shows the dialog is gone.
        assert balance is None and "Dialog abgebrochen, Dialog-ID unbekannt." in texts


class TestMt940Only:
    @pytest.fixture
    def profile(self):
        return "mt940-only"

    def test_no_camt(self, client, accounts):
        with client:
            transactions = client.get_transactions(accounts[0])
            info = client.get_information()
            with pytest.raises(FinTSUnsupportedOperation):
                client.get_transactions_xml(accounts[0])
        assert transactions and not info["bank"]["supported_operations"][FinTSOperations.GET_TRANSACTIONS_XML]
