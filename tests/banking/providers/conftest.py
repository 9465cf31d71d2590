"""A provider simulator per test, served over HTTP on loopback, and a connection to it."""

import pytest

from kassenwart.sandbox.providers import PayPalApi, ProviderServer, QontoApi, StripeApi


def _running(api):
    server = ProviderServer(api).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def stripe_sim():
    yield from _running(StripeApi())


@pytest.fixture
def paypal_sim():
    yield from _running(PayPalApi())


@pytest.fixture
def qonto_sim():
    yield from _running(QontoApi())


@pytest.fixture
def connect(company, admin):
    """connect(sim, "stripe") -> a provider connection to the simulator, with its credentials."""
    from kassenwart.banking.providers.sync import provider_connect

    def connect(sim, provider):
        return provider_connect(company, provider, sim.api.credentials, api_base=sim.url, user=admin, via="test")

    return connect
