"""Payment orders up to the bank: draft, approval by a second person, queued for sending.

Each transition is one conditional UPDATE (the order must still be in the state the person
saw) with its audit event, in one database transaction. What happens at the bank is in
submission.py.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN

from kassenwart.banking import fints_services
from kassenwart.banking.models import BankAccount, BankConnection, Transaction
from kassenwart.companies import permissions
from kassenwart.companies.models import Company, Membership, Role
from kassenwart.core.audit import record
from kassenwart.core.models import User
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify
from kassenwart.payments.models import PaymentOrder, SendAttempt, Transfer
from kassenwart.payments.sepa import CreditTransfer, Party, TransferMessage, new_id, pain001, rules, schemas

State = PaymentOrder.State
logger = logging.getLogger(__name__)
PAIN_001 = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"


class PaymentInvalid(Exception):
    """The order cannot go to a bank as it is: `problems` name the fields."""

    def __init__(self, problems: list[rules.Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class StateChanged(Exception):
    """Someone else moved the order on in the meantime (or the step does not fit its state)."""


class FourEyes(Exception):
    """The creator of an order cannot approve it (nor wave through its payee check)."""


class NotAllowed(Exception):
    """The person's role in the company does not allow this step."""


@dataclass(frozen=True)
class Ids:
    """The references of a pain message: made once per order, kept for every attempt."""

    message_id: str
    payment_info_id: str
    end_to_end_ids: tuple[str, ...]

    @classmethod
    def new(cls, count: int) -> Ids:
        return cls(new_id("KWM"), new_id("KWP"), tuple(new_id("KWE") for _ in range(count)))

    @classmethod
    def placeholders(cls, count: int) -> Ids:
        """For checking a draft: valid, not unique."""
        return cls("KW-DRAFT-M", "KW-DRAFT-P", tuple(f"KW-DRAFT-E{n}" for n in range(1, count + 1)))


def require(company: Company, user: User | None, permission: str) -> None:
    """Services ask the permission table too (not only the pages): a worker (None) may all."""
    if user is None:
        return
    role = Membership.objects.filter(company=company, user=user).values_list("role", flat=True).first()
    if not permissions.allows(role, permission):
        raise NotAllowed(_("Your role does not allow this."))


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
    mistakes show while the person is still at the form."""
    require(company, user, permissions.DRAFT_TRANSFER)
    if account.company_id != company.pk:
        raise PaymentInvalid([rules.Problem("account", "account_unknown", _("Choose one of your accounts."))])
    message = _message(account, requested_date, instant, transfers, Ids.placeholders(len(transfers)))
    try:
        rules.check(message, today=timezone.localdate())
    except rules.SepaInvalid as invalid:
        raise PaymentInvalid(invalid.problems) from invalid
    with transaction.atomic():
        order = PaymentOrder.objects.create(company=company, account=account, requested_date=requested_date,
                                            instant=instant, created_by=user)
        Transfer.objects.bulk_create([
            Transfer(order=order, position=number, payee_name=t.payee_name.strip(), iban=IBAN(t.iban).compact,
                     bic=BIC(t.bic).compact if t.bic.strip() else "", amount=t.amount,
                     remittance=t.remittance.strip())
            for number, t in enumerate(transfers, start=1)
        ])
        record("payment.created", order, company=company, user=user, via=via, after=_payload(order))
    return order


def order_submit(order: PaymentOrder, *, user: User, via: str = "web") -> None:
    """Draft -> waiting for approval, by its creator (or an approver); from here its content
    is frozen (hashed)."""
    if order.created_by_id != user.pk:
        require(order.company, user, permissions.APPROVE_PAYMENT)
    require(order.company, user, permissions.DRAFT_TRANSFER)
    with transaction.atomic():
        digest = _digest(order)
        transition(order, [State.DRAFT], State.PENDING_APPROVAL, user, via, payload_hash=digest)
        text = _("Transfer %(order)s of %(total)s EUR waits for approval.") % {"order": order,
                                                                               "total": order_total(order)}
        notify(order.company, Notification.Kind.NEEDS_PERSON, text, link=reverse("payment_detail", args=[order.pk]),
               roles=(Role.APPROVER, Role.ADMIN))


def order_approve(order: PaymentOrder, *, user: User, via: str = "web") -> None:
    """Waiting for approval -> approved, by anyone but its creator (the database checks it
    too), and only if the content is still the one submitted."""
    require(order.company, user, permissions.APPROVE_PAYMENT)
    if order.created_by_id == user.pk:
        raise FourEyes(_("You drafted this transfer; another approver has to release it."))
    with transaction.atomic():
        _check_unchanged(order)
        transition(order, [State.PENDING_APPROVAL], State.APPROVED, user, via, approved_by=user,
              approved_at=timezone.now())


def order_cancel(order: PaymentOrder, *, user: User, reason: str = "", via: str = "web") -> None:
    """Withdrawn (by its creator) or declined (by an approver) before it went to the bank; a
    queued order too, as long as the worker has not begun sending it."""
    if order.created_by_id != user.pk:
        require(order.company, user, permissions.APPROVE_PAYMENT)
    with transaction.atomic():
        transition(order, [State.DRAFT, State.PENDING_APPROVAL, State.APPROVED, State.QUEUED], State.CANCELLED,
                   user, via, note=reason.strip(), finished_at=timezone.now())
        attempt_done(order)


# -- off to the bank -----------------------------------------------------------------------
def order_queue(order: PaymentOrder, *, user: User | None, pin: str = "", keep_pin: bool = False,
                via: str = "web") -> None:
    """Approved -> queued, with an attempt that holds the pain message as it will go out:
    built, checked against the schemas and committed before the worker sends it
    (submission.py). The ids are made on the first attempt and kept for later ones; an
    execution date that has passed meanwhile becomes today (what banks do with it too)."""
    require(order.company, user, permissions.APPROVE_PAYMENT)
    connection = _connection(order)
    _check_unchanged(order)
    transfers = list(order.transfers.all())
    ids = (Ids(order.message_id, order.payment_info_id, tuple(t.end_to_end_id for t in transfers))
           if order.message_id else Ids.new(len(transfers)))
    execution = max(order.requested_date, timezone.localdate())
    message = _message(order.account, execution, order.instant, _inputs(order), ids)
    try:
        pain = pain001.build(message, today=timezone.localdate())
        checked = schemas.check(pain, pain001.MESSAGE, settings.CONFIG.xsd_dir)  # ISO always; DK GBIC_4 too
    except rules.SepaInvalid as invalid:
        raise PaymentInvalid(invalid.problems) from invalid
    with transaction.atomic():
        if pin:
            fints_services.pin_handover(connection, pin=pin, keep=keep_pin)
        elif not fints_services.pin_available(connection):
            raise fints_services.PinMissing(_("Enter the PIN of the online banking to send the transfer."))
        transition(order, [State.APPROVED], State.QUEUED, user, via, sent_by=user, message_id=ids.message_id,
                   payment_info_id=ids.payment_info_id, note="", waiting_for="",
                   audit={"message_id": ids.message_id, "execution_date": execution.isoformat(),
                          "schemas_checked": checked})
        for transfer, end_to_end in zip(transfers, ids.end_to_end_ids, strict=True):
            if transfer.end_to_end_id != end_to_end:
                Transfer.objects.filter(pk=transfer.pk).update(end_to_end_id=end_to_end)
        SendAttempt.objects.create(order=order, requested_date=execution, pain=pain, schemas_checked=checked)
        transaction.on_commit(lambda: _enqueue(order.pk))


def bank_order(order: PaymentOrder) -> fints_services.Order:
    """The order as the bank connection sends it: the latest attempt's pain message."""
    attempt = order.attempts.order_by("-pk").first()
    transfers = list(order.transfers.all())
    return fints_services.Order(purpose=order.purpose, account=order.account, pain=bytes(attempt.pain),
                                count=len(transfers), total=order_total(order), descriptor=PAIN_001,
                                instant=order.instant)


# -- after the bank -------------------------------------------------------------------------
RETURN_WATCH = timedelta(days=60)  # how long a booked transfer is watched for a return


def orders_follow_statements(company: Company, *, via: str = "worker") -> dict[str, int]:
    """Sent transfers on the account statement: an accepted (or unknown) order whose every
    transfer is booked becomes booked; a transfer coming back with a return reason makes
    its order returned. Matched by end-to-end id on the order's account."""
    # Rejected ones too, for a while: a rejection after an app confirmation may be wrong.
    recent = timezone.now() - RETURN_WATCH
    watched = (PaymentOrder.objects.filter(company=company, state__in=[State.ACCEPTED, State.UNKNOWN])
               | PaymentOrder.objects.filter(company=company, state=State.BOOKED, booked_at__gte=recent)
               | PaymentOrder.objects.filter(company=company, state=State.REJECTED, finished_at__gte=recent))
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
                               bank_said=_("Returned by the payee's bank (reason %(code)s).") % {"code": returned[pk]},
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
                   note=note.strip(), finished_at=timezone.now())


def attempt_done(order: PaymentOrder) -> None:
    """The latest attempt ends in the order's state (approved: it did not reach the bank)."""
    attempt = order.attempts.order_by("-pk").first()
    if attempt is not None and not attempt.finished_at:
        attempt.outcome, attempt.finished_at = order.state, timezone.now()
        attempt.save(update_fields=["outcome", "finished_at"])


def bank_connection(order: PaymentOrder) -> BankConnection | None:
    connection = order.account.connection
    if connection is None or connection.kind != BankConnection.Kind.FINTS:
        return None
    return connection


# -- helpers -------------------------------------------------------------------------------
def transition(order: PaymentOrder, sources: list[str], target: str, user: User | None, via: str, *,
          audit: dict | None = None, **fields) -> None:
    """One step of the state machine: only from `sources`, else StateChanged."""
    moved = PaymentOrder.objects.filter(pk=order.pk, state__in=sources).update(state=target, **fields)
    if not moved:
        order.refresh_from_db(fields=["state"])
        raise StateChanged(_("This transfer is %(state)s now; reload the page.")
                           % {"state": order.get_state_display()})
    before = order.state
    order.state = target
    for name, value in fields.items():
        setattr(order, name, value)
    after = {"state": target, **(audit or {})}
    if fields.get("note"):
        after["note"] = fields["note"]
    record(f"payment.{target}", order, company=order.company, user=user, via=via, before={"state": before},
           after=after)


def _connection(order: PaymentOrder) -> BankConnection:
    connection = bank_connection(order)
    if connection is None:
        raise PaymentInvalid([rules.Problem("account", "no_connection", _(
            "This account has no FinTS connection, so Kassenwart cannot send the transfer. "
            "Connect the bank first."))])
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


def _check_unchanged(order: PaymentOrder) -> None:
    if _digest(order) != order.payload_hash:
        raise StateChanged(_("The transfer changed after it was submitted; it cannot be approved or sent."))


def _inputs(order: PaymentOrder) -> list[TransferInput]:
    return [TransferInput(t.payee_name, t.iban, t.amount, t.remittance, t.bic) for t in order.transfers.all()]


def _payload(order: PaymentOrder) -> dict:
    return {
        "account": order.account.iban, "requested_date": order.requested_date.isoformat(), "instant": order.instant,
        "transfers": [{"payee_name": t.payee_name, "iban": t.iban, "bic": t.bic, "amount": str(t.amount),
                       "remittance": t.remittance} for t in order.transfers.all()],
    }


def _digest(order: PaymentOrder) -> str:
    return hashlib.sha256(json.dumps(_payload(order), sort_keys=True).encode()).hexdigest()


def order_total(order: PaymentOrder) -> Decimal:
    return sum((t.amount for t in order.transfers.all()), Decimal("0.00"))


def _enqueue(order_id: int) -> None:
    from kassenwart.payments.tasks import send_order_task

    send_order_task.enqueue(order_id)
