"""Customers and invoices: lists, one by id, and the bulk upsert of invoices by number."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel

from kassenwart.api.auth import token
from kassenwart.api.errors import forbidden, not_found, responses
from kassenwart.api.paging import Paging, page, paged
from kassenwart.api.schemas import Id, Money, choices
from kassenwart.companies.permissions import IMPORT_INVOICES, VIEW
from kassenwart.receivables import selectors
from kassenwart.receivables.invoice_csv import MAX_LENGTHS
from kassenwart.receivables.models import Invoice
from kassenwart.receivables.problems import problem_text
from kassenwart.receivables.services import InvoicesRefused, invoices_upsert

customers = Router()
invoices = Router()
MAX_ITEMS = 10_000
InvoiceStatus = choices("InvoiceStatus", Invoice.Status)


class CustomerOut(Schema):
    id: int
    number: str
    name: str
    iban: str
    email: str


class InvoiceOut(Schema):
    id: int
    number: str
    customer_id: int
    customer_number: str
    issue_date: date | None
    due_date: date | None
    amount: Money
    open_amount: Money
    currency: str
    payment_reference: str
    status: InvoiceStatus
    updated_at: datetime


class CustomerFilters(Paging):
    number: str | None = Field(None, max_length=64, description="exactly this customer number")


class InvoiceFilters(Paging):
    number: str | None = Field(None, max_length=64, description="exactly this invoice number")
    status: InvoiceStatus | None = None
    customer_number: str | None = Field(None, max_length=64)


class InvoiceIn(BaseModel):
    """One open item, read by the rules of the CSV import (receivables/invoice_csv.py). A plain
    pydantic model, not ninja's Schema: Schema's validator (for reading Django objects) costs
    more than the whole upsert at 10,000 items."""

    invoice_number: str = Field(..., max_length=MAX_LENGTHS["invoice_number"])
    customer_number: str = Field(..., max_length=MAX_LENGTHS["customer_number"])
    customer_name: str = Field(..., max_length=MAX_LENGTHS["customer_name"])
    amount: str | int | float = Field(..., description='1234.56 (also "1.234,56"); negative for a credit note')
    currency: str = Field("EUR", max_length=3)
    issue_date: str | None = Field(None, max_length=10, description="2026-07-21 (or 21.07.2026)")
    due_date: str | None = Field(None, max_length=10, description="2026-07-21 (or 21.07.2026)")
    customer_iban: str = Field("", max_length=42)
    payment_reference: str = Field("", max_length=MAX_LENGTHS["payment_reference"])
    customer_email: str = Field("", max_length=MAX_LENGTHS["customer_email"])


class InvoicesIn(BaseModel):
    items: list[InvoiceIn] = Field(..., min_length=1, max_length=MAX_ITEMS)


class ItemError(Schema):
    index: int
    field: str
    code: str
    message: str


class InvoicesOut(Schema):
    created: int
    updated: int
    unchanged: int
    customers_created: int
    errors: list[ItemError]


def _invoice_out(invoice: Invoice) -> dict:
    return {**{name: getattr(invoice, name) for name in (
        "id", "number", "customer_id", "issue_date", "due_date", "amount", "open_amount", "currency",
        "payment_reference", "status", "updated_at")}, "customer_number": invoice.customer.number}


@customers.get("", response=responses({200: paged(CustomerOut)}), auth=token(VIEW))
def customer_list(request, filters: Query[CustomerFilters]):
    return page(request, selectors.customers_of(request.auth.company, number=filters.number), filters)


@customers.get("/{customer_id}", response=responses({200: CustomerOut}, 404), auth=token(VIEW))
def customer_get(request, customer_id: Id):
    customer = selectors.customers_of(request.auth.company).filter(pk=customer_id).first()
    if customer is None:
        raise not_found()
    return customer


@invoices.get("", response=responses({200: paged(InvoiceOut)}), auth=token(VIEW))
def invoice_list(request, filters: Query[InvoiceFilters]):
    found = selectors.invoices_of(request.auth.company, number=filters.number, status=filters.status,
                                  customer_number=filters.customer_number)
    return page(request, found, filters, _invoice_out)


def _values(item: InvoiceIn) -> dict[str, str]:
    """The item as the CSV file's columns would give it: texts, stripped."""
    values = item.model_dump()
    amount = values["amount"]
    values["amount"] = repr(amount) if isinstance(amount, float) else str(amount)
    return {column: (value or "").strip() for column, value in values.items()}


@invoices.post("/bulk", response=responses({200: InvoicesOut}), auth=token(IMPORT_INVOICES))
def invoice_bulk_upsert(request, body: InvoicesIn):
    """Create or update up to 10,000 invoices by their number, by the rules of the CSV import.
    Items with problems are left out and listed in `errors` (index in `items`, field, code);
    the others are written together. A payment received for an invoice stays received."""
    try:
        result = invoices_upsert(request.auth.company, [_values(item) for item in body.items],
                                 user=request.auth.user, via="api")
    except InvoicesRefused:
        raise forbidden()
    return {
        "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
        "customers_created": result.customers_created,
        "errors": [{"index": p.line, "field": p.column, "code": p.code, "message": problem_text(p, ITEM_TEXTS)}
                   for p in result.problems],
    }


@invoices.get("/{invoice_id}", response=responses({200: InvoiceOut}, 404), auth=token(VIEW))
def invoice_get(request, invoice_id: Id):
    invoice = selectors.invoices_of(request.auth.company).filter(pk=invoice_id).first()
    if invoice is None:
        raise not_found()
    return _invoice_out(invoice)


# In an API call the problems name items, not lines.
ITEM_TEXTS = {"number_duplicate": gettext_lazy("The invoice number %(number)s is also item %(index)s.")}
