"""Use cases for open items: importing invoices from a CRM/ERP export, and the invoice of a
direct debit Kassenwart collects by itself (a collection plan's licence fee)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.companies import permissions
from kassenwart.companies.models import Company
from kassenwart.companies.selectors import role_in
from kassenwart.core.audit import record
from kassenwart.core.bulk import insert_rows, update_many, update_rows
from kassenwart.core.gc_pause import gc_paused
from kassenwart.core.models import User
from kassenwart.receivables.invoice_csv import InvoiceRow, RowError, parse_invoices, read_row
from kassenwart.receivables.models import Customer, Invoice


@dataclass
class InvoiceImportResult:
    created: int
    updated: int
    unchanged: int
    customers_created: int


def invoice_status(amount: Decimal, open_amount: Decimal) -> str:
    if amount < 0:
        return Invoice.Status.CREDIT_NOTE
    if open_amount == amount:
        return Invoice.Status.OPEN
    if open_amount == 0:
        return Invoice.Status.PAID
    if open_amount < 0:
        return Invoice.Status.OVERPAID
    return Invoice.Status.PARTIALLY_PAID


def invoice_import(
    company: Company, data: bytes, *, file_name: str = "", user: User | None = None, via="cli"
) -> InvoiceImportResult:
    """Upsert invoices by number. Raises InvoiceFileError (every bad line) and writes nothing then."""
    rows = parse_invoices(data)
    return _upsert(company, rows, {"file": file_name}, user=user, via=via)


@dataclass
class InvoiceUpsertResult(InvoiceImportResult):
    problems: list[RowError]


def invoices_upsert(company: Company, items: Sequence[dict[str, str]], *, user: User | None, via: str = "api"
                    ) -> InvoiceUpsertResult:
    """Upsert invoices given as the CSV file's columns (texts) by number: the API's bulk upsert.
    Each item is read by the file's rules (invoice_csv.read_row); an item with problems, or with
    a number an earlier item has, is left out and its problems returned (`line` = its index).
    The others are written in one transaction with one audit event."""
    if user is not None and not permissions.allows(role_in(company, user), permissions.IMPORT_INVOICES):
        raise InvoicesRefused(_("Your role does not allow this."))
    rows, problems, seen = [], [], {}
    with gc_paused():  # 10,000 items make many short-lived objects and no cycles
        for index, values in enumerate(items):
            row = read_row(index, values, problems)
            if row is None:
                continue
            if row.number in seen:
                problems.append(RowError(index, "invoice_number", "number_duplicate",
                                         f"{row.number} also item {seen[row.number]}",
                                         {"index": seen[row.number], "number": row.number}))
                continue
            seen[row.number] = index
            rows.append(row)
        result = _upsert(company, rows, {}, user=user, via=via) if rows else InvoiceImportResult(0, 0, 0, 0)
    return InvoiceUpsertResult(**result.__dict__, problems=problems)


class InvoicesRefused(Exception):
    """The person may not import invoices."""


# How many numbers one `IN (...)` asks for: below SQLite's oldest limit of bound parameters.
_CHUNK = 900


def _existing(company, numbers: list[str]) -> dict[str, Invoice]:
    """The company's invoices with these numbers (only the columns an update compares)."""
    found = {}
    for start in range(0, len(numbers), _CHUNK):
        for invoice in Invoice.objects.filter(company=company, number__in=numbers[start:start + _CHUNK]).only(
                "pk", "number", *_COMPARED):
            found[invoice.number] = invoice
    return found


_COMPARED = ["customer_id", "issue_date", "due_date", "amount", "open_amount", "currency", "payment_reference",
             "status"]


def _upsert(company, rows: list[InvoiceRow], audit: dict, *, user, via) -> InvoiceImportResult:
    with transaction.atomic():
        customers, customers_created = _upsert_customers(company, rows)
        existing = _existing(company, [row.number for row in rows])
        new, changed = [], []
        for row in rows:
            invoice = existing.get(row.number)
            if invoice is None:
                new.append(row)
            elif _update_invoice(invoice, customers[row.customer_number], row):
                changed.append(invoice)
        _insert_invoices(company, customers, new)
        # plain values, prepared per column type (core.bulk), not per field and object
        update_rows(Invoice, _COMPARED, {i.pk: [getattr(i, name) for name in _COMPARED] for i in changed},
                    same={"updated_at": timezone.now()})
        result = InvoiceImportResult(
            created=len(new),
            updated=len(changed),
            unchanged=len(rows) - len(new) - len(changed),
            customers_created=customers_created,
        )
        record(
            "invoices.imported",
            company,
            company=company,
            user=user,
            via=via,
            after={
                **audit,
                **result.__dict__,
                "created_numbers": [row.number for row in new],
                "updated_numbers": [i.number for i in changed],
            },
        )
        return result


def _upsert_customers(company, rows: list[InvoiceRow]):
    numbers = list({row.customer_number: None for row in rows})
    by_number = {}
    for start in range(0, len(numbers), _CHUNK):
        by_number.update((c.number, c) for c in Customer.objects.filter(company=company,
                                                                         number__in=numbers[start:start + _CHUNK]))
    created, changed = [], {}
    for row in rows:
        customer = by_number.get(row.customer_number)
        if customer is None:
            customer = Customer(company=company, number=row.customer_number, name=row.customer_name,
                                iban=row.customer_iban, email=row.customer_email)
            by_number[row.customer_number] = customer
            created.append(customer)
        elif (customer.name != row.customer_name or (row.customer_iban and customer.iban != row.customer_iban)
              or (row.customer_email and customer.email != row.customer_email)):
            customer.name = row.customer_name
            customer.iban = row.customer_iban or customer.iban
            customer.email = row.customer_email or customer.email  # an export without the column keeps it
            if customer.pk:
                changed[customer.number] = customer
    Customer.objects.bulk_create(created, batch_size=1000)
    update_many(list(changed.values()), ["name", "iban", "email"])
    if created and created[0].pk is None:  # backends without RETURNING ids
        by_number = {c.number: c for c in Customer.objects.filter(company=company)}
    return by_number, len(created)


_NEW_INVOICE_FIELDS = ["customer_id", "number", "issue_date", "due_date", "amount", "open_amount", "currency",
                       "payment_reference", "status"]


def _insert_invoices(company, customers: dict, rows: list[InvoiceRow]) -> None:
    """New invoices as plain rows in bulk (a CRM export has tens of thousands)."""
    now = timezone.now()
    insert_rows(
        Invoice,
        _NEW_INVOICE_FIELDS,
        [[customers[row.customer_number].pk, row.number, row.issue_date, row.due_date, row.amount, row.amount,
          row.currency, row.payment_reference, invoice_status(row.amount, row.amount)] for row in rows],
        same={"company_id": company.pk, "created_at": now, "updated_at": now},
    )


def _update_invoice(invoice: Invoice, customer, row: InvoiceRow) -> bool:
    """Apply the CRM's current data; payments already received stay received."""
    paid = invoice.amount - invoice.open_amount
    values = {
        "customer_id": customer.pk,  # the id: comparing `customer` would load each invoice's
        "issue_date": row.issue_date,
        "due_date": row.due_date,
        "amount": row.amount,
        "open_amount": row.amount - paid,
        "currency": row.currency,
        "payment_reference": row.payment_reference,
    }
    values["status"] = invoice_status(values["amount"], values["open_amount"])
    changed = any(getattr(invoice, k) != v for k, v in values.items())
    for key, value in values.items():
        setattr(invoice, key, value)
    return changed


def invoice_create(company: Company, *, customer: Customer, number: str, amount: Decimal, due_date: date,
                   issue_date: date, currency: str = "EUR", payment_reference: str = "", user: User | None,
                   via: str = "worker") -> Invoice:
    """One open invoice Kassenwart issues itself (a collection plan's licence fee), so its
    collection reconciles like any invoice. Runs in the caller's transaction: an invoice
    number the company already has raises IntegrityError and rolls the caller back."""
    invoice = Invoice.objects.create(
        company=company, customer=customer, number=number, issue_date=issue_date, due_date=due_date, amount=amount,
        open_amount=amount, currency=currency, payment_reference=payment_reference,
        status=invoice_status(amount, amount))
    record("invoice.created", invoice, company=company, user=user, via=via,
           after={"number": number, "customer": customer.number, "amount": str(amount),
                  "due_date": due_date.isoformat()})
    return invoice
