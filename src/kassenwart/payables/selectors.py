"""Reads of bills, always scoped to the company."""

from datetime import date, timedelta

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from kassenwart.payables.models import Bill


def bills_to_pay(company) -> QuerySet[Bill]:
    """Open invoices, the soonest deadline (Skonto date, else due date) first."""
    return Bill.objects.filter(company=company, kind=Bill.Kind.INVOICE, status=Bill.Status.OPEN).order_by(
        "skonto_date", "due_date", "id")


def credits_for(bill: Bill) -> list[Bill]:
    """The supplier's unused credit notes a transfer for `bill` would use (read only)."""
    return list(Bill.objects.filter(company=bill.company_id, supplier_key=bill.supplier_key,
                                    kind=Bill.Kind.CREDIT_NOTE, status=Bill.Status.CREDIT,
                                    currency=bill.currency).order_by("issue_date", "id"))


def bills_of(company, *, status: str | None = None, supplier: str = "", due_by: date | None = None,
             kind: str | None = None) -> QuerySet[Bill]:
    """The company's bills, the soonest deadline (the Skonto date, else the due date) first and
    those without one last. `supplier` is part of the supplier's name (any case), `due_by` the
    last due date wanted (bills without one are left out)."""
    queryset = Bill.objects.filter(company=company)
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    if supplier.strip():
        queryset = queryset.filter(supplier_name__icontains=supplier.strip())
    if due_by is not None:
        queryset = queryset.filter(due_date__lte=due_by)
    return queryset.alias(deadline=Coalesce("skonto_date", "due_date")).order_by(
        F("deadline").asc(nulls_last=True), "id")


def bills_due(company, *, today: date, days: int) -> QuerySet[Bill]:
    """Invoices to pay or with a transfer drafted whose Skonto ends within `days` from today,
    or that fall due by then (overdue ones too), the soonest deadline first."""
    until = today + timedelta(days=days)
    due = Q(skonto_date__gte=today, skonto_date__lte=until) | Q(due_date__lte=until)
    return Bill.objects.filter(due, company=company, kind=Bill.Kind.INVOICE,
                               status__in=[Bill.Status.OPEN, Bill.Status.DRAFTED]).order_by("skonto_date", "due_date",
                                                                                            "id")


def bills_of_order(company, order_id: int) -> dict[int, Bill]:
    """The bills an order's transfers were drafted from, by transfer id (for its approver)."""
    return {bill.transfer_id: bill for bill in Bill.objects.filter(company=company, order_id=order_id)
            .exclude(transfer_id=None)}
