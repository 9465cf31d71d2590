"""The address a request comes from, for throttling logins: the one place that decides it.

It is REMOTE_ADDR. Behind a TLS proxy (KASSENWART_URL=https://...) `kassenwart serve` has
already put the client's address there: waitress believes X-Forwarded-For only from
KASSENWART_TRUSTED_PROXY and drops it from everyone else (runtime serve's `_proxy`). So the
header is never read here, where anyone could have written it.
"""

from __future__ import annotations


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")
