"""Booked transactions (filters, and `since` for incremental sync) and statement files
(upload through the same import as the web's, and the past imports)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile

from kassenwart import flows
from kassenwart.api.auth import token
from kassenwart.api.errors import invalid, not_found, responses
from kassenwart.api.paging import Paging, page, paged
from kassenwart.api.routers.reconciliation import ReconciliationStatus
from kassenwart.api.schemas import MAX_ID, Id, IsoDate, Money, choices
from kassenwart.banking import selectors
from kassenwart.banking.models import StatementImport
from kassenwart.banking.services import statement_import
from kassenwart.companies.permissions import IMPORT_STATEMENT, VIEW
from kassenwart.reconciliation.selectors import transactions_with_state

transactions = Router()
statements = Router()
ImportStatus = choices("ImportStatus", StatementImport.Status)


class TransactionOut(Schema):
    id: int
    account_id: int
    booking_date: date | None
    value_date: date | None
    amount: Money
    currency: str
    counterparty_name: str
    counterparty_iban: str
    counterparty_bic: str
    remittance: str
    structured_reference: str
    end_to_end_id: str
    mandate_id: str
    creditor_id: str
    bank_reference: str
    return_reason: str
    reversal: bool
    statement_import_id: int
    reconciliation_status: ReconciliationStatus | None = Field(description="null for money out and before "
                                                                           "matching saw it")


class TransactionFilters(Paging):
    account_id: Id | None = None
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    amount_min: Decimal | None = Field(None, max_digits=15, decimal_places=2,
                                       description="signed: money out is negative")
    amount_max: Decimal | None = Field(None, max_digits=15, decimal_places=2)
    direction: Literal["credit", "debit"] | None = None
    matched: bool | None = None
    since: str | None = Field(None, max_length=40, description="only transactions after this: the id of the last "
                              "one seen, or the time of the last sync (ISO 8601, imported since then)")


def _since(value: str | None) -> dict:
    if not value:
        return {}
    if value.isascii() and value.isdigit():
        if len(value) > 18:
            raise invalid("since", _("Give the id of a transaction or a time like 2026-07-21T10:00:00+02:00."))
        return {"pk__gt": int(value)}
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise invalid("since", _("Give the id of a transaction or a time like 2026-07-21T10:00:00+02:00."))
    if moment.tzinfo is None:
        raise invalid("since", _("Give the time with its offset, like 2026-07-21T10:00:00+02:00."))
    return {"statement_import__created_at__gte": moment}


@transactions.get("", response=responses({200: paged(TransactionOut)}), auth=token(VIEW))
def transaction_list(request, filters: Query[TransactionFilters]):
    """Booked transactions in the order they were stored. For an incremental sync pass the id of
    the last transaction seen as `since` (or page on with `next_cursor`)."""
    found = transactions_with_state(
        request.auth.company, account_id=filters.account_id, direction=filters.direction,
        date_from=filters.date_from, date_to=filters.date_to, amount_from=filters.amount_min,
        amount_to=filters.amount_max, matched=filters.matched).filter(**_since(filters.since))
    return page(request, found, filters)


@transactions.get("/{transaction_id}", response=responses({200: TransactionOut}, 404), auth=token(VIEW))
def transaction_get(request, transaction_id: Id):
    found = transactions_with_state(request.auth.company).filter(pk=transaction_id).first()
    if found is None:
        raise not_found()
    return found


class ImportOut(Schema):
    id: int
    file_name: str
    format: str
    status: ImportStatus = Field(description="duplicate: nothing new")
    source: str
    added: int
    duplicates: int
    pending: int
    balance_ok: bool | None
    messages: list[str] = Field(description="what the import did or why it was refused, in the caller's language")
    warnings: list[str]
    created_at: datetime


def _import_out(record) -> dict:
    return {
        "id": record.pk, "file_name": record.file_name, "format": record.format, "status": record.status,
        "source": record.source, "added": record.added, "duplicates": record.duplicates, "pending": record.pending,
        "balance_ok": record.balance_ok, "messages": record.wordings(), "warnings": record.warning_wordings(),
        "created_at": record.created_at,
    }


@statements.post("", response=responses({200: ImportOut}, 404), auth=token(IMPORT_STATEMENT))
def statement_upload(request, file: File[UploadedFile], account_id: int | None = Form(None, ge=1, le=MAX_ID)):
    """Import a statement file (camt.052/053/054, MT940, bank CSV) as the web's upload does. A
    file that cannot be imported is answered too, with status "refused" and the reason."""
    account = None
    if account_id is not None:
        account = selectors.company_account(request.auth.company, account_id)
        if account is None:
            raise not_found()
    result = statement_import(request.auth.company, file, file_name=file.name or "", user=request.auth.user,
                              via="api", account=account)
    if result.added:
        flows.after_import(request.auth.company.pk)
    return _import_out(selectors.statement_imports_by_id(request.auth.company, [result.import_id])[0])


@statements.get("", response=responses({200: paged(ImportOut)}), auth=token(VIEW))
def statement_list(request, paging: Query[Paging]):
    return page(request, selectors.statement_imports(request.auth.company), paging, _import_out)


@statements.get("/{import_id}", response=responses({200: ImportOut}, 404), auth=token(VIEW))
def statement_get(request, import_id: Id):
    found = selectors.statement_imports_by_id(request.auth.company, [import_id])
    if not found:
        raise not_found()
    return _import_out(found[0])

