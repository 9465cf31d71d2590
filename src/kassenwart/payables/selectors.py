"""Reads of bills, always scoped to the company."""

from django.db.models import QuerySet

from kassenwart.payables.models import Bill


def bills_to_pay(company) -> QuerySet[Bill]:
    """Open invoices, the soonest deadline (Skonto date, else due date) first."""
    return Bill.objects.filter(company=company, kind=Bill.Kind.INVOICE, status=Bill.Status.OPEN).order_by(
        "skonto_date", "due_date", "id")


def open_credit_notes(company) -> QuerySet[Bill]:
    return Bill.objects.filter(company=company, kind=Bill.Kind.CREDIT_NOTE, status=Bill.Status.CREDIT).order_by(
        "issue_date", "id")


def bills_drafted(company) -> QuerySet[Bill]:
    return Bill.objects.filter(company=company, status__in=[Bill.Status.DRAFTED, Bill.Status.OFFSET]).order_by(
        "-id")


def credits_for(bill: Bill) -> list[Bill]:
    """The supplier's unused credit notes a transfer for `bill` would use (read only)."""
    return list(Bill.objects.filter(company=bill.company_id, supplier_key=bill.supplier_key,
                                    kind=Bill.Kind.CREDIT_NOTE, status=Bill.Status.CREDIT,
                                    currency=bill.currency).order_by("issue_date", "id"))
