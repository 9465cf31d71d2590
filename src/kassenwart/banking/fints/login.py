"""The bank login of a FinTS connection: one user at a time, the PIN, sealed secrets.

A bank drops parallel dialogs of one login, so a connection is used by one worker at a time:
`claim` takes the row with a conditional UPDATE (token and expiry), `release` gives it back.
A dialog paused for a TAN keeps the claim until it is answered or expires; whoever continues
it (the TAN page, then the sync task) holds the paused dialog's token.

Secrets: the PIN is kept (sealed) only when the user opted in; otherwise a PIN typed for one
bank call is sealed until that call picks it up (at most `PIN_HANDOVER`) and then deleted.
The client state and paused dialogs are sealed too (core.secrets); none of it reaches a
browser.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.banking.models import BankConnection, PausedDialog
from kassenwart.core import secrets as sealing
from kassenwart.core import workers
from kassenwart.core.audit import record
from kassenwart.core.messages import message

from . import client

State = BankConnection.State
LOCK_TTL = timedelta(minutes=10)  # renewed per account; a worker that died frees it after this
PIN_HANDOVER = timedelta(minutes=15)
_STATE_OF = {
    client.PinWrong: State.PIN_WRONG,
    client.PinBlocked: State.PIN_BLOCKED,
    client.TanRequired: State.NEEDS_TAN,
    client.TanExpired: State.NEEDS_TAN,
}


class ConnectionBusy(Exception):
    """Another worker (or a TAN dialog) is using this bank login right now."""


class PinMissing(client.BankError):
    """The PIN is not kept and none was given for this bank call."""


class SecretUnusable(client.BankError):
    """A sealed secret of the connection was altered or sealed with another key."""


# -- the claim -----------------------------------------------------------------------------
def claim(connection: BankConnection, token: str, ttl: timedelta) -> bool:
    now = timezone.now()
    me = workers.current()
    free = Q(locked_until__isnull=True) | Q(locked_until__lte=now) | Q(lock_token=token)
    claimed = BankConnection.objects.filter(free, pk=connection.pk).update(lock_token=token, locked_until=now + ttl,
                                                                          locked_by=me)
    if claimed:
        connection.lock_token, connection.locked_until, connection.locked_by = token, now + ttl, me
    return bool(claimed)


def release(connection: BankConnection, token: str) -> None:
    BankConnection.objects.filter(pk=connection.pk, lock_token=token).update(lock_token="", locked_until=None,
                                                                             locked_by="")
    connection.lock_token, connection.locked_until, connection.locked_by = "", None, ""


def connections_recover() -> int:
    """Free the logins held by a process that died at work: it will never release them. A
    dialog it paused for a person's TAN keeps its login (the bank still waits for that TAN).
    Returns how many were freed."""
    held = BankConnection.objects.filter(locked_until__gt=timezone.now()).exclude(locked_by="")
    gone = workers.dead(set(held.values_list("locked_by", flat=True)))
    paused = PausedDialog.objects.values("lock_token")
    return held.filter(locked_by__in=gone).exclude(lock_token__in=paused).update(
        lock_token="", locked_until=None, locked_by="")


class Held:
    """Hold the connection's claim for a block; keep it if the block paused a dialog."""

    def __init__(self, connection: BankConnection, token: str | None = None, ttl: timedelta = LOCK_TTL):
        self.connection = connection
        self.token = token or secrets.token_hex(16)
        self.ttl = ttl

    def __enter__(self) -> str:
        if not claim(self.connection, self.token, self.ttl):
            raise ConnectionBusy(_("%(name)s is syncing already; try again in a minute.")
                                 % {"name": self.connection.name})
        return self.token

    def __exit__(self, exc_type, *exc_info) -> None:
        if exc_type is ConnectionBusy:
            return  # someone with the same token (a paused dialog's) is at work
        if not PausedDialog.objects.filter(connection=self.connection, lock_token=self.token).exists():
            release(self.connection, self.token)


def is_busy(connection: BankConnection) -> bool:
    return connection.locked_until is not None and connection.locked_until > timezone.now()


# -- state ---------------------------------------------------------------------------------
def set_state(connection: BankConnection, state: str, error: dict | None, user, via) -> None:
    """Change state and last error, a stored message or None (audited when they change)."""
    before = {"state": connection.state, "last_error": connection.last_error}
    if before == {"state": state, "last_error": error}:
        return
    BankConnection.objects.filter(pk=connection.pk).update(state=state, last_error=error)
    connection.state, connection.last_error = state, error
    record("connection.state_changed", connection, company=connection.company, user=user, via=via,
           before=before, after={"state": state, "last_error": error})


def fail(connection: BankConnection, error: client.BankError, user, via) -> None:
    if isinstance(error, PinMissing):
        return  # nothing happened at the bank; the page asks for the PIN
    state = next((s for kind, s in _STATE_OF.items() if isinstance(error, kind)), State.ERROR)
    with transaction.atomic():
        if state in (State.PIN_WRONG, State.PIN_BLOCKED):
            # Never try this PIN again by itself: banks lock the access after a few.
            BankConnection.objects.filter(pk=connection.pk).update(pin_sealed=None, pin_until=None)
            connection.pin_sealed = connection.pin_until = None
        drop_handed_pin(connection)
        set_state(connection, state, error.said, user, via)


# -- the PIN -------------------------------------------------------------------------------
def pin_handover(connection: BankConnection, *, pin: str, keep: bool = False) -> None:
    """A PIN typed for the next bank call (kept only when the user opted in)."""
    connection.pin_sealed = seal(connection, "pin", pin.encode())
    connection.pin_kept = keep
    connection.pin_until = None if keep else timezone.now() + PIN_HANDOVER
    connection.save(update_fields=["pin_sealed", "pin_kept", "pin_until"])


def pin_available(connection: BankConnection) -> bool:
    return _pin(connection) is not None


def required_pin(connection: BankConnection) -> str:
    pin = _pin(connection)
    if pin is None:
        raise PinMissing(message("banking.fints.pin_not_kept"))
    return pin


def drop_handed_pin(connection: BankConnection) -> None:
    if not connection.pin_kept:
        BankConnection.objects.filter(pk=connection.pk).update(pin_sealed=None, pin_until=None)
        connection.pin_sealed = connection.pin_until = None


def _pin(connection: BankConnection) -> str | None:
    connection.refresh_from_db(fields=["pin_sealed", "pin_kept", "pin_until"])
    if connection.pin_sealed is None:
        return None
    if not connection.pin_kept and (connection.pin_until is None or connection.pin_until <= timezone.now()):
        return None
    return unseal(connection, "pin", connection.pin_sealed).decode()


# -- access and sealed secrets -------------------------------------------------------------
def access(connection: BankConnection, pin: str | None) -> client.Access:
    state = connection.client_state
    return client.Access(
        bank_code=connection.bank_code, server_url=connection.server_url, login=connection.login,
        pin=pin, customer_id=connection.customer_id, tan_method=connection.tan_method,
        tan_medium=connection.tan_medium,
        client_state=unseal(connection, "client", state) if state is not None else None,
    )


def keep_client_state(connection: BankConnection, client_state: bytes) -> None:
    connection.client_state = seal(connection, "client", client_state)
    connection.save(update_fields=["client_state"])


def seal(connection: BankConnection, what: str, data: bytes) -> bytes:
    return sealing.seal(data, f"connection:{connection.pk}:{what}")


def unseal(connection: BankConnection, what: str, sealed: bytes) -> bytes:
    try:
        return sealing.unseal(sealed, f"connection:{connection.pk}:{what}")
    except sealing.SecretRefused as error:
        raise SecretUnusable(message("banking.fints.secret_unusable", what=what)) from error


def public(connection: BankConnection) -> dict:
    """What the audit trail shows of a connection: never a secret."""
    return {"name": connection.name, "bank_code": connection.bank_code, "server_url": connection.server_url,
            "login": connection.login, "pin_kept": connection.pin_kept}
