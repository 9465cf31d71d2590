"""Dialogs paused at the bank while a person gives a TAN or approves a payee check.

A connection has at most one paused dialog. It carries its purpose ("sync", or an order's
"order:<pk>"), so a sync never continues an order's dialog. The blob holds the PIN and is
sealed; it lives until the bank ends the dialog (after about 15 minutes).
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.banking.models import BankConnection, PausedDialog

from . import client
from .login import ConnectionBusy, seal, unseal

DIALOG_TTL = timedelta(minutes=14)  # banks end a paused dialog after 15 minutes
SYNC = "sync"  # the purpose of a sync's paused dialog; an order's is "order:<pk>"


@dataclass(frozen=True)
class Parked:
    """A paused dialog opened: the dialog blob and the step a person must take in it."""

    dialog: bytes
    challenge: client.Challenge | None = None  # a TAN to give
    payee: client.PayeeCheck | None = None  # a payee check to approve or refuse
    login: bool = False  # the TAN is the dialog start's: an order waits behind it
    polls: int = 0  # decoupled: how often the bank was asked already


def keep(connection, dialog: bytes, token: str, *, challenge: client.Challenge | None = None,
         payee: client.PayeeCheck | None = None, awaiting_tan: bool = True, polls: int = 0,
         purpose: str = SYNC, login: bool = False) -> None:
    envelope = {"dialog": _b64(dialog), "login": login, "challenge": None, "payee": None}
    if challenge is not None:
        envelope["challenge"] = {
            "text": challenge.text, "decoupled": challenge.decoupled, "data": _b64(challenge.data),
            "image_type": challenge.image_type, "image": _b64(challenge.image),
            "flicker": list(challenge.flicker), "payee_check": _b64(challenge.payee_check),
        }
    if payee is not None:
        envelope["payee"] = {**asdict(payee), "data": _b64(payee.data)}
    expires = timezone.now() + DIALOG_TTL
    with transaction.atomic():
        PausedDialog.objects.filter(connection=connection).delete()
        PausedDialog.objects.create(
            connection=connection, sealed=seal(connection, "dialog", json.dumps(envelope).encode()),
            awaiting_tan=awaiting_tan, decoupled=bool(challenge and challenge.decoupled), polls=polls,
            lock_token=token, expires_at=expires, purpose=purpose,
        )
        BankConnection.objects.filter(pk=connection.pk, lock_token=token).update(locked_until=expires)


def live(connection: BankConnection) -> PausedDialog | None:
    paused = PausedDialog.objects.filter(connection=connection).first()
    if paused is not None and paused.expires_at <= timezone.now():
        paused.delete()  # the bank has ended it; its claim has expired with it
        return None
    return paused


def opened(connection, paused: PausedDialog) -> Parked:
    envelope = json.loads(unseal(connection, "dialog", paused.sealed))
    challenge = payee = None
    if raw := envelope.get("challenge"):
        challenge = client.Challenge(
            text=raw["text"], decoupled=raw["decoupled"], data=_unb64(raw["data"]),
            image_type=raw["image_type"], image=_unb64(raw["image"]), flicker=tuple(raw["flicker"]),
            payee_check=_unb64(raw.get("payee_check", "")),
        )
    if raw := envelope.get("payee"):
        payee = client.PayeeCheck(**{**raw, "data": _unb64(raw["data"])})
    return Parked(_unb64(envelope["dialog"]), challenge, payee, envelope.get("login", False))


def taken(connection, paused: PausedDialog) -> bytes:
    """The dialog blob, now this request's alone (see `take`)."""
    blob = opened(connection, paused).dialog
    take(paused)
    return blob


def take(paused: PausedDialog) -> None:
    """Only one request may continue a paused dialog (two would break its message numbers):
    whoever deletes the row has it."""
    if not PausedDialog.objects.filter(pk=paused.pk).delete()[0]:
        raise ConnectionBusy(_("This dialog with the bank is being continued already."))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)
