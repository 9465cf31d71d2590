"""The address a request comes from, for throttling logins: the one place that decides it.

REMOTE_ADDR, the peer of the connection, unless that peer is a proxy named in the setting
TRUSTED_PROXIES (addresses or networks, e.g. ["127.0.0.1", "10.0.0.0/8"]): then the client is
the last address in X-Forwarded-For that is not itself a trusted proxy. A header from anyone
else is ignored, since a client can write any X-Forwarded-For it likes.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request) -> str:
    peer = request.META.get("REMOTE_ADDR", "")
    networks = [ipaddress.ip_network(n, strict=False) for n in getattr(settings, "TRUSTED_PROXIES", ())]
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for address in reversed(forwarded):
        if not _trusted(address, networks):
            return address
    return peer
