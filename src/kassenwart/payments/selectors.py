"""Reads for the payment pages and the pain export."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kassenwart.companies.models import Company
from kassenwart.core.models import AuditEvent
from kassenwart.payments.models import Collection, PaymentOrder, SendAttempt, Transfer

State = PaymentOrder.State
OPEN_FOR_RUNS = (State.DRAFT, State.PENDING_APPROVAL)  # transfers that can still go into a run


# The orderings the transfers list may ask for, each ending in the primary key.
ORDER_ORDERINGS = {
    "-date": ("-created_at", "-pk"),
    "date": ("created_at", "pk"),
    "-amount": ("-total", "-pk"),
    "amount": ("total", "pk"),
}


def orders(company: Company, *, state: str = "", amount_from: Decimal | None = None,
           amount_to: Decimal | None = None, order: str = "-date") -> QuerySet[PaymentOrder]:
    """The company's orders with their count, total and first payee (or debtor), newest
    first unless `order` names another of ORDER_ORDERINGS; the amount range bounds the
    total. Orders whose transfers moved into a run are left out (the run lists them)."""
    transfers = Transfer.objects.filter(order=OuterRef("pk")).order_by().values("order")
    collections = Collection.objects.filter(order=OuterRef("pk")).order_by().values("order")

    def of(rows, value):
        return Subquery(rows.annotate(value=value).values("value"))

    money = DecimalField(max_digits=15, decimal_places=2)
    found = (PaymentOrder.objects.filter(company=company).select_related("account", "created_by")
             .annotate(transfer_count=Coalesce(of(transfers, Count("pk")), Value(0), output_field=IntegerField()),
                       collection_count=Coalesce(of(collections, Count("pk")), Value(0), output_field=IntegerField()),
                       transfer_total=of(transfers, Sum("amount")), collection_total=of(collections, Sum("amount")),
                       payee_name=of(transfers, Min("payee_name")),
                       debtor_name=of(collections, Min("mandate__debtor_name")))
             .annotate(total=Coalesce("transfer_total", "collection_total", output_field=money),
                       payment_count=Coalesce("transfer_count", Value(0)) + Coalesce("collection_count", Value(0)),
                       payee=Coalesce("payee_name", "debtor_name"))
             .exclude(state=State.CANCELLED, payment_count=0)
             .order_by(*ORDER_ORDERINGS.get(order, ORDER_ORDERINGS["-date"])))
    if amount_from is not None:
        found = found.filter(total__gte=amount_from)
    if amount_to is not None:
        found = found.filter(total__lte=amount_to)
    return found.filter(state=state) if state else found


def kind_label_code(order: PaymentOrder) -> str:
    """"transfer", "run" (several transfers) or "debit_run", for the lists."""
    if order.kind == PaymentOrder.Kind.DEBIT:
        return "debit_run"
    count = getattr(order, "payment_count", None)
    if count is None:
        count = order.transfers.count()
    return "run" if count > 1 else "transfer"


def history(order: PaymentOrder) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(company=order.company, object_type="payments.paymentorder",
                                     object_id=str(order.pk)).order_by("created_at", "pk")


def moved_into(order: PaymentOrder) -> int | None:
    """The run an order's transfers went into (runs.run_create), if they did."""
    for event in history(order).filter(action="payment.cancelled"):
        if isinstance(event.after, dict) and event.after.get("moved_into"):
            return int(event.after["moved_into"])
    return None


# -- pain files ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PainFile:
    """One pain message as it went out (or was exported), under the name it is saved as."""

    name: str  # "<message id>.xml", a later different message of the same order "<message id>-2.xml"
    data: bytes
    order: PaymentOrder
    attempt: SendAttempt


def pain_file_name(message_id: str, number: int = 1) -> str:
    """A file name from a SEPA message id (which may hold "/", "?", spaces and the like)."""
    stem = re.sub(r"[^A-Za-z0-9._+-]", "_", message_id).strip("._") or "pain"
    return f"{stem}.xml" if number == 1 else f"{stem}-{number}.xml"


def latest_pain(order: PaymentOrder) -> PainFile | None:
    """The pain message of the order's latest attempt (the file to upload to the bank, or what
    went to it), named as `sent_pain` names it."""
    attempts = list(order.attempts.order_by("pk"))
    if not attempts:
        return None
    latest = attempts[-1]
    data = bytes(latest.pain)
    name = next((p.name for p in _order_files(order, attempts) if p.data == data),
                pain_file_name(order.message_id or f"order-{order.pk}"))
    return PainFile(name, data, order, latest)


def sent_pain(company: Company, *, since: date | None = None) -> Iterator[PainFile]:
    """Every pain message the company sent over FinTS or exported as a file, exactly as it
    went out, oldest first. An attempt went out when it was exported, or when sending began
    after it was made and it did not come back as not sent (approved again: the bank never
    got it). Each different message of an order is a file; the same bytes again are not."""
    found = (PaymentOrder.objects.filter(company=company, attempts__isnull=False).distinct().order_by("pk")
             .prefetch_related(Prefetch("attempts", queryset=SendAttempt.objects.order_by("pk"))))
    for order in found.iterator(chunk_size=100):
        attempts = list(order.attempts.all())
        for pain in _order_files(order, attempts):
            if since is None or timezone.localtime(pain.attempt.created_at).date() >= since:
                yield pain


def _order_files(order: PaymentOrder, attempts: list[SendAttempt]) -> list[PainFile]:
    files: dict[bytes, PainFile] = {}
    for attempt in attempts:
        data = bytes(attempt.pain)
        if data in files or not _went_out(order, attempt, latest=attempt is attempts[-1]):
            continue
        files[data] = PainFile(pain_file_name(order.message_id or f"order-{order.pk}", len(files) + 1), data,
                               order, attempt)
    return list(files.values())


def _went_out(order: PaymentOrder, attempt: SendAttempt, *, latest: bool) -> bool:
    if attempt.delivery == PaymentOrder.Delivery.FILE:
        return True
    if attempt.outcome == State.APPROVED:
        return False  # provably not at the bank
    if not latest:
        return bool(attempt.outcome)
    started = order.sending_started_at
    return started is not None and started >= attempt.created_at
