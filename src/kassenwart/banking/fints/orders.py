"""The one interface the payments app sends its orders through: a pain message (transfers
or direct debits) from one account, and the steps a person answers (payee check, TAN).

`order_send` runs in a worker and opens a dialog; what the bank then waits for is paused at
the connection (purpose "order:<pk>") until the person's answer resumes it in a web request
(`order_approve_payee`, `order_tan`). The outcome is one of the step types below, or:
`OrderNotSent` when the order provably did not leave (send it again), `OutcomeUnknown` when
the connection broke after it may have (never send it again by itself).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.utils.translation import gettext as _

from kassenwart.banking.models import BankAccount, BankConnection, PausedDialog
from kassenwart.core.crash_points import crash_point
from kassenwart.core.messages import message
from kassenwart.core.models import User

from . import client, dialogs
from .client import PAIN_008, Challenge, OrderResult, OutcomeUnknown, PayeeCheck, TanWrong
from .login import (
    ConnectionBusy,
    Held,
    PinMissing,
    State,
    access,
    claim,
    drop_handed_pin,
    fail,
    keep_client_state,
    pin_available,
    pin_handover,
    release,
    required_pin,
    set_state,
)
from .sync import MAX_DECOUPLED_POLLS

Parked = dialogs.Parked

__all__ = ["Challenge", "ConnectionBusy", "ORDER_TTL", "Order", "OrderNotSent", "OrderResult", "OrderStep",
           "OutcomeUnknown", "PAIN_008", "Parked", "PayeeCheck", "PinMissing", "TanWrong", "debit_lead_days",
           "order_abandon", "order_approve_payee", "order_send", "order_step", "order_tan", "pin_available",
           "pin_handover"]

# The longest an order's bank step may take: the login TAN, the order, every payee-check poll.
ORDER_TTL = timedelta(seconds=client.BANK_TIMEOUT * (client.VOP_MAX_POLLS + 2)
                      + client.VOP_MAX_WAIT * client.VOP_MAX_POLLS)


@dataclass(frozen=True)
class Order:
    """A pain message to send from one account, as the payments app hands it over: credit
    transfers (pain.001) or direct debits (pain.008, kind "debit", scheme "CORE" or "B2B").
    Several payments go as one batch with `count` and `total` as its control sum."""

    purpose: str  # "order:<pk>": marks the order's paused dialog
    account: BankAccount
    pain: bytes
    count: int
    total: Decimal
    descriptor: str
    instant: bool = False
    kind: str = "transfer"  # or "debit"
    scheme: str = ""  # debits: "CORE" or "B2B"
    # Called just before the order message goes to the bank (and not before a login): the
    # caller commits that the order may reach the bank from now on, or raises to stop.
    before_transmit: Callable[[], None] | None = None


OrderStep = client.Challenge | client.PayeeCheck | client.OrderResult


class OrderNotSent(client.BankError):
    """The bank has not executed the order (it never got it, or never its TAN)."""


def order_send(connection: BankConnection, order: Order, *, user: User | None = None,
               via: str = "worker") -> OrderStep:
    """Open a dialog and send the order (in a task). What comes back waits for a person in
    the paused dialog: a TAN (also one for the dialog start, after which `order_tan` sends
    the order) or a payee check (`order_approve_payee`). `OrderNotSent` when the order did
    not leave; `client.OutcomeUnknown` when the connection broke after it did."""
    if dialogs.live(connection) is not None:
        raise ConnectionBusy(_("The bank is waiting for a TAN for this connection; try again in a few minutes."))
    with Held(connection, ttl=ORDER_TTL) as token:
        try:
            with client.session(access(connection, required_pin(connection)), resume=None) as bank:
                if bank.challenge is not None:
                    dialogs.keep(connection, bank.pause(), token, challenge=bank.challenge,
                                 purpose=order.purpose, login=True)
                    step = bank.challenge
                else:
                    step = _transmit(bank, order)
                    _park_step(connection, bank, step, token, order.purpose)
                client_state = bank.client_state()
        except (client.OutcomeUnknown, OrderNotSent):
            raise
        except client.BankError as error:
            fail(connection, error, user, via)
            raise OrderNotSent(error.said) from error
        finally:
            drop_handed_pin(connection)
        keep_client_state(connection, client_state)
        if connection.state == State.ERROR:  # the bank answers again
            set_state(connection, State.OK, None, user, via)
    return step


def order_approve_payee(connection: BankConnection, order: Order) -> OrderStep:
    """The person has seen the payee check and releases the order: the next step."""
    with _resumed(connection, order.purpose, lambda parked: parked.payee is not None) as (bank, parked, token):
        step = _step(lambda: bank.approve_payee(parked.payee))
        _park_step(connection, bank, step, token, order.purpose)
    return step


def order_tan(connection: BankConnection, order: Order, *, tan: str) -> OrderStep:
    """The TAN for the order (or for the dialog start, then the order goes out). Decoupled:
    asks whether the app confirmed (`tan` unused); a Challenge again while it has not.
    `client.TanWrong` leaves the dialog waiting for another try."""
    with _resumed(connection, order.purpose, lambda parked: parked.challenge is not None) as (bank, parked, token):
        challenge = parked.challenge
        if challenge.decoupled and parked.polls >= MAX_DECOUPLED_POLLS:
            raise OrderNotSent(message("banking.fints.app_confirmation_late"))
        again = partial(dialogs.keep, connection, token=token, purpose=order.purpose, login=parked.login)
        try:
            if parked.login:
                step = bank.send_tan(challenge, tan)  # errors here: the order has not left
            else:
                step = _step(lambda: bank.confirm_order(challenge, tan))
        except client.TanWrong:
            again(bank.pause(), challenge=challenge, polls=parked.polls)
            raise
        if isinstance(step, client.Challenge):  # the app has not confirmed yet
            again(bank.pause(), challenge=step, polls=parked.polls + 1)
            return step
        if parked.login:
            step = _transmit(bank, order)
        _park_step(connection, bank, step, token, order.purpose)
    return step


def order_abandon(connection: BankConnection, purpose: str) -> None:
    """End the order's paused dialog without releasing the order (the person said no)."""
    paused = dialogs.live(connection)
    if paused is None or paused.purpose != purpose:
        return
    token = paused.lock_token
    if not claim(connection, token, dialogs.DIALOG_TTL):
        return
    try:
        blob = dialogs.taken(connection, paused)
    except ConnectionBusy:
        return  # someone else continues it (and holds the login)
    try:
        with client.session(access(connection, None), resume=blob):
            pass  # leaving the dialog ends it at the bank
    except client.BankError:
        pass  # the bank drops it after 15 minutes anyway
    finally:
        release(connection, token)


def order_step(connection: BankConnection, purpose: str) -> Parked | None:
    """What the order's paused dialog waits for (for its page); None when nothing is."""
    paused = dialogs.live(connection)
    if paused is None or paused.purpose != purpose:
        return None
    return replace(dialogs.opened(connection, paused), polls=paused.polls)


def debit_lead_days(connection: BankConnection, scheme: str, batch: bool, *,
                    sequence_type: str = "") -> tuple[int, int] | None:
    """The bank's lead time for a direct debit (minimum in TARGET business days, maximum in
    calendar days) from its parameters in the connection's saved state; it does not call the
    bank. None when nothing is known (no state yet, or the bank does not say): then the
    scheme's own minimum applies."""
    if connection.client_state is None:
        return None
    return client.lead_days(access(connection, None), scheme, batch=batch, sequence_type=sequence_type)


def _transmit(bank: client.Session, order: Order) -> OrderStep:
    if order.before_transmit is not None:
        order.before_transmit()
    crash_point("order.before_transmit")
    if order.kind == "debit":
        send = partial(bank.debit, order.account, order.pain, count=order.count, total=order.total,
                       scheme=order.scheme, descriptor=order.descriptor)
    else:
        send = partial(bank.transfer, order.account, order.pain, count=order.count, total=order.total,
                       instant=order.instant, descriptor=order.descriptor)
    try:
        step = _step(send)
    except client.NotExecuted as held_back:
        raise OrderNotSent(held_back.said) from held_back
    crash_point("order.after_transmit")
    return step


def _step(call):
    """A bank's refusal of the order is an answer, not an error of ours."""
    try:
        return call()
    except (client.BankRefused, client.TanRequired, client.ProductRefused) as refused:
        return client.OrderResult(accepted=False, said=refused.said)


def _park_step(connection, bank: client.Session, step: OrderStep, token: str, purpose: str) -> None:
    if isinstance(step, client.Challenge):
        dialogs.keep(connection, bank.pause(), token, challenge=step, purpose=purpose)
    elif isinstance(step, client.PayeeCheck):
        dialogs.keep(connection, bank.pause(), token, payee=step, purpose=purpose)


@contextmanager
def _resumed(connection: BankConnection, purpose: str, waits_for) -> Iterator[tuple]:
    """Continue the order's paused dialog (a web request: the person's answer). Errors other
    than a wrong TAN end it: `OrderNotSent` before the order left, `OutcomeUnknown` after."""
    paused = dialogs.live(connection)
    if paused is None or paused.purpose != purpose:
        raise OrderNotSent(message("banking.fints.order_dialog_ended"))
    token = paused.lock_token
    if not claim(connection, token, ORDER_TTL):
        raise ConnectionBusy(_("Another worker has taken over this connection."))
    parked = replace(dialogs.opened(connection, paused), polls=paused.polls)
    if not waits_for(parked):
        raise ConnectionBusy(_("The bank waits for another step of this order."))
    dialogs.take(paused)
    try:
        with client.session(access(connection, None), resume=parked.dialog) as bank:
            yield bank, parked, token
            client_state = bank.client_state()
    except (client.TanWrong, client.OutcomeUnknown, OrderNotSent):
        if not PausedDialog.objects.filter(connection=connection).exists():
            release(connection, token)
        raise
    except client.BankError as error:
        release(connection, token)
        raise OrderNotSent(error.said) from error
    keep_client_state(connection, client_state)
    if not PausedDialog.objects.filter(connection=connection).exists():
        release(connection, token)
