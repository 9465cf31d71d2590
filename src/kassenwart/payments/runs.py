"""Runs of transfers: several transfers of one account released with one approval and sent as
one pain message, so that one TAN binds their number and their total (PSD2 dynamic linking:
the bank shows both in the challenge, and checks the control sum of the batch).

A run is an ordinary transfer order with several transfers; from here on the state machine
of services.py and submission.py takes it as any order. The transfers move into the run
with the person who drafted each (four eyes stay per payment: the run's approver drafted
none of them, held by the database too); the orders they came from end cancelled, saying
which run took them over.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.banking.models import BankAccount
from kassenwart.companies import permissions
from kassenwart.companies.models import Company
from kassenwart.core import messages
from kassenwart.core.audit import record
from kassenwart.core.models import User
from kassenwart.payables import services as payables
from kassenwart.payments import services
from kassenwart.payments.models import PaymentOrder, Transfer
from kassenwart.payments.sepa.rules import Problem
from kassenwart.payments.state import (
    FourEyes,
    PaymentInvalid,
    delivery_for,
    digest,
    notify_waiting,
    order_total,
    require,
    transition,
)

State = PaymentOrder.State
Delivery = PaymentOrder.Delivery
TAKEN = (State.DRAFT, State.PENDING_APPROVAL)  # what a run may take: not yet released


def run_create(company: Company, *, user: User, orders: Iterable[PaymentOrder | int], via: str = "web",
               approve: bool = False) -> PaymentOrder:
    """One run of the selected draft or waiting transfers (one account, one way of delivery,
    instant or not), waiting for approval with its content frozen. Its execution date is the
    latest of theirs (today if that has passed). With `approve`, an approver who drafted none
    of the payments releases it in the same step ("select all, approve").

    A member bundles their own orders; taking other people's needs the approver's role."""
    require(company, user, permissions.DRAFT_TRANSFER)
    if approve:
        require(company, user, permissions.APPROVE_PAYMENT)
    wanted = sorted({getattr(order, "pk", order) for order in orders})
    with transaction.atomic():
        # Locked, so two people bundling the same transfers cannot both take them.
        sources = list(PaymentOrder.objects.select_for_update().filter(company=company, pk__in=wanted).order_by("pk"))
        transfers = list(Transfer.objects.filter(order__in=sources).order_by("order_id", "position"))
        account = _check(company, wanted, sources, transfers)
        if any(source.created_by_id != user.pk for source in sources):
            require(company, user, permissions.APPROVE_PAYMENT)
        if approve and any(t.drafted_by_id == user.pk for t in transfers):
            raise FourEyes(_("You drafted a payment of this run; another approver has to release it."))
        instant = sources[0].instant
        operation = "instant" if instant else "transfer_batch"
        run = PaymentOrder.objects.create(
            company=company, kind=PaymentOrder.Kind.TRANSFER, account=account, instant=instant, created_by=user,
            delivery=delivery_for(account, operation),
            requested_date=max(max(s.requested_date for s in sources), timezone.localdate()),
        )
        finished = timezone.now()
        # Bills drafted as these transfers follow them into the run, before their orders end
        # cancelled (which would offer the bills for a new draft).
        payables.bills_moved(company, [s.pk for s in sources], into=run.pk, user=user, via=via)
        for source in sources:
            transition(source, list(TAKEN), State.CANCELLED, user, via, finished_at=finished,
                       note=messages.message("payments.moved_into_run", number=run.pk), audit={"moved_into": run.pk})
        for position, payment in enumerate(transfers, start=1):
            Transfer.objects.filter(pk=payment.pk).update(order=run, position=position)
        record("payment.created", run, company=company, user=user, via=via,
               after={"run_of": [s.pk for s in sources], "count": len(transfers), "total": str(order_total(run)),
                      "delivery": run.delivery, "requested_date": run.requested_date.isoformat()})
        transition(run, [State.DRAFT], State.PENDING_APPROVAL, user, via, payload_hash=digest(run))
        if approve:
            services.order_approve(run, user=user, via=via)
        else:
            notify_waiting(run)
    return run


def _check(company: Company, wanted: list[int], sources: list[PaymentOrder],
           transfers: list[Transfer]) -> BankAccount:
    """What may be bundled; each problem with a code the pages word."""
    def invalid(code: str, message: str, **params):
        return PaymentInvalid([Problem("orders", code, message % params if params else message, params)])

    if len(sources) != len(wanted):
        raise invalid("run_unknown", "Some of the selected transfers do not exist (any more).")
    moved_on = [s for s in sources if s.state not in TAKEN or s.kind != PaymentOrder.Kind.TRANSFER]
    if moved_on:
        raise invalid("run_not_open", "Only drafts and transfers waiting for approval can go into a run; "
                      "%(orders)s cannot.", orders=", ".join(f"#{s.pk}" for s in moved_on))
    if len(transfers) < 2:
        raise invalid("run_too_small", "Select at least two transfers for a run.")
    if len({s.account_id for s in sources}) > 1:
        raise invalid("run_accounts", "A run pays from one account; the selected transfers use several.")
    if len({s.instant for s in sources}) > 1:
        raise invalid("run_instant", "Instant and ordinary transfers cannot go into one run.")
    if len({s.delivery for s in sources}) > 1:
        raise invalid("run_delivery", "Transfers sent over FinTS and transfers exported as a file cannot go "
                      "into one run.")
    return BankAccount.objects.select_related("connection").get(pk=sources[0].account_id, company=company)
