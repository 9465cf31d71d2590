"""An endpoint's signing secret: Standard Webhooks form (`whsec_` and 32 random bytes in
base64), sealed at rest with core.secrets and bound to the endpoint's row."""

from __future__ import annotations

import base64
import os

from kassenwart.core.secrets import seal, unseal

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(os.urandom(32)).decode()


def purpose(endpoint_id: int, column: str = "secret") -> str:
    return f"webhooks.endpoint:{endpoint_id}:{column}"


def sealed(secret: str, endpoint_id: int, column: str = "secret") -> bytes:
    return seal(secret.encode(), purpose(endpoint_id, column))


def opened(blob: bytes, endpoint_id: int, column: str = "secret") -> str:
    return unseal(blob, purpose(endpoint_id, column)).decode()
