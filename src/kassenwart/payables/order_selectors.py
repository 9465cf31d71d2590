"""Reads of bills for paying them, always scoped to the company: the bills due for a payment
run, and the bills an order's transfers were drafted from."""

from datetime import date, timedelta

from django.db.models import Q, QuerySet

from kassenwart.payables.models import Bill


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
