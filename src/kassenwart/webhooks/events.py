"""From the audit trail to webhook events: which audit actions become which events, their
stable ids and their payloads.

Every event is derived from one audit event (core.audit), written in the same transaction as
the change it tells of:

| audit action                                  | webhook event(s)                         | event id                       |
|-----------------------------------------------|------------------------------------------|--------------------------------|
| statement.imported                            | transaction.booked, one per transaction  | evt_tx_<transaction>           |
| match.auto, match.manual, match.debit_collected | payment.matched; invoice.paid          | evt_match_<match>; evt_paid_<invoice>_<match> |
| match.undone                                  | match.undone                             | evt_undo_<match>               |
| payment.<state> (an order's step)             | transfer.state_changed or run.state_changed | evt_<audit event>           |
| collection.returned                           | debit.returned                           | evt_<audit event>              |
| connection.state_changed (into a state that needs a person) | connection.needs_attention | evt_<audit event>          |

An id is the same whenever the audit event is read again, so a scan that reads it twice
makes no second delivery (Delivery is unique per endpoint and event id).

invoice.paid is told by the match that left the invoice paid (or overpaid): when the
audit event is read, the invoice is paid and this match is the newest active one applied to
it. Two partial payments read in one scan tell it once (by the second); a match undone
before it was read tells nothing.

Payloads hold ids and the public fields a CRM needs: amounts as decimal strings, dates as
ISO dates, states as their codes. The state of an order is the one of its audit event, not
today's, so every step is told as it happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, Sum

from kassenwart.banking.models import BankConnection, Transaction
from kassenwart.core.models import AuditEvent
from kassenwart.payments.models import Collection, PaymentOrder
from kassenwart.receivables.models import Invoice
from kassenwart.reconciliation.models import Allocation, Match
from kassenwart.webhooks.models import EventType

MATCHED = ("match.auto", "match.manual", "match.debit_collected")
NEEDS_ATTENTION = {BankConnection.State.NEEDS_TAN, BankConnection.State.PIN_WRONG,
                   BankConnection.State.PIN_BLOCKED, BankConnection.State.ERROR}
PAID = (Invoice.Status.PAID, Invoice.Status.OVERPAID)


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    occurred_at: datetime
    data: dict


def types_of(action: str) -> set[str]:
    """The webhook event types an audit action may become (empty: none)."""
    if action == "statement.imported":
        return {EventType.TRANSACTION_BOOKED}
    if action in MATCHED:
        return {EventType.PAYMENT_MATCHED, EventType.INVOICE_PAID}
    if action == "match.undone":
        return {EventType.MATCH_UNDONE}
    if action.startswith("payment."):
        return {EventType.TRANSFER_STATE_CHANGED, EventType.RUN_STATE_CHANGED}
    if action == "collection.returned":
        return {EventType.DEBIT_RETURNED}
    if action == "connection.state_changed":
        return {EventType.CONNECTION_NEEDS_ATTENTION}
    return set()


def audit_actions(types: Iterable[str]) -> Q:
    """The audit events that may become any of `types`, as a filter."""
    types = set(types)
    exact = [a for a in ("statement.imported", *MATCHED, "match.undone", "collection.returned",
                         "connection.state_changed") if types_of(a) & types]
    found = Q(action__in=exact)
    if types & {EventType.TRANSFER_STATE_CHANGED, EventType.RUN_STATE_CHANGED}:
        found |= Q(action__startswith="payment.")
    return found


def events_of(audit: AuditEvent) -> Iterator[Event]:
    """The webhook events of one audit event (of its company; the rows it names are read
    scoped to that company)."""
    action = audit.action
    if action == "statement.imported":
        yield from _booked(audit)
    elif action in MATCHED:
        yield from _matched(audit)
    elif action == "match.undone":
        yield from _undone(audit)
    elif action.startswith("payment."):
        yield from _order_step(audit)
    elif action == "collection.returned":
        yield from _returned(audit)
    elif action == "connection.state_changed":
        yield from _needs_attention(audit)


def money(value) -> str:
    return f"{value:.2f}"


def _day(value) -> str | None:
    return value.isoformat() if value else None


def _booked(audit: AuditEvent) -> Iterator[Event]:
    rows = (Transaction.objects.filter(company_id=audit.company_id, statement_import_id=int(audit.object_id))
            .order_by("pk").values("pk", "account_id", "account__iban", "booking_date", "value_date", "amount",
                                   "currency", "counterparty_name", "counterparty_iban", "remittance",
                                   "end_to_end_id", "structured_reference", "mandate_id"))
    for row in rows.iterator(chunk_size=2000):
        yield Event(f"evt_tx_{row['pk']}", EventType.TRANSACTION_BOOKED, audit.created_at, {
            "transaction_id": row["pk"],
            "account_id": row["account_id"],
            "account_iban": row["account__iban"],
            "booking_date": _day(row["booking_date"]),
            "value_date": _day(row["value_date"]),
            "amount": money(row["amount"]),
            "currency": row["currency"],
            "counterparty_name": row["counterparty_name"],
            "counterparty_iban": row["counterparty_iban"],
            "remittance": row["remittance"],
            "end_to_end_id": row["end_to_end_id"],
            "creditor_reference": row["structured_reference"],
            "mandate_reference": row["mandate_id"],
            "statement_import_id": int(audit.object_id),
        })


def _match(audit: AuditEvent) -> tuple[Match, list[Allocation]] | None:
    match = (Match.objects.filter(company_id=audit.company_id, pk=int(audit.object_id))
             .select_related("transaction").first())
    if match is None:
        return None
    allocations = list(Allocation.objects.filter(match=match).select_related("invoice__customer").order_by("pk"))
    return match, allocations


def _allocations(allocations: list[Allocation]) -> list[dict]:
    return [{"invoice_id": a.invoice_id, "invoice_number": a.invoice.number, "amount": money(a.amount),
             "write_off": money(a.write_off)} for a in allocations]


def _match_data(match: Match, allocations: list[Allocation]) -> dict:
    tx = match.transaction
    return {
        "match_id": match.pk,
        "kind": match.kind,
        "transaction_id": tx.pk,
        "amount": money(tx.amount),
        "currency": tx.currency,
        "booking_date": _day(tx.booking_date),
        "counterparty_name": tx.counterparty_name,
        "allocations": _allocations(allocations),
    }


def _matched(audit: AuditEvent) -> Iterator[Event]:
    found = _match(audit)
    if found is None:
        return
    match, allocations = found
    yield Event(f"evt_match_{match.pk}", EventType.PAYMENT_MATCHED, audit.created_at, _match_data(match, allocations))
    for allocation in allocations:
        invoice = allocation.invoice
        if invoice.status not in PAID or _newest_active_match(invoice) != match.pk:
            continue
        paid = Allocation.objects.filter(invoice=invoice, match__undone_at__isnull=True).aggregate(
            amount=Sum("amount"), write_off=Sum("write_off"))
        yield Event(f"evt_paid_{invoice.pk}_{match.pk}", EventType.INVOICE_PAID, audit.created_at, {
            "invoice_id": invoice.pk,
            "invoice_number": invoice.number,
            "customer_number": invoice.customer.number,
            "amount": money(invoice.amount),
            "paid_amount": money(paid["amount"]),
            "written_off": money(paid["write_off"]),
            "open_amount": money(invoice.open_amount),
            "currency": invoice.currency,
            "status": invoice.status,
            "match_id": match.pk,
            "transaction_id": match.transaction_id,
        })


def _newest_active_match(invoice: Invoice) -> int | None:
    return (Allocation.objects.filter(invoice=invoice, match__undone_at__isnull=True)
            .order_by("-match__created_at", "-match_id").values_list("match_id", flat=True).first())


def _undone(audit: AuditEvent) -> Iterator[Event]:
    found = _match(audit)
    if found is None:
        return
    match, allocations = found
    data = _match_data(match, allocations)
    data["undone_at"] = match.undone_at.isoformat() if match.undone_at else audit.created_at.isoformat()
    yield Event(f"evt_undo_{match.pk}", EventType.MATCH_UNDONE, audit.created_at, data)


def _order_step(audit: AuditEvent) -> Iterator[Event]:
    if audit.object_type != "payments.paymentorder":
        return
    order = PaymentOrder.objects.filter(company_id=audit.company_id, pk=int(audit.object_id)).select_related(
        "account").first()
    if order is None:
        return
    before = audit.before or {}
    if order.kind == PaymentOrder.Kind.DEBIT:
        items = [{"collection_id": c.pk, "end_to_end_id": c.end_to_end_id, "amount": money(c.amount),
                  "name": c.mandate.debtor_name, "mandate_reference": c.mandate.reference,
                  "invoice_id": c.invoice_id, "invoice_number": c.invoice.number if c.invoice else None,
                  "remittance": c.remittance}
                 for c in order.collections.select_related("mandate", "invoice").order_by("pk")]
    else:
        items = [{"transfer_id": t.pk, "end_to_end_id": t.end_to_end_id, "amount": money(t.amount), "name": t.payee_name,
                  "iban": t.iban, "remittance": t.remittance} for t in order.transfers.order_by("position")]
    run = order.kind == PaymentOrder.Kind.DEBIT or len(items) > 1
    kind = "debit_run" if order.kind == PaymentOrder.Kind.DEBIT else "run" if run else "transfer"
    yield Event(f"evt_{audit.pk}", EventType.RUN_STATE_CHANGED if run else EventType.TRANSFER_STATE_CHANGED,
                audit.created_at, {
                    "order_id": order.pk,
                    "kind": kind,
                    "state": _order_state(audit),
                    "previous_state": before.get("state"),
                    "account_id": order.account_id,
                    "account_iban": order.account.iban,
                    "requested_date": _day(order.requested_date),
                    "total": money(sum((Decimal(i["amount"]) for i in items), Decimal("0"))),
                    "currency": order.account.currency,
                    "count": len(items),
                    "payments": items,
                })


def _order_state(audit: AuditEvent) -> str:
    """The state the step moved the order into: "payment.created" is its draft."""
    if audit.action == "payment.created":
        return PaymentOrder.State.DRAFT
    return (audit.after or {}).get("state") or audit.action.removeprefix("payment.")


def _returned(audit: AuditEvent) -> Iterator[Event]:
    collection = (Collection.objects.filter(company_id=audit.company_id, pk=int(audit.object_id))
                  .select_related("mandate", "invoice").first())
    if collection is None:
        return
    yield Event(f"evt_{audit.pk}", EventType.DEBIT_RETURNED, audit.created_at, {
        "collection_id": collection.pk,
        "order_id": collection.order_id,
        "amount": money(collection.amount),
        "currency": collection.currency,
        "due_date": _day(collection.due_date),
        "return_reason": (audit.after or {}).get("return_reason", collection.return_reason),
        "mandate_reference": collection.mandate.reference,
        "debtor_name": collection.mandate.debtor_name,
        "invoice_id": collection.invoice_id,
        "invoice_number": collection.invoice.number if collection.invoice else None,
    })


def _needs_attention(audit: AuditEvent) -> Iterator[Event]:
    after, before = audit.after or {}, audit.before or {}
    state = after.get("state")
    if state not in NEEDS_ATTENTION or before.get("state") == state:
        return
    connection = BankConnection.objects.filter(company_id=audit.company_id, pk=int(audit.object_id)).first()
    if connection is None:
        return
    yield Event(f"evt_{audit.pk}", EventType.CONNECTION_NEEDS_ATTENTION, audit.created_at, {
        "connection_id": connection.pk,
        "name": connection.name,
        "state": state,
        "previous_state": before.get("state"),
        # a stored message (key and parameters), as the web words it
        "error": after.get("last_error"),
    })
