"""The sandbox bank on loopback and a product connection to it, for the tests that need
both (registered for every test in tests/conftest.py)."""

from dataclasses import replace

import pytest

from kassenwart.banking import fints
from kassenwart.banking.models import BankConnection
from kassenwart.sandbox import bank as sandbox_bank
from kassenwart.sandbox.scenarios import demo_bank
from kassenwart.sandbox.server import SandboxServer

State = BankConnection.State
TAN = "123456"


@pytest.fixture
def sandbox(product_id):
    with SandboxServer.running(demo_bank()) as server:
        yield server


@pytest.fixture
def bank(sandbox):
    return sandbox.bank


@pytest.fixture
def product_id(settings):
    """The installation's FinTS product id is one the sandbox bank knows."""
    settings.CONFIG = replace(settings.CONFIG, fints_product_id=sandbox_bank.Settings.product_ids[0])


@pytest.fixture
def make_connection(company, admin, sandbox):
    """A connection through the wizard's first steps (probe, TAN method), not synced yet."""

    def make(pin=None, method="942", keep_pin=True, name="Sandbox"):
        info = sandbox.connection_info()
        connection = fints.connection_create(
            company, name=name, bank_code=info["bank_code"], server_url=info["url"], login=info["login"],
            pin=pin or info["pin"], keep_pin=keep_pin, user=admin,
        )
        fints.connection_probe(connection)
        if connection.state == State.NEW:
            fints.connection_choose_tan(connection, method=method, user=admin)
        return connection

    return make


@pytest.fixture
def connection(make_connection):
    return make_connection()


