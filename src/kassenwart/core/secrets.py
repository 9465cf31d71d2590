"""Secrets at rest: PINs, FinTS client state and paused dialogs, sealed with AES-GCM.

The key is generated once into the data directory (file `secrets.key`, mode 0600), like the
Django secret key. A sealed value is bound to its purpose (e.g. "connection:7:pin"), so a
blob copied into another row or column is refused just like a tampered one.
"""

from __future__ import annotations

import base64
import os
import tempfile
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

VERSION = b"\x01"
NONCE_BYTES = 12
KEY_FILE = "secrets.key"


class SecretRefused(Exception):
    """A sealed value was changed, belongs elsewhere, or was sealed with another key."""


def seal(data: bytes, purpose: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + _cipher().encrypt(nonce, data, purpose.encode())


def unseal(sealed: bytes, purpose: str) -> bytes:
    sealed = bytes(sealed)
    if not sealed.startswith(VERSION) or len(sealed) < 1 + NONCE_BYTES + 16:
        raise SecretRefused(f"{purpose}: not a sealed value")
    nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    try:
        return _cipher().decrypt(nonce, body, purpose.encode())
    except InvalidTag as error:
        raise SecretRefused(f"{purpose}: the sealed value was altered or is not ours") from error


def _cipher() -> AESGCM:
    return AESGCM(_key(Path(settings.DATA_DIR) / KEY_FILE))


@cache
def _key(path: Path) -> bytes:
    if not path.exists():
        _create_key(path)
    key = base64.urlsafe_b64decode(path.read_bytes().strip())
    if len(key) != 32:
        raise SecretRefused(f"{path} does not hold a 256-bit key")
    return key


def _create_key(path: Path) -> None:
    """Write the key to a private temporary file, then link it into place: two processes
    starting at once agree on one key, and no one reads a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # private (0600), its own name
    temporary = Path(name)
    with os.fdopen(fd, "wb") as handle:
        handle.write(base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)))
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process was first; its key is the key
    finally:
        temporary.unlink()
