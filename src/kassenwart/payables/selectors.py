"""Reads of bills, always scoped to the company."""

from datetime import date

from django.db.models import F, QuerySet
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
