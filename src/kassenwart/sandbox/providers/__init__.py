"""Local simulators of the payment providers' APIs (no Django), for the demo and the tests:
PayPal (paypal.py), Qonto (qonto.py) and Stripe (stripe.py), each serving the documented
shapes of the endpoints Kassenwart reads from a small ledger of its own, with paging, late
data, fees, pending items, refused credentials and injected faults.

    server = ProviderServer(StripeApi.demo())   # server.py; or PayPalApi / QontoApi
    server.start()                              # a daemon thread; server.url
    server.faults.status_429 = 2                # the next two requests: 429 with Retry-After
    server.faults.status_500 = 1                # the next request: 500
    server.faults.status_401 = 1                # the next request: credentials refused
    server.api.revoked = True                   # every request: access revoked (403)
    server.requests                             # (method, path with query) of each request

`kassenwart sandbox-provider paypal|qonto|stripe --port N` runs one and prints a JSON line
with its url and credentials.
"""

from .paypal import PayPalApi
from .qonto import QontoApi
from .server import Faults, ProviderServer, serve
from .stripe import StripeApi

APIS = {"paypal": PayPalApi, "qonto": QontoApi, "stripe": StripeApi}
DEMO_PORTS = {"paypal": 8081, "qonto": 8082, "stripe": 8083}  # where `kassenwart demo` serves them

__all__ = ["APIS", "DEMO_PORTS", "Faults", "PayPalApi", "ProviderServer", "QontoApi", "StripeApi", "serve"]
