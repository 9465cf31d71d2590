"""Sending an order to the bank, at most once.

queued -> sending (committed before any bank call) -> [payee check to confirm] -> [TAN]
-> accepted | rejected | unknown. An order that provably did not reach the bank (no PIN,
wrong PIN, bank unreachable at login, TAN never given) goes back to approved and may be sent
again. One whose outcome is unknown is never sent again by itself.

`order_transmit` runs in the worker; the person's answers (payee check, TAN) come from
web requests that continue the dialog the worker paused, like the sync's TAN step.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.banking import fints_services
from kassenwart.banking.connectors import fints
from kassenwart.companies.models import Role
from kassenwart.core.models import User
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify
from kassenwart.payments.models import PaymentOrder
from kassenwart.payments.services import PAIN_001, StateChanged, bank_connection, order_total, transition

State = PaymentOrder.State
WAITING = (State.VOP_PENDING, State.TAN_PENDING)
SENDING_STALLED = timedelta(minutes=30)  # a send holds the login for at most 10 minutes a step


def order_transmit(order: PaymentOrder) -> str:
    """The worker's part: queued -> sending -> whatever the bank answers. Returns the state."""
    connection = bank_connection(order)
    try:
        with transaction.atomic():
            transition(order, [State.QUEUED], State.SENDING, None, "worker", sending_started_at=timezone.now())
    except StateChanged:
        return order.state  # sent already (a task that ran twice) or cancelled
    try:
        _run(order, [State.SENDING], None, "worker",
             lambda: fints_services.order_send(connection, _bank_order(order), user=order.sent_by, via="worker"))
    except fints_services.ConnectionBusy as busy:
        _settle(order, [State.SENDING], State.APPROVED, note=str(busy))
    return order.state


def order_confirm_payee(order: PaymentOrder, *, user: User, via: str = "web") -> None:
    """The person has read the payee check and releases the order anyway."""
    _answer(order, State.VOP_PENDING, user, via,
            lambda connection: fints_services.order_approve_payee(connection, _bank_order(order)))


def order_refuse_payee(order: PaymentOrder, *, user: User, reason: str = "", via: str = "web") -> None:
    """The payee check showed the wrong payee: the order is cancelled, the bank never executes it."""
    with transaction.atomic():
        transition(order, [State.VOP_PENDING], State.CANCELLED, user, via, finished_at=timezone.now(),
              note=reason.strip() or _("Payee check not confirmed."))
    fints_services.order_abandon(bank_connection(order), order.purpose)


def order_give_tan(order: PaymentOrder, *, tan: str, user: User, via: str = "web") -> None:
    """The TAN (decoupled: ask whether the app confirmed). Raises fints.TanWrong for another try."""
    _answer(order, State.TAN_PENDING, user, via,
            lambda connection: fints_services.order_tan(connection, _bank_order(order), tan=tan))


def order_step(order: PaymentOrder) -> fints_services.Parked | None:
    """What the bank waits for from a person (for the order's page)."""
    if order.state not in WAITING:
        return None
    connection = bank_connection(order)
    return fints_services.order_step(connection, order.purpose) if connection else None


def order_lapse(order: PaymentOrder) -> None:
    """The bank ended the dialog while the order waited for a person (after 15 minutes).
    Without a payee approval or a TAN it did not execute the order: back to approved. An
    app confirmation (decoupled) may have reached the bank all the same: unknown."""
    if order.state not in WAITING or order_step(order) is not None:
        return
    connection = bank_connection(order)
    decoupled = any(m["method"] == connection.tan_method and m["decoupled"]
                    for m in connection.tan_options.get("methods", []))
    if order.state == State.TAN_PENDING and decoupled:
        _settle(order, WAITING, State.UNKNOWN, said=_(
            "The bank ended the dialog before it reported the app confirmation; the transfer may "
            "have been executed. It will not be sent again by itself: check the account statement."))
    else:
        _settle(order, WAITING, State.APPROVED, note=_(
            "The bank ended the dialog after 15 minutes without an answer; it did not execute the "
            "transfer. Send it again."))


def orders_sweep(now=None) -> int:
    """The clock's check for orders nobody will move on: waiting for a person after the bank
    ended the dialog (`order_lapse`), or still "sending" long after a worker began (it died
    on the way; whether the order reached the bank is unknown). Returns how many moved."""
    now = now or timezone.now()
    moved = 0
    for order in PaymentOrder.objects.filter(state__in=WAITING).select_related("account__connection", "company"):
        order_lapse(order)
        moved += order.state not in WAITING
    stalled = PaymentOrder.objects.filter(state=State.SENDING, sending_started_at__lt=now - SENDING_STALLED)
    for order in stalled.select_related("company"):
        _settle(order, [State.SENDING], State.UNKNOWN, said=_(
            "Sending stopped half way (the worker ended), so it is not known whether the bank got the "
            "transfer. It will not be sent again by itself: check the account statement."))
        moved += 1
    return moved


def _answer(order: PaymentOrder, state: str, user: User, via: str, call) -> None:
    order.refresh_from_db(fields=["state"])
    if order.state != state:
        raise StateChanged(_("This transfer is %(state)s now; reload the page.") % {"state": order.get_state_display()})
    _run(order, [state], user, via, lambda: call(bank_connection(order)))


def _run(order: PaymentOrder, sources: list[str], user: User | None, via: str, call) -> None:
    """A bank step and the state it leads to. A wrong TAN or a busy login changes nothing
    (raised for the caller); an order that did not leave goes back to approved."""
    try:
        step = call()
    except fints_services.OrderNotSent as not_sent:
        _settle(order, sources, State.APPROVED, note=not_sent.message, user=user, via=via)
    except fints.OutcomeUnknown as unknown:
        _settle(order, sources, State.UNKNOWN, said=unknown.message, user=user, via=via)
    else:
        _apply(order, step, sources, user, via)


def _apply(order: PaymentOrder, step, sources: list[str], user: User | None, via: str) -> None:
    if isinstance(step, fints.PayeeCheck):
        with transaction.atomic():
            transition(order, sources, State.VOP_PENDING, user, via, payee_check={
                "result": step.result, "iban": step.iban, "registered_name": step.registered_name,
                "reason": step.reason, "notice": step.notice})
    elif isinstance(step, fints.Challenge):
        if order.state != State.TAN_PENDING:
            with transaction.atomic():
                transition(order, sources, State.TAN_PENDING, user, via)
    else:
        _settle(order, sources, State.ACCEPTED if step.accepted else State.REJECTED, said=step.said, user=user,
                via=via)


def _settle(order: PaymentOrder, sources: list[str], target: str, *, said: str = "", note: str = "",
            user: User | None = None, via: str = "worker") -> None:
    with transaction.atomic():
        finished = timezone.now() if target != State.APPROVED else None
        transition(order, sources, target, user, via, bank_said=said or order.bank_said, note=note,
              finished_at=finished, audit={"bank_said": said} if said else None)
        if target != State.APPROVED:
            text = {
                State.ACCEPTED: _("The bank accepted transfer %(order)s (%(total)s EUR)."),
                State.REJECTED: _("The bank rejected transfer %(order)s (%(total)s EUR)."),
                State.UNKNOWN: _("Transfer %(order)s (%(total)s EUR): outcome unknown, check the statement."),
            }[target] % {"order": order, "total": order_total(order)}
            notify(order.company, Notification.Kind.INFO, text, link=reverse("payment_detail", args=[order.pk]),
                   roles=(Role.APPROVER, Role.ADMIN))


def _bank_order(order: PaymentOrder) -> fints_services.Order:
    transfers = list(order.transfers.all())
    return fints_services.Order(purpose=order.purpose, account=order.account, pain=bytes(order.pain),
                                count=len(transfers), total=order_total(order), descriptor=PAIN_001,
                                instant=order.instant)
