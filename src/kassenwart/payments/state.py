"""The order state machine's parts every payments module shares: the domain errors, who may
act, one step of the machine, and the ids a pain message keeps for every attempt.

Each transition is one conditional UPDATE (the order must still be in the state the person
saw) with its audit event; callers hold the database transaction. Every transition passes
here, so the bills drafted as a transfer order (payables, a layer below) follow it here too:
paid once the order pays, to pay again when it will not.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.banking.models import BankAccount, BankConnection
from kassenwart.companies import permissions
from kassenwart.companies.models import Company, Role
from kassenwart.companies.selectors import role_in
from kassenwart.core.audit import record
from kassenwart.core.messages import message
from kassenwart.core.models import User
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify
from kassenwart.payables import services as payables
from kassenwart.payments.models import PaymentOrder
from kassenwart.payments.sepa import new_id, rules

State = PaymentOrder.State
# The bank took the order (or its pain file went out to be uploaded): what it pays is paid.
PAYING = (State.ACCEPTED, State.BOOKED, State.EXPORTED)
# The order will not pay (any more): what it was to pay is to pay again.
NOT_PAYING = (State.CANCELLED, State.REJECTED, State.RETURNED)


class PaymentInvalid(Exception):
    """The order cannot go to a bank as it is: `problems` name the fields."""

    def __init__(self, problems: list[rules.Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class StateChanged(Exception):
    """Someone else moved the order on in the meantime (or the step does not fit its state)."""


class FourEyes(Exception):
    """Who drafted a payment of an order cannot release it (nor wave through its payee check)."""


class NotAllowed(Exception):
    """The person's role in the company does not allow this step."""


def invalid(field: str, code: str, message: str, **params) -> PaymentInvalid:
    return PaymentInvalid([rules.Problem(field, code, message, params)])


def require(company: Company, user: User | None, permission: str) -> None:
    """Services ask the permission table too (not only the pages): a worker (None) may all."""
    if user is None:
        return
    role = role_in(company, user)
    if not permissions.allows(role, permission):
        raise NotAllowed(_("Your role does not allow this."))


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


def transition(order: PaymentOrder, sources: list[str], target: str, user: User | None, via: str, *,
               audit: dict | None = None, where: Q | None = None, **fields) -> None:
    """One step of the state machine: only from `sources` (and where `where` holds), else StateChanged."""
    moved = PaymentOrder.objects.filter(where or Q(), pk=order.pk, state__in=sources).update(state=target, **fields)
    if not moved:
        order.refresh_from_db(fields=["state"])
        raise StateChanged(_("This order is %(state)s now; reload the page.")
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
    bills_follow(order, user, via)


def bills_follow(order: PaymentOrder, user: User | None, via: str) -> None:
    """The bills drafted as the order's transfers take its news: paid (on the execution date)
    when it pays, to pay again when it will not. A debit run pays no bill."""
    if order.kind != PaymentOrder.Kind.TRANSFER:
        return
    if order.state in PAYING:
        paid_on = max(order.requested_date, timezone.localdate())
        payables.bills_paid(order.company, order.pk, on=paid_on, user=user, via=via)
    elif order.state in NOT_PAYING:
        payables.bills_unpaid(order.company, order.pk, order_state=order.state, user=user, via=via)


def attempt_done(order: PaymentOrder) -> None:
    """The latest attempt ends in the order's state (approved: it did not reach the bank)."""
    attempt = order.attempts.order_by("-pk").first()
    if attempt is not None and not attempt.finished_at:
        attempt.outcome, attempt.finished_at = order.state, timezone.now()
        attempt.save(update_fields=["outcome", "finished_at"])


def bank_connection(order: PaymentOrder) -> BankConnection | None:
    """The FinTS connection the order's account sends through, if it has one."""
    connection = order.account.connection
    if connection is None or connection.kind != BankConnection.Kind.FINTS:
        return None
    return connection


def order_payments(order: PaymentOrder) -> list:
    """The order's payments in their order: transfers, or collections of a debit run."""
    related = order.collections if order.is_debit else order.transfers
    return list(related.order_by("position", "pk"))


def order_total(order: PaymentOrder) -> Decimal:
    return sum((p.amount for p in order_payments(order)), Decimal("0.00"))


def payload(order: PaymentOrder) -> dict:
    """What an approver releases: frozen (hashed) when submitted, checked again before sending."""
    frozen = {"account": order.account.iban, "requested_date": order.requested_date.isoformat(),
              "instant": order.instant}
    if order.is_debit:
        frozen.update(kind=order.kind, scheme=order.scheme, sequence_type=order.sequence_type, creditor_id=order.creditor_id,
                      collections=[{"mandate": c.mandate.reference, "debtor_name": c.mandate.debtor_name,
                                    "iban": c.mandate.iban, "amount": str(c.amount), "remittance": c.remittance,
                                    "due_date": c.due_date.isoformat()}
                                   for c in order.collections.select_related("mandate").order_by("position", "pk")])
    else:
        frozen["transfers"] = [{"payee_name": t.payee_name, "iban": t.iban, "bic": t.bic, "amount": str(t.amount),
                                "remittance": t.remittance} for t in order.transfers.order_by("position", "pk")]
    return frozen


def digest(order: PaymentOrder) -> str:
    return hashlib.sha256(json.dumps(payload(order), sort_keys=True).encode()).hexdigest()


def check_unchanged(order: PaymentOrder) -> None:
    if digest(order) != order.payload_hash:
        raise StateChanged(_("The order changed after it was submitted; it cannot be approved or sent."))


# -- how an order reaches the bank ----------------------------------------------------------
NO_PAYMENTS = {BankAccount.Kind.SECURITIES, BankAccount.Kind.CREDIT_CARD}


def delivery_for(account: BankAccount, operation: str) -> str:
    """Over FinTS where the account's connection may do `operation` ("transfer", "debit_core_batch",
    ...: what the bank's UPD lists; not known counts as yes), else a pain file for the bank's
    portal. An account that can do neither (no IBAN, a securities or card account, not in
    euro) is refused now, while the person is still at the form."""
    if not account.iban or account.kind in NO_PAYMENTS or account.currency != "EUR":
        raise invalid("account", "account_cannot_pay", _(
            "Kassenwart cannot pay from %(account)s: it can neither send an order for it nor write a pain "
            "file (it needs a euro account with an IBAN).") % {"account": account.name})
    connection = account.connection
    if connection is not None and connection.kind == BankConnection.Kind.FINTS and (
            not account.fints_operations or operation in account.fints_operations):
        return PaymentOrder.Delivery.FINTS
    return PaymentOrder.Delivery.FILE


def described(order: PaymentOrder) -> dict:
    """The stored message "transfer #12", "payment run #12 (3 transfers)" or "debit run #13
    (5 debits)", for a part of another message."""
    count = order.collections.count() if order.is_debit else order.transfers.count()
    if order.is_debit:
        return message("payments.debit_run", order=str(order), count=count)
    if count > 1:
        return message("payments.payment_run", order=str(order), count=count)
    return message("payments.transfer", order=str(order))


def notify_waiting(order: PaymentOrder) -> None:
    """Approvers hear of an order that waits for them."""
    waiting = message("payments.order_waiting", what=described(order), total=order_total(order))
    notify(order.company, Notification.Kind.NEEDS_PERSON, waiting, link=reverse("payment_detail", args=[order.pk]),
           roles=(Role.APPROVER, Role.ADMIN))
