"""Where webhooks may go: https to public addresses only, so an endpoint can never make
Kassenwart post into its own network (the database, a cloud's metadata service at
169.254.169.254, an admin interface on localhost).

The host is resolved and every address it has must be public (not loopback, private,
link-local, shared, reserved, multicast or unspecified) when the endpoint is saved, and again
at each delivery, which then connects to the address it checked (`pinned`), so a name that
resolves elsewhere after the check (DNS rebinding) does not reach inside.

KASSENWART_WEBHOOKS_ALLOW_PRIVATE turns all of this off (http and internal addresses allowed),
for receivers inside your network, the tests and the demo.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class AddressRefused(Exception):
    """The URL may not be posted to: `reason` is "scheme", "unresolvable" or "internal"."""

    def __init__(self, reason: str, host: str = "", address: str = ""):
        super().__init__(f"{reason}: {host} {address}".strip())
        self.reason, self.host, self.address = reason, host, address


@dataclass(frozen=True)
class Target:
    """Where to post: `url` with the checked address in place of the host name, `host` for the
    Host header and `server_name` for TLS (SNI and the certificate check)."""

    url: str
    host: str
    server_name: str


def private_allowed() -> bool:
    return bool(settings.KASSENWART_WEBHOOKS_ALLOW_PRIVATE)


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _checked_address(host: str, port: int) -> str:
    """The first address of `host`; AddressRefused unless every address it has is public."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise AddressRefused("unresolvable", host)
    addresses = list(dict.fromkeys(entry[4][0] for entry in found))
    if not addresses:
        raise AddressRefused("unresolvable", host)
    for address in addresses:
        if not is_public(address.split("%")[0]):
            raise AddressRefused("internal", host, address)
    return addresses[0]


def check(url: str) -> None:
    """AddressRefused unless `url` may receive webhooks (nothing is checked while private
    addresses are allowed)."""
    if not private_allowed():
        pinned(url)


def pinned(url: str) -> Target:
    """`url` resolved and checked now, to be posted to the address checked."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise AddressRefused("scheme", parts.hostname or "")
    address = _checked_address(parts.hostname, parts.port or 443)
    shown = f"[{address}]" if ":" in address else address
    credentials, _at, host = parts.netloc.rpartition("@")
    netloc = f"{credentials}@" * bool(credentials) + (f"{shown}:{parts.port}" if parts.port else shown)
    return Target(parts._replace(netloc=netloc).geturl(), host, parts.hostname)
