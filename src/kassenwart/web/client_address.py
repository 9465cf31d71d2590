"""The address a request comes from, for throttling logins: the one place that decides it.

It is REMOTE_ADDR. Behind a proxy `kassenwart serve` has already put the client's address
there: waitress believes X-Forwarded-For only from the proxy's address (KASSENWART_TRUSTED_PROXY,
or 127.0.0.1 with an https KASSENWART_URL) and drops it from everyone else (runtime serve's
`_proxy`). So the header is never read here, where anyone could have written it.
"""

from __future__ import annotations


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")
