"""`python -m kassenwart.sandbox --port 0` prints its connection data, then serves; with
--profile and --tan-methods it imitates another bank."""

import json
import subprocess
import sys

from fints.client import FinTS3PinTanClient, FinTSOperations


def test_command_prints_connection_json_and_serves(client_state):
    process = subprocess.Popen([sys.executable, "-m", "kassenwart.sandbox", "--port", "0",
                                "--profile", "mt940-only", "--tan-methods", "942,902"],
                               stdout=subprocess.PIPE, text=True)
    try:
        info = json.loads(process.stdout.readline())
        assert info["url"].startswith("http://127.0.0.1:") and not info["url"].endswith(":0/")
        assert set(info) == {"url", "bank_code", "login", "pin", "tan", "product_id"}
        client = FinTS3PinTanClient(info["bank_code"], info["login"], info["pin"], info["url"],
                                    product_id=info["product_id"], from_data=client_state)
        with client:
            accounts = client.get_sepa_accounts()
            information = client.get_information()
        assert len(accounts) == 3
        assert not information["bank"]["supported_operations"][FinTSOperations.GET_TRANSACTIONS_XML]
        assert set(client.get_tan_mechanisms()) == {"942", "902"}
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_kassenwart_sandbox_bank_passes_options_and_accepts_the_installations_product_id(client_state, tmp_path):
    import os

    from fints.client import FinTS3PinTanClient as Client

    env = {**os.environ, "KASSENWART_DATA_DIR": str(tmp_path), "KASSENWART_FINTS_PRODUCT_ID": "REGISTERED4711"}
    process = subprocess.Popen([sys.executable, "-m", "kassenwart", "sandbox-bank", "--port", "0",
                                "--tan-methods", "942,902"], stdout=subprocess.PIPE, text=True, env=env)
    try:
        info = json.loads(process.stdout.readline())
        client = Client(info["bank_code"], info["login"], info["pin"], info["url"], product_id="REGISTERED4711",
                        from_data=client_state)
        with client:
            assert len(client.get_sepa_accounts()) == 3
        assert set(client.get_tan_mechanisms()) == {"942", "902"}
    finally:
        process.terminate()
        process.wait(timeout=10)
