"""A sandbox bank per test, served over HTTP on loopback, and real python-fints clients."""

import pytest
from fints.client import FinTS3PinTanClient
from fints.models import SEPAAccount

from kassenwart.sandbox.profiles import settings_for
from kassenwart.sandbox.scenarios import LOGIN, demo_bank
from kassenwart.sandbox.server import SandboxServer


@pytest.fixture
def profile():
    """The bank profile of `sandbox`; a test module overrides this fixture for another."""
    return "default"


@pytest.fixture
def tan_methods():
    """The customer's TAN methods in `sandbox` (None: all); overridable like `profile`."""
    return None


@pytest.fixture
def sandbox(profile, tan_methods):
    with SandboxServer.running(demo_bank(settings_for(profile), methods=tan_methods)) as server:
        yield server


@pytest.fixture
def bank(sandbox):
    return sandbox.bank


@pytest.fixture
def connect(sandbox):
    """connect(**overrides) -> a FinTS3PinTanClient for the scenario's customer."""

    def connect(**overrides):
        info = {**sandbox.connection_info(), **overrides}
        return FinTS3PinTanClient(info["bank_code"], info["login"], info["pin"], info["url"],
                                  product_id=info["product_id"], from_data=info.get("from_data"))

    return connect


@pytest.fixture(scope="session")
def client_state():
    """A synchronised client's saved state (system id, BPD, UPD), as the product keeps it.

    Parsing the BPD is the slow part of python-fints; reusing the state keeps tests fast.
    """
    with SandboxServer.running(demo_bank()) as server:
        info = server.connection_info()
        client = FinTS3PinTanClient(info["bank_code"], info["login"], info["pin"], info["url"],
                                    product_id=info["product_id"])
        with client:
            client.get_sepa_accounts()
    return client.deconstruct(including_private=True)


@pytest.fixture
def client(connect, client_state):
    return connect(from_data=client_state)


@pytest.fixture
def accounts(bank):
    """The customer's accounts as python-fints sees them: current, savings, call money.

    Taken from the bank, not fetched, to save a dialog per test (HKSPA has its own test).
    """
    return [SEPAAccount(a.iban, a.bic, a.number, None, bank.settings.bank_code)
            for a in bank.customers[LOGIN].accounts]
