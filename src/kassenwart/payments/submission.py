"""Sending an order to the bank, at most once.

queued -> sending (committed before any bank call) -> [payee check to confirm] -> [TAN]
-> accepted | rejected | unknown. An order that provably did not reach the bank (no PIN,
wrong PIN, bank unreachable at login, payee check or TAN never given) goes back to approved
and may be sent again, with the same ids. One whose outcome is unknown is never sent again
by itself.

`order_transmit` runs in the worker; the person's answers (payee check, TAN) come from web
requests that continue the dialog the worker paused, like the sync's TAN step. Whoever
answers claims the order first (`claimed_until`, a conditional UPDATE), so a second tab, a
double click or the clock never acts on an order whose answer is at the bank.

After a crash: the sending worker and the answering request name their process in the claim
(`claimed_by`, core/workers.py). When that process is dead, `orders_recover` (at start-up of
`serve` and `worker`, and on every tick of the clock) moves the order on at once: to unknown
when the order message or an answer may have reached the bank (`answer_sent_at` was
committed before it left), back to approved only when it provably did not; a dead answer's
claim is simply released while the bank still waits for that answer. The mark that something
goes to the bank is itself conditional on the claim, so a process taken for dead that wakes up
again cannot send what recovery has moved on.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.banking.fints import orders as bank
from kassenwart.companies import permissions
from kassenwart.companies.models import Role
from kassenwart.core import workers
from kassenwart.core.crash_points import crash_point
from kassenwart.core.messages import message
from kassenwart.core.models import User
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify
from kassenwart.payments import debits
from kassenwart.payments.models import PaymentOrder
from kassenwart.payments.services import bank_order, drafted_by
from kassenwart.payments.state import (
    FourEyes,
    StateChanged,
    attempt_done,
    bank_connection,
    described,
    order_total,
    require,
    transition,
)
from kassenwart.payments.wordings import given

logger = logging.getLogger(__name__)
State = PaymentOrder.State
WaitingFor = PaymentOrder.WaitingFor
WAITING = (State.VOP_PENDING, State.TAN_PENDING)
CLAIM = bank.ORDER_TTL  # a person's answer at the bank, every poll and timeout included
SENDING_STALLED = bank.ORDER_TTL + timedelta(minutes=5)  # longer than any send: its process is stuck or failed
BUSY_RETRY = timedelta(seconds=30)  # the login is in use (a sync, another order's TAN): try again then


# -- the worker ----------------------------------------------------------------------------
def order_transmit(order: PaymentOrder) -> str:
    """The worker's part: queued -> sending -> whatever the bank answers. Returns the state."""
    connection = bank_connection(order)
    try:
        if connection is None:  # the account lost its connection since: nothing can be sent
            _settle(order, [State.QUEUED], State.APPROVED,
                    note=message("payments.no_connection"))
            return order.state
        sending_claim(order)
    except StateChanged:
        return order.state  # sent already (a task that ran twice) or cancelled
    crash_point("order.sending")
    outgoing = replace(bank_order(order), before_transmit=lambda: _mark_answer_sent(order, timezone.now()))
    try:
        _run(order, None, "worker", lambda: bank.order_send(connection, outgoing, user=order.sent_by, via="worker"))
    except bank.ConnectionBusy:
        with transaction.atomic():  # nothing left for the bank: wait for the login to be free
            transition(order, [State.SENDING], State.QUEUED, None, "worker", claimed_by="")
            transaction.on_commit(lambda: _enqueue_later(order.pk))
    except StateChanged:
        order.refresh_from_db(fields=["state"])  # recovery took it for dead meanwhile; nothing was sent
    return order.state


def sending_claim(order: PaymentOrder) -> None:
    """Queued -> sending, claimed by this process: of workers that got the same order (a task
    run twice), one goes on; the others get StateChanged."""
    me = workers.current()
    with transaction.atomic():
        transition(order, [State.QUEUED], State.SENDING, None, "worker", sending_started_at=timezone.now(),
                   claimed_by=me)


def orders_recover() -> int:
    """Move on the orders whose claim belongs to a process that died (see the module's
    docstring). Returns how many orders were moved or freed."""
    claimed = PaymentOrder.objects.filter(state__in=[State.SENDING, *WAITING]).exclude(claimed_by="")
    gone = workers.dead(set(claimed.values_list("claimed_by", flat=True)))
    moved = 0
    for order in claimed.filter(claimed_by__in=gone).select_related("account__connection", "company"):
        dead = Q(claimed_by=order.claimed_by)
        try:
            if order.answer_sent_at is not None:
                _settle(order, [order.state], State.UNKNOWN, where=dead, said=message("payments.crashed_after_sending"))
                _abandon_quietly(order)
            elif order.state == State.SENDING:
                _settle(order, [State.SENDING], State.APPROVED, where=dead & Q(answer_sent_at__isnull=True),
                        note=message("payments.crashed_before_sending"))
                _abandon_quietly(order)
            elif not PaymentOrder.objects.filter(dead, pk=order.pk, answer_sent_at__isnull=True).update(
                    claimed_until=None, claimed_by=""):
                continue  # the answer's mark came first after all: the next tick settles it
            moved += 1
        except StateChanged:
            pass  # moved on meanwhile
    return moved


def orders_sweep(now=None) -> int:
    """The clock's check for orders nobody will move on: waiting for a person after the bank
    ended the dialog (`order_lapse`), or still "sending" longer than any send takes, whoever
    claims it: a process that is alive but failed or hangs after its claim (a bug, the
    database), or one that began before claims named their process. Whether the order reached
    the bank is unknown, so it becomes unknown; should the process wake up, its mark that
    something goes to the bank is conditional on the state and fails. Orders of dead processes
    are `orders_recover`'s, within minutes. Returns how many moved."""
    now = now or timezone.now()
    moved = 0
    stalled = PaymentOrder.objects.filter(state=State.SENDING, sending_started_at__lt=now - SENDING_STALLED)
    for order in stalled.select_related("company"):
        try:
            _settle(order, [State.SENDING], State.UNKNOWN, said=message("payments.sending_stalled"))
            moved += 1
        except StateChanged:
            pass  # moved on meanwhile
    for order in PaymentOrder.objects.filter(state__in=WAITING).select_related("account__connection", "company"):
        try:
            moved += order_lapse(order, now=now)
        except Exception:  # one order's trouble must not stop the others
            logger.exception("checking transfer %s for a lapsed dialog failed", order.pk)
    return moved


# -- the person's answers ------------------------------------------------------------------
def order_confirm_payee(order: PaymentOrder, *, user: User, via: str = "web") -> None:
    """The person has read the payee check and releases the order anyway. Not one who drafted
    a payment of it: a payee the bank does not know is exactly what the second pair of eyes is for."""
    if drafted_by(order, user):
        raise FourEyes(_("You drafted a payment of this order; another approver has to confirm the payee check."))
    _answer(order, State.VOP_PENDING, user, via,
            lambda connection: bank.order_approve_payee(connection, bank_order(order)))


def order_refuse_payee(order: PaymentOrder, *, user: User, reason: str = "", via: str = "web") -> None:
    """The payee check showed the wrong payee: the order is cancelled, the bank never executes it."""
    require(order.company, user, permissions.APPROVE_PAYMENT)
    if not _claim(order, [State.VOP_PENDING]):
        raise StateChanged(_("Someone is answering the bank for this order right now; reload the page."))
    with transaction.atomic():
        transition(order, [State.VOP_PENDING], State.CANCELLED, user, via, finished_at=timezone.now(),
                   waiting_for="", claimed_until=None, claimed_by="",
                   note=given(reason) or message("payments.payee_not_confirmed"))
        attempt_done(order)
    bank.order_abandon(bank_connection(order), order.purpose)


def order_give_tan(order: PaymentOrder, *, tan: str, user: User, via: str = "web") -> None:
    """The TAN (decoupled: ask whether the app confirmed). Raises bank.TanWrong for another try."""
    if not tan.strip() and order.waiting_for not in (WaitingFor.APP, WaitingFor.LOGIN_APP):
        raise bank.TanWrong(_("Enter the TAN."))  # an empty one would cost one of the bank's tries
    _answer(order, State.TAN_PENDING, user, via,
            lambda connection: bank.order_tan(connection, bank_order(order), tan=tan))


def order_step(order: PaymentOrder) -> bank.Parked | None:
    """What the bank waits for from a person (for the order's page)."""
    if order.state not in WAITING:
        return None
    connection = bank_connection(order)
    return bank.order_step(connection, order.purpose) if connection else None


def order_lapse(order: PaymentOrder, *, now=None, claimed: bool = False) -> int:
    """The bank ended the dialog while the order waited for a person (after 15 minutes).
    Without a payee approval or a TAN it did not execute the order: back to approved. An
    app confirmation (decoupled) may have reached the bank all the same: unknown. Not while
    someone's answer is at the bank. Returns 1 when the order moved on."""
    now = now or timezone.now()
    if order.state not in WAITING or (not claimed and order.claimed_until and order.claimed_until > now):
        return 0
    if order.answer_sent_at is None and bank_connection(order) is not None and order_step(order) is not None:
        return 0
    if order.answer_sent_at is not None:
        said = message("payments.answer_lost")
        target = State.UNKNOWN
    elif order.waiting_for == WaitingFor.APP:
        said = message("payments.app_dialog_ended")
        target = State.UNKNOWN
    else:
        said, target = None, State.APPROVED
    note = None if said else message("payments.dialog_lapsed")
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    if not claimed and not PaymentOrder.objects.filter(free, pk=order.pk, state=order.state).exists():
        return 0
    try:
        _settle(order, [order.state], target, said=said, note=note)
    except StateChanged:
        return 0
    return 1


# -- steps and outcomes --------------------------------------------------------------------
def _answer(order: PaymentOrder, state: str, user: User, via: str, call) -> None:
    """Claim the order, note (committed) that an answer goes out, then the bank step. The note
    is cleared with the bank's reply; an answer whose reply never came back, because this
    request died or failed after the bank call, leaves the outcome unknown."""
    require(order.company, user, permissions.APPROVE_PAYMENT)
    if not _claim(order, [state]):
        order.refresh_from_db(fields=["state"])
        if order.state != state:
            raise StateChanged(_("This order is %(state)s now; reload the page.")
                               % {"state": order.get_state_display()})
        raise StateChanged(_("Someone is answering the bank for this order right now; reload the page."))
    try:
        order.refresh_from_db(fields=["state", "waiting_for", "answer_sent_at"])  # as claimed
        if order.answer_sent_at is not None:  # an earlier answer never got its reply
            order_lapse(order, claimed=True)
            raise StateChanged(_("An earlier answer to the bank never got its reply; see the transfer's state."))
        _mark_answer_sent(order, timezone.now())
        crash_point("order.answer_marked")
        try:
            _run(order, user, via, lambda: call(bank_connection(order)))
        except (bank.TanWrong, bank.ConnectionBusy):
            _mark_answer_sent(order, None)  # the bank did not take it (or was not asked)
            raise
        except Exception:
            logger.exception("transfer %s: failure after an answer went to the bank", order.pk)
            _settle_quietly(order, [state], State.UNKNOWN, message("payments.failed_after_answer"))
            raise
    finally:
        PaymentOrder.objects.filter(pk=order.pk, claimed_by=order.claimed_by).update(claimed_until=None, claimed_by="")
        order.claimed_until, order.claimed_by = None, ""


def _mark_answer_sent(order: PaymentOrder, when) -> None:
    """Set (committed before it leaves): something that may execute the order goes to the
    bank; only while this process still holds the order's claim. Cleared with the reply."""
    rows = PaymentOrder.objects.filter(pk=order.pk)
    if when is not None and not rows.filter(state=order.state, claimed_by=workers.current()).update(
            answer_sent_at=when):
        raise StateChanged(_("This order was moved on while it was being sent; reload the page."))
    if when is None:
        rows.update(answer_sent_at=None)
    order.answer_sent_at = when


def _settle_quietly(order: PaymentOrder, sources: list[str], target: str, said: dict) -> None:
    """Best effort while handling another failure (the database may be the one failing):
    what is not written here, the clock settles from answer_sent_at."""
    try:
        _settle(order, sources, target, said=said)
    except Exception:
        logger.exception("transfer %s: could not record the outcome %s", order.pk, target)


def _run(order: PaymentOrder, user: User | None, via: str, call) -> None:
    """A bank step and the state it leads to. A wrong TAN or a busy login changes nothing
    (raised for the caller); an order that did not leave goes back to approved, unless an
    app confirmation of it may have reached the bank."""
    state = order.state
    try:
        step = call()
        crash_point("order.answered")
    except bank.OrderNotSent as not_sent:
        if order.waiting_for == WaitingFor.APP:
            _settle(order, [state], State.UNKNOWN, user=user, via=via,
                    said=message("payments.app_unconfirmed", said=not_sent.said))
        else:
            _settle(order, [state], State.APPROVED, note=not_sent.said, user=user, via=via)
    except bank.OutcomeUnknown as unknown:
        _settle(order, [state], State.UNKNOWN, said=unknown.said, user=user, via=via)
    else:
        if isinstance(step, bank.OrderResult) and not step.accepted and order.waiting_for == WaitingFor.APP:
            # A refusal while asking about an app confirmation may be about the dialog, not the
            # order, which the app may have released: the statement will tell.
            _settle(order, [state], State.UNKNOWN, said=step.said, user=user, via=via)
            return
        _apply(order, step, [state], user, via)


def _apply(order: PaymentOrder, step, sources: list[str], user: User | None, via: str) -> None:
    if isinstance(step, bank.PayeeCheck):
        with transaction.atomic():
            transition(order, sources, State.VOP_PENDING, user, via, waiting_for=WaitingFor.PAYEE, answer_sent_at=None,
                       claimed_by="",
                       payee_check={
                "result": step.result, "iban": step.iban, "registered_name": step.registered_name,
                "reason": step.reason, "notice": step.notice})
    elif isinstance(step, bank.Challenge):
        parked = bank.order_step(bank_connection(order), order.purpose)
        login = parked is not None and parked.login
        waiting = {(False, False): WaitingFor.TAN, (False, True): WaitingFor.APP,
                   (True, False): WaitingFor.LOGIN_TAN, (True, True): WaitingFor.LOGIN_APP}[login, step.decoupled]
        if order.state != State.TAN_PENDING or order.waiting_for != waiting:
            with transaction.atomic():
                transition(order, sources, State.TAN_PENDING, user, via, waiting_for=waiting, answer_sent_at=None,
                           claimed_by="")
        else:
            _mark_answer_sent(order, None)  # still waiting (the app has not confirmed yet)
    else:
        _settle(order, sources, State.ACCEPTED if step.accepted else State.REJECTED, said=step.said, user=user,
                via=via)


def _settle(order: PaymentOrder, sources: list[str], target: str, *, said: dict | None = None,
            note: dict | None = None,
            user: User | None = None, via: str = "worker", where: Q | None = None) -> None:
    with transaction.atomic():
        finished = timezone.now() if target != State.APPROVED else None
        transition(order, sources, target, user, via, bank_said=said or order.bank_said, note=note,
                   finished_at=finished, waiting_for="", answer_sent_at=None, claimed_until=None, claimed_by="",
                   where=where, audit={"bank_said": said} if said else None)
        attempt_done(order)
        if target == State.ACCEPTED:
            debits.debits_accepted(order)
        elif target == State.REJECTED:
            debits.debits_released(order, user=user, via=via)
        if target != State.APPROVED:
            key = {
                State.ACCEPTED: "payments.bank_accepted",
                State.REJECTED: "payments.bank_rejected",
                State.UNKNOWN: "payments.outcome_unknown",
            }[target]
            notify(order.company, Notification.Kind.INFO,
                   message(key, what=described(order), total=order_total(order)),
                   link=reverse("payment_detail", args=[order.pk]), roles=(Role.APPROVER, Role.ADMIN))


def _claim(order: PaymentOrder, states: list[str]) -> bool:
    now = timezone.now()
    me = workers.current()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    claimed = PaymentOrder.objects.filter(free, pk=order.pk, state__in=states).update(claimed_until=now + CLAIM,
                                                                                      claimed_by=me)
    if claimed:
        order.claimed_until, order.claimed_by = now + CLAIM, me
    return bool(claimed)


def _abandon_quietly(order: PaymentOrder) -> None:
    """End a dialog the dead process left paused for the order (nobody may answer it now)."""
    connection = bank_connection(order)
    if connection is None:
        return
    try:
        bank.order_abandon(connection, order.purpose)
    except Exception:  # the bank ends it after 15 minutes anyway
        logger.exception("transfer %s: could not end its paused dialog", order.pk)


def _enqueue_later(order_id: int) -> None:
    from kassenwart.payments.tasks import send_order_task

    send_order_task.using(run_after=timezone.now() + BUSY_RETRY).enqueue(order_id)
