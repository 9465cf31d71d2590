"""Reads of open items. Every function takes the company first and never leaves it."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from kassenwart.companies.models import Company
from kassenwart.core.money import AmountRange
from kassenwart.receivables.models import Invoice


def invoice_search(
    company: Company,
    *,
    text: str = "",
    amount: AmountRange | None = None,
    status: str | None = None,
) -> QuerySet[Invoice]:
    """Invoices, newest first. `text` is looked for in the invoice number, the payment
    reference and the customer's name and number; when the caller could read it as an
    `amount`, invoices with that amount or open amount match too."""
    queryset = Invoice.objects.filter(company=company).select_related("customer")
    if status:
        queryset = queryset.filter(status=status)
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
    return queryset.order_by(F("issue_date").desc(nulls_last=True), "-id")
