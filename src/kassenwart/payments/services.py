"""Payment orders up to the bank: draft, approval by a second person, then sent over FinTS
(queued for the worker, submission.py) or exported as a pain file for the bank's portal.

An order is a single transfer, a run of transfers or a debit run (debits.py). Each
transition is one conditional UPDATE (the order must still be in the state the person saw)
with its audit event, in one database transaction (state.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN

from kassenwart.banking.fints import orders as bank
from kassenwart.banking.models import BankAccount, BankConnection, Transaction
from kassenwart.companies import permissions
from kassenwart.companies.models import Company
from kassenwart.core import messages
from kassenwart.core.audit import record
from kassenwart.core.models import User
from kassenwart.payments import debits
from kassenwart.payments.debits import creditor_id_for, debit_order_create, sequence_type_for
from kassenwart.payments.models import Collection, PaymentOrder, SendAttempt, Transfer
from kassenwart.payments.sepa import CreditTransfer, Party, TransferMessage, pain001, pain008, rules, schemas
from kassenwart.payments.state import (
    FourEyes,
    Ids,
    NotAllowed,
    PaymentInvalid,
    StateChanged,
    attempt_done,
    bank_connection,
    check_unchanged,
    delivery_for,
    digest,
    invalid,
    notify_waiting,
    order_payments,
    order_total,
    payload,
    require,
    transition,
)
from kassenwart.payments.wordings import given

# What callers (pages, CLI, the other payments modules) use from the state machine's parts.
__all__ = ["Followed", "FourEyes", "creditor_id_for", "debit_order_create", "sequence_type_for", "NotAllowed", "PaymentInvalid", "StateChanged", "TransferInput", "attempt_done",
           "bank_connection", "bank_order", "drafted_by", "order_approve", "order_cancel",
           "order_confirm_upload", "order_create", "order_queue", "order_resolve", "order_submit",
           "order_total", "orders_follow_statements", "require", "transition"]

State = PaymentOrder.State
logger = logging.getLogger(__name__)
DESCRIPTORS = {PaymentOrder.Kind.TRANSFER: f"urn:iso:std:iso:20022:tech:xsd:{pain001.MESSAGE}",
               PaymentOrder.Kind.DEBIT: f"urn:iso:std:iso:20022:tech:xsd:{pain008.MESSAGE}"}


@dataclass(frozen=True)
class TransferInput:
    payee_name: str
    iban: str
    amount: Decimal
    remittance: str = ""
    bic: str = ""


# -- draft and approval --------------------------------------------------------------------
def order_create(company: Company, *, user: User, account: BankAccount, requested_date: date,
                 transfers: list[TransferInput], instant: bool = False, via: str = "web") -> PaymentOrder:
    """A draft: one transfer, or several for a payment run. Checked as a bank would now, so
    mistakes show while the person is still at the form; an account that can neither send
    nor export it is refused now too."""
    require(company, user, permissions.DRAFT_TRANSFER)
    if account.company_id != company.pk:
        raise invalid("account", "account_unknown", _("Choose one of your accounts."))
    operation = "instant" if instant else ("transfer_batch" if len(transfers) > 1 else "transfer")
    delivery = delivery_for(account, operation)
    message = _message(account, requested_date, instant, transfers, Ids.placeholders(len(transfers)))
    try:
        rules.check(message, today=timezone.localdate())
    except rules.SepaInvalid as refused:
        raise PaymentInvalid(refused.problems) from refused
    with transaction.atomic():
        order = PaymentOrder.objects.create(company=company, account=account, requested_date=requested_date,
                                            instant=instant, created_by=user, delivery=delivery)
        Transfer.objects.bulk_create([
            Transfer(order=order, position=number, drafted_by=user, payee_name=t.payee_name.strip(),
                     iban=IBAN(t.iban).compact, bic=BIC(t.bic).compact if t.bic.strip() else "", amount=t.amount,
                     remittance=t.remittance.strip())
            for number, t in enumerate(transfers, start=1)
        ])
        record("payment.created", order, company=company, user=user, via=via, after=payload(order))
    return order


def order_submit(order: PaymentOrder, *, user: User, via: str = "web") -> None:
    """Draft -> waiting for approval, by its creator (or an approver); from here its content
    is frozen (hashed)."""
    if order.created_by_id != user.pk:
        require(order.company, user, permissions.APPROVE_PAYMENT)
    require(order.company, user, permissions.DRAFT_TRANSFER)
    with transaction.atomic():
        transition(order, [State.DRAFT], State.PENDING_APPROVAL, user, via, payload_hash=digest(order))
        notify_waiting(order)


def order_approve(order: PaymentOrder, *, user: User, via: str = "web") -> None:
    """Waiting for approval -> approved, by someone who drafted none of its payments (the
    database checks it per payment too), and only if the content is still the one submitted."""
    require(order.company, user, permissions.APPROVE_PAYMENT)
    if drafted_by(order, user):
        raise FourEyes(_("You drafted a payment of this order; another approver has to release it."))
    with transaction.atomic():
        check_unchanged(order)
        transition(order, [State.PENDING_APPROVAL], State.APPROVED, user, via, approved_by=user,
                   approved_at=timezone.now())
        order.transfers.update(approved_by=user)
        order.collections.update(approved_by=user)


def drafted_by(order: PaymentOrder, user: User) -> bool:
    """Whether `user` drafted any payment of the order (then they may not release it)."""
    return (order.transfers.filter(drafted_by=user).exists()
            or order.collections.filter(drafted_by=user).exists())


def order_cancel(order: PaymentOrder, *, user: User, reason: str = "", via: str = "web") -> None:
    """Withdrawn (by its creator) or declined (by an approver) before it went to the bank; a
    queued order too, as long as the worker has not begun sending it, and an exported file
    nobody uploaded. A debit run's collections are held for a person."""
    if order.created_by_id != user.pk:
        require(order.company, user, permissions.APPROVE_PAYMENT)
    with transaction.atomic():
        transition(order, [State.DRAFT, State.PENDING_APPROVAL, State.APPROVED, State.QUEUED, State.EXPORTED],
                   State.CANCELLED, user, via, note=given(reason), finished_at=timezone.now())
        attempt_done(order)
        debits.debits_released(order, user=user, via=via)


# -- off to the bank -----------------------------------------------------------------------
def order_queue(order: PaymentOrder, *, user: User | None, pin: str = "", keep_pin: bool = False,
                via: str = "web") -> None:
    """Approved -> queued for the worker (FinTS) or exported (a file), with an attempt that
    holds the pain message as it goes out: built, checked against the schemas and committed
    before anything leaves (submission.py). The ids are made on the first attempt and kept for
    later ones. A transfer's execution date that has passed meanwhile becomes today (what
    banks do with it too); a collection date is never moved (the debtor was told it): one the
    bank can no longer meet is refused."""
    require(order.company, user, permissions.APPROVE_PAYMENT)
    by_file = order.delivery == PaymentOrder.Delivery.FILE
    connection = None if by_file else _connection(order)
    check_unchanged(order)
    payments = order_payments(order)
    ids = (Ids(order.message_id, order.payment_info_id, tuple(p.end_to_end_id for p in payments))
           if order.message_id else Ids.new(len(payments)))
    today = timezone.localdate()
    if order.is_debit:
        execution = order.requested_date
        debits.check_lead_time(order.account, order.scheme, execution, batch=len(payments) > 1, today=today)
        builder, message = pain008, debits.message_for(order, ids, execution)
    else:
        execution = max(order.requested_date, today)
        builder, message = pain001, _message(order.account, execution, order.instant, _inputs(order), ids)
    try:
        pain = builder.build(message, today=today)
        checked = schemas.check(pain, builder.MESSAGE, settings.CONFIG.xsd_dir)
    except rules.SepaInvalid as refused:
        raise PaymentInvalid(refused.problems) from refused
    with transaction.atomic():
        if by_file:
            target = State.EXPORTED
        elif pin:
            bank.pin_handover(connection, pin=pin, keep=keep_pin)
            target = State.QUEUED
        elif not bank.pin_available(connection):
            raise bank.PinMissing(_("Enter the PIN of the online banking to send the order."))
        else:
            target = State.QUEUED
        transition(order, [State.APPROVED], target, user, via, sent_by=user, message_id=ids.message_id,
                   payment_info_id=ids.payment_info_id, note=None, waiting_for="",
                   audit={"message_id": ids.message_id, "execution_date": execution.isoformat(),
                          "schemas_checked": checked, "delivery": order.delivery})
        model = Collection if order.is_debit else Transfer
        for payment, end_to_end in zip(payments, ids.end_to_end_ids, strict=True):
            if payment.end_to_end_id != end_to_end:
                model.objects.filter(pk=payment.pk).update(end_to_end_id=end_to_end)
        SendAttempt.objects.create(order=order, requested_date=execution, pain=pain, schemas_checked=checked,
                                   delivery=order.delivery)
        if not by_file:
            transaction.on_commit(lambda: _enqueue(order.pk))


def order_confirm_upload(order: PaymentOrder, *, user: User, via: str = "web") -> None:
    """A person uploaded the exported file to the bank's portal (or EBICS software): accepted.
    The statement then books it."""
    require(order.company, user, permissions.APPROVE_PAYMENT)
    with transaction.atomic():
        transition(order, [State.EXPORTED], State.ACCEPTED, user, via, finished_at=timezone.now(),
                   note=messages.message("payments.uploaded", user=user.get_username()))
        attempt_done(order)
        debits.debits_accepted(order)


def bank_order(order: PaymentOrder) -> bank.Order:
    """The order as the bank connection sends it: the latest attempt's pain message."""
    attempt = order.attempts.order_by("-pk").first()
    payments = order_payments(order)
    return bank.Order(purpose=order.purpose, account=order.account, pain=bytes(attempt.pain), count=len(payments),
                      total=sum((p.amount for p in payments), Decimal("0.00")), descriptor=DESCRIPTORS[order.kind],
                      instant=order.instant, kind=order.kind, scheme=order.scheme)


# -- after the bank -------------------------------------------------------------------------
@dataclass
class Followed:
    """What the statements said about sent orders: orders newly booked and returned, and for
    the books the debits newly collected (collection, transaction) and returned (collection,
    credit transaction or None, return code)."""

    booked: int = 0
    returned: int = 0
    collected: list[tuple[int, int]] = field(default_factory=list)
    debits_returned: list[tuple[int, int | None, str]] = field(default_factory=list)


def orders_follow_statements(company: Company, *, via: str = "worker") -> Followed:
    """Sent orders on the account statement (by end-to-end id on the order's account):
    transfers (`transfers_follow_statements`) and debit runs (`debits.debits_follow_statements`)."""
    counts = transfers_follow_statements(company, via=via)
    followed = debits.debits_follow_statements(company, via=via)
    return Followed(booked=counts["booked"] + followed["booked"],
                    returned=counts["returned"] + len(followed["returned"]),
                    collected=followed["collected"], debits_returned=followed["returned"])


def transfers_follow_statements(company: Company, *, via: str = "worker") -> dict[str, int]:
    """An accepted (or unknown) transfer order whose every transfer is booked becomes booked;
    a transfer coming back with a return reason makes its order returned."""
    # Rejected ones too, for a while: a rejection after an app confirmation may be wrong.
    recent = timezone.now() - debits.RETURN_WATCH
    transfers = PaymentOrder.objects.filter(company=company, kind=PaymentOrder.Kind.TRANSFER)
    watched = (transfers.filter(state__in=[State.ACCEPTED, State.UNKNOWN])
               | transfers.filter(state=State.BOOKED, booked_at__gte=recent)
               | transfers.filter(state=State.REJECTED, finished_at__gte=recent))
    orders = {order.pk: order for order in watched.prefetch_related("transfers")}
    for order in orders.values():
        order.company = company  # for the audit events, without a query each
    by_id = {(o.account_id, t.end_to_end_id): o for o in orders.values() for t in o.transfers.all() if t.end_to_end_id}
    seen: dict[int, set[str]] = {}
    returned: dict[int, str] = {}
    ids = sorted({end_to_end for _, end_to_end in by_id})
    for start in range(0, len(ids), 500):
        rows = Transaction.objects.filter(company=company, end_to_end_id__in=ids[start:start + 500]).values_list(
            "account_id", "end_to_end_id", "amount", "return_reason")
        for account_id, end_to_end, amount, reason in rows:
            order = by_id.get((account_id, end_to_end))
            if order is None:
                continue
            if amount > 0 and reason:
                returned[order.pk] = reason
            elif amount < 0:
                seen.setdefault(order.pk, set()).add(end_to_end)
    counts = {"booked": 0, "returned": 0}
    sent = [State.ACCEPTED, State.UNKNOWN, State.REJECTED]
    for pk, order in orders.items():
        try:
            with transaction.atomic():
                if pk in returned:
                    transition(order, [*sent, State.BOOKED], State.RETURNED, None, via,
                               bank_said=messages.message("payments.returned", code=returned[pk]),
                               audit={"return_reason": returned[pk]})
                    counts["returned"] += 1
                elif order.state != State.BOOKED and seen.get(pk) == {t.end_to_end_id for t in order.transfers.all()}:
                    transition(order, sent, State.BOOKED, None, via, booked_at=timezone.now())
                    counts["booked"] += 1
        except StateChanged:
            pass  # a person moved it on meanwhile; the next statement looks again
    return counts


def order_resolve(order: PaymentOrder, *, user: User, executed: bool, note: str, via: str = "web") -> None:
    """A person settles an unknown outcome (from the bank's portal or a phone call)."""
    require(order.company, user, permissions.APPROVE_PAYMENT)
    with transaction.atomic():
        transition(order, [State.UNKNOWN], State.ACCEPTED if executed else State.REJECTED, user, via,
                   note=given(note), finished_at=timezone.now())
        if executed:
            debits.debits_accepted(order)
        else:
            debits.debits_released(order, user=user, via=via)


# -- helpers -------------------------------------------------------------------------------
def _connection(order: PaymentOrder) -> BankConnection:
    connection = bank_connection(order)
    if connection is None:
        raise invalid("account", "no_connection", _(
            "This account has no FinTS connection, so Kassenwart cannot send the order. Connect the bank first."))
    return connection


def _message(account: BankAccount, requested_date: date, instant: bool, transfers: list[TransferInput],
             ids: Ids) -> TransferMessage:
    return TransferMessage(
        message_id=ids.message_id, created_at=timezone.now(), initiator=account.company.name,
        debtor=Party(account.owner or account.company.name, account.iban, account.bic),
        payment_info_id=ids.payment_info_id, requested_date=requested_date, instant=instant,
        transfers=tuple(
            CreditTransfer(end_to_end_id=end_to_end, amount=t.amount, creditor=Party(t.payee_name, t.iban, t.bic),
                           remittance=t.remittance)
            for t, end_to_end in zip(transfers, ids.end_to_end_ids, strict=True)
        ),
    )


def _inputs(order: PaymentOrder) -> list[TransferInput]:
    return [TransferInput(t.payee_name, t.iban, t.amount, t.remittance, t.bic) for t in order_payments(order)]


def _enqueue(order_id: int) -> None:
    from kassenwart.payments.tasks import send_order_task

    send_order_task.enqueue(order_id)

