"""Reads of open items. Every function takes the company first and never leaves it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import F, Q, QuerySet

from kassenwart.companies.models import Company
from kassenwart.core.money import AmountRange
from kassenwart.receivables.models import Customer, Invoice

UNPAID = (Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID)
# The orderings a list may ask for, each ending in the id so that pages never overlap.
INVOICE_ORDERINGS = {
    "-date": (F("issue_date").desc(nulls_last=True), "-id"),
    "date": (F("issue_date").asc(nulls_first=True), "id"),
    "-amount": ("-amount", "-id"),
    "amount": ("amount", "id"),
    "-due": (F("due_date").desc(nulls_last=True), "-id"),
    "due": (F("due_date").asc(nulls_last=True), "id"),
}
NEWEST_FIRST = "-date"


def invoice_search(
    company: Company,
    *,
    text: str = "",
    amount: AmountRange | None = None,
    status: str | None = None,
    overdue_on: date | None = None,
    amount_from: Decimal | None = None,
    amount_to: Decimal | None = None,
    order: str = NEWEST_FIRST,
) -> QuerySet[Invoice]:
    """Invoices, newest first unless `order` names another of INVOICE_ORDERINGS. `text` is
    looked for in the invoice number, the payment reference and the customer's name and
    number; when the caller could read it as an `amount`, invoices with that amount or open
    amount match too. `overdue_on` leaves the invoices still open after their due date
    passed on that day; `amount_from` and `amount_to` bound the invoice amount."""
    queryset = Invoice.objects.filter(company=company).select_related("customer")
    if status:
        queryset = queryset.filter(status=status)
    if overdue_on is not None:
        queryset = queryset.filter(status__in=UNPAID, due_date__lt=overdue_on)
    if amount_from is not None:
        queryset = queryset.filter(amount__gte=amount_from)
    if amount_to is not None:
        queryset = queryset.filter(amount__lte=amount_to)
    text = text.strip()
    if text:
        found = (
            Q(number__icontains=text)
            | Q(payment_reference__icontains=text)
            | Q(customer__name__icontains=text)
            | Q(customer__number__icontains=text)
        )
        if amount is not None:
            found |= Q(amount__range=(amount.low, amount.high)) | Q(open_amount__range=(amount.low, amount.high))
        queryset = queryset.filter(found)
    return queryset.order_by(*INVOICE_ORDERINGS.get(order, INVOICE_ORDERINGS[NEWEST_FIRST]))


def customers_of(company: Company, *, number: str | None = None) -> QuerySet[Customer]:
    queryset = Customer.objects.filter(company=company)
    return queryset.filter(number=number) if number is not None else queryset


def invoices_of(company: Company, *, number: str | None = None, status: str | None = None,
                customer_number: str | None = None) -> QuerySet[Invoice]:
    """The company's invoices with their customers, narrowed by exact number, status or customer number."""
    queryset = Invoice.objects.filter(company=company).select_related("customer")
    if number is not None:
        queryset = queryset.filter(number=number)
    if status:
        queryset = queryset.filter(status=status)
    if customer_number is not None:
        queryset = queryset.filter(customer__number=customer_number)
    return queryset
