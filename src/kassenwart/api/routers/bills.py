"""Bills to pay: received e-invoices (XRechnung UBL or CII, ZUGFeRD / Factur-X PDFs) and
GiroCodes uploaded as the web's upload and `import-bill` take them, the list with filters, one
bill with its flags and the readable e-invoice, its original file, and the transfer drafted
from it (flows.bills). Access as the web's bill pages: reading needs a read token, uploading
and drafting a write token whose user may draft transfers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from kassenwart.api.auth import token
from kassenwart.api.errors import ApiError, forbidden, invalid, not_found, responses
from kassenwart.api.paging import Paging, page, paged

# the payments router's own answers for an order and for payments' refusals
from kassenwart.api.routers.payments import REFUSED, OrderOut, _order, _order_out, refusal
from kassenwart.api.schemas import Id, IsoDate, Money, choices
from kassenwart.banking.selectors import company_account
from kassenwart.companies.permissions import DRAFT_TRANSFER, VIEW
from kassenwart.core.downloads import attachment
from kassenwart.core.messages import render
from kassenwart.flows.bills import bill_draft_transfer, bills_import
from kassenwart.payables import selectors
from kassenwart.payables.models import Bill
from kassenwart.payables.services import BillError

router = Router()
MAX_FILES = 100  # files in one upload (Django refuses more in one request anyway)
BillStatus = choices("BillStatus", Bill.Status)
BillKind = choices("BillKind", Bill.Kind)
BillSyntax = choices("BillSyntax", Bill.Syntax)


class ImportedOut(Schema):
    """One file of an upload, as `kassenwart import-bill --json` prints it."""

    file: str
    status: str = Field(description="imported, duplicate (the bill there already) or refused")
    supplier: str | None
    iban: str | None
    bic: str | None
    amount: Money | None = Field(description="the amount payable")
    currency: str | None
    invoice_number: str | None = Field(description="for a GiroCode its remittance text")
    due_date: date | None
    skonto_date: date | None
    skonto_amount: Money | None
    flags: list[str] = Field(description="iban_changed, no_iban")
    message: str = Field(description="why it was refused, what it duplicates or what it flags, in the caller's "
                                     "language")
    kind: BillKind | None
    id: int | None = Field(description="the bill made, or the one there already; null when refused")


class UploadOut(Schema):
    items: list[ImportedOut]


class FlagOut(Schema):
    code: str = Field(description="iban_changed (differs from the IBAN this supplier was paid to before), no_iban")
    message: str


class BillOut(Schema):
    id: int
    kind: BillKind
    syntax: BillSyntax
    status: BillStatus = Field(description="open (to pay), drafted (a transfer drafted), paid (its transfer "
                                           "accepted, booked or exported), credit (a credit note to set off), "
                                           "offset (set off)")
    supplier: str
    supplier_vat_id: str
    iban: str
    bic: str
    invoice_number: str
    payment_reference: str
    issue_date: date | None
    due_date: date | None
    amount: Money = Field(description="the amount payable")
    currency: str
    skonto_percent: str | None
    skonto_days: int | None
    skonto_date: date | None = Field(description="the last day the Skonto may be taken")
    skonto_amount: Money | None = Field(description="the amount to pay with Skonto")
    flags: list[FlagOut]
    order_id: int | None = Field(description="the transfer order drafted from the bill")
    paid_on: date | None = Field(description="the day its transfer was executed, once the bill is paid")
    transfer_amount: Money | None
    file_name: str
    file_size: int
    created_at: datetime


class BillDetailOut(BillOut):
    details: dict[str, Any] = Field(description="the readable e-invoice: seller, buyer, lines, taxes, totals, "
                                                "payment_terms, profile, notes, skonto")


class BillFilters(Paging):
    status: BillStatus | None = Field(None, description="all when left out")
    supplier: str | None = Field(None, max_length=200, description="part of the supplier's name")
    due_by: IsoDate | None = Field(None, description="due on or before this day")
    kind: BillKind | None = None


class DraftIn(Schema):
    account_id: Id = Field(..., description="the euro account the transfer is paid from")


def _flags(bill: Bill) -> list[dict]:
    return [{"code": flag["code"], "message": render({"key": f"payables.flag.{flag['code']}",
                                                      "params": flag["params"]})} for flag in bill.flags]


def _bill_out(bill: Bill) -> dict:
    return {
        **{name: getattr(bill, name) for name in (
            "id", "kind", "syntax", "status", "supplier_vat_id", "iban", "bic", "invoice_number", "payment_reference",
            "issue_date", "due_date", "amount", "currency", "skonto_days", "skonto_date", "skonto_amount",
            "order_id", "paid_on", "transfer_amount", "created_at")},
        "supplier": bill.supplier_name, "flags": _flags(bill), "file_name": bill.file.file_name,
        "file_size": bill.file.size,
        "skonto_percent": str(bill.skonto_percent) if bill.skonto_percent is not None else None,
    }


def _bills(request, **filters):
    """The company's bills with their file's name and size (not its content)."""
    return selectors.bills_of(request.auth.company, **filters).select_related("file").defer("file__content")


def _bill(request, bill_id: int) -> Bill:
    bill = _bills(request).filter(pk=bill_id).first()
    if bill is None:
        raise not_found()
    return bill


@router.post("", response=responses({200: UploadOut}), auth=token(DRAFT_TRANSFER))
def bill_upload(request, files: File[list[UploadedFile]]):
    """Import one or several bill files (multipart, each as `files`): XRechnung (UBL or CII),
    ZUGFeRD / Factur-X PDFs, GiroCodes in a picture or on a PDF page. Every file is answered, in
    the order sent: imported, duplicate, or refused with the reason (element path and rule)."""
    if len(files) > MAX_FILES:
        raise invalid("files", _("Upload at most %(count)d files at once.") % {"count": MAX_FILES}, "too_many")
    try:
        results = bills_import(request.auth.company, [(upload.name or "", upload.read()) for upload in files],
                               user=request.auth.user, via="api")
    except BillError:  # the role of the token's user
        raise forbidden()
    return {"items": [result.as_dict() for result in results]}


@router.get("", response=responses({200: paged(BillOut)}), auth=token(VIEW))
def bill_list(request, filters: Query[BillFilters]):
    """Bills in the order they were imported."""
    found = _bills(request, status=filters.status, supplier=filters.supplier or "", due_by=filters.due_by,
                   kind=filters.kind)
    return page(request, found, filters, _bill_out)


@router.get("/{bill_id}", response=responses({200: BillDetailOut}, 404), auth=token(VIEW))
def bill_get(request, bill_id: Id):
    bill = _bill(request, bill_id)
    return {**_bill_out(bill), "details": bill.details}


@router.get("/{bill_id}/file", response=responses({}, 404), auth=token(VIEW), openapi_extra={"responses": {
    200: {"description": "The file as it was uploaded, byte for byte",
          "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}})
def bill_file(request, bill_id: Id):
    """The original file, byte for byte as it came."""
    bill = _bill(request, bill_id)
    return attachment(bytes(bill.file.content), bill.file.file_name, "application/octet-stream",
                      fallback=f"bill-{bill.pk}")


@router.post("/{bill_id}/draft", response=responses({201: OrderOut}, 404, 409), auth=token(DRAFT_TRANSFER))
def bill_draft(request, bill_id: Id, body: DraftIn):
    """A transfer draft for an open bill, as the web's "Draft transfer": the Skonto amount while
    it may be taken, less the supplier's unused credit notes, planned for the last Skonto day
    (else the due date). Then the order's four-eyes flow (/payments/{order_id}/submit ...). 409
    `not_payable` when the bill cannot be paid so (drafted already, a credit note, no IBAN, not
    in euros)."""
    bill = _bill(request, bill_id)
    account = company_account(request.auth.company, body.account_id)
    if account is None:
        raise invalid("account_id", _("Choose one of your accounts."), "not_found")
    try:
        order = bill_draft_transfer(bill, user=request.auth.user, account=account, via="api")
    except BillError as error:
        raise ApiError(409, "not_payable", str(error))
    except REFUSED as error:
        raise refusal(error)
    return Status(201, _order_out(_order(request, order.pk)))
