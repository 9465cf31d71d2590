"""Reads for reconciliation screens and the export."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Sum

from kassenwart.banking.models import Transaction
from kassenwart.core.money import quantize
from kassenwart.receivables.models import Invoice
from kassenwart.reconciliation.models import Allocation, Match, TransactionState
from kassenwart.reconciliation.reasons import worded


def open_payments(company):
    """Incoming payments still waiting for a person, oldest first, with their state."""
    return (
        TransactionState.objects.filter(company=company, status__in=[TransactionState.Status.OPEN, TransactionState.Status.PARTIALLY_MATCHED])
        .select_related("transaction", "transaction__account")
        .order_by("transaction__booking_date", "transaction_id")
    )


def active_matches(company):
    return (
        Match.objects.filter(company=company, undone_at__isnull=True)
        .select_related("transaction", "created_by")
        .prefetch_related("allocations__invoice")
    )


def invoice_payments(company, invoice: Invoice):
    return (
        Allocation.objects.filter(invoice=invoice, match__company=company)
        .select_related("match", "match__transaction")
        .order_by("-match__created_at")
    )


def invoices_by_id(company, ids) -> dict[int, Invoice]:
    return {i.pk: i for i in Invoice.objects.filter(company=company, pk__in=ids).select_related("customer")}


def export_rows(company) -> Iterator[dict]:
    """Rows for `kassenwart export-matches`: auto matches and open suggestions, by bank reference."""
    refs = dict(Transaction.objects.filter(company=company, amount__gt=0).values_list("pk", "bank_reference"))
    numbers = dict(Invoice.objects.filter(company=company).values_list("pk", "number"))
    allocations = Allocation.objects.filter(match__company=company, match__undone_at__isnull=True).values_list(
        "match__transaction_id", "match__kind", "invoice_id", "amount", "match__confidence", "match__reasons"
    )
    for tx_id, kind, invoice_id, amount, confidence, reasons in allocations.order_by("match__transaction_id", "id"):
        yield {
            "transaction_ref": refs.get(tx_id) or str(tx_id),
            "invoice_number": numbers[invoice_id],
            "kind": "auto" if kind == Match.Kind.AUTO else "manual",
            "rank": "",
            "amount": str(amount),
            "confidence": "" if confidence is None else f"{confidence:.3f}",
            "reason": "; ".join(worded(reason) for reason in reasons),
        }
    states = TransactionState.objects.filter(company=company, status=TransactionState.Status.OPEN).values_list("transaction_id", "suggestions")
    for tx_id, suggestions in states.order_by("transaction_id"):
        for rank, proposal in enumerate(suggestions, 1):
            for invoice_id, amount in proposal["allocations"].items():
                yield {
                    "transaction_ref": refs.get(tx_id) or str(tx_id),
                    "invoice_number": numbers.get(int(invoice_id), ""),
                    "kind": "suggestion",
                    "rank": str(rank),
                    "amount": amount,
                    "confidence": f"{proposal['confidence']:.3f}",
                    "reason": "; ".join(worded(reason) for reason in proposal["reasons"]),
                }


MATCHED_STATES = (TransactionState.Status.MATCHED, TransactionState.Status.PARTIALLY_MATCHED)


def transactions_with_state(company, *, matched: bool | None = None, **search):
    """banking's transaction_search (its filters in `search`), each transaction with its
    reconciliation status (`reconciliation_status`: open, matched, partially_matched, ignored;
    None before matching saw it); `matched` keeps the (partly) matched ones, or the others."""
    from django.db.models import F

    from kassenwart.banking.selectors import transaction_search

    queryset = transaction_search(company, **search).annotate(reconciliation_status=F("state__status"))
    if matched is True:
        queryset = queryset.filter(state__status__in=MATCHED_STATES)
    elif matched is False:
        queryset = queryset.exclude(state__status__in=MATCHED_STATES)
    return queryset


def ignored_payments(company):
    """Incoming payments a person marked as not an invoice payment, oldest first."""
    return (
        TransactionState.objects.filter(company=company, status=TransactionState.Status.IGNORED)
        .select_related("transaction", "transaction__account")
        .order_by("transaction__booking_date", "transaction_id")
    )


def payment_state(company, transaction_id: int) -> TransactionState | None:
    """The state of one of the company's incoming payments (None: money out, another
    company's, or not seen by matching yet)."""
    return (TransactionState.objects.filter(company=company, transaction_id=transaction_id)
            .select_related("transaction").first())


def applied_amounts(company, transaction_ids) -> dict[int, Decimal]:
    """How much of each payment its active matches applied to invoices (one query)."""
    rows = (
        Allocation.objects.filter(match__company=company, match__undone_at__isnull=True,
                                  match__transaction_id__in=list(transaction_ids))
        .values("match__transaction_id").annotate(total=Sum("amount")).order_by()
    )
    return {row["match__transaction_id"]: quantize(row["total"]) for row in rows}


def suggestion_rank(state: TransactionState | None, invoice_ids) -> int | None:
    """The rank (1 = best) of the state's suggestion for exactly these invoices, wherever it
    ranks now; None when there is none (any more)."""
    wanted = sorted(int(i) for i in invoice_ids)
    for rank, proposal in enumerate(state.suggestions if state else [], 1):
        if sorted(int(i) for i in proposal["allocations"]) == wanted:
            return rank
    return None


def company_matches(company):
    """Every match of the company, undone ones too, with their allocations' invoices."""
    return (Match.objects.filter(company=company).select_related("created_by", "undone_by")
            .prefetch_related("allocations__invoice"))
