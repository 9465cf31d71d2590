"""Use cases of bills: importing a received bill, and noting the transfer drafted from it.

`bill_import` reads a file (readers/, pure), keeps it unchanged, and makes a bill, unless the
supplier's invoice number is known already: then the result is "duplicate" and no second bill
is made. An IBAN other than those this supplier was paid to before is flagged; what "paid
before" means needs the payments app, a layer above, so the caller passes it in
(`paid_ibans`, see flows.bills). The transfer draft itself is made in flows.bills, which calls
payments and then `bill_mark_drafted` here, in one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kassenwart.companies import permissions
from kassenwart.companies.models import Company
from kassenwart.companies.selectors import role_in
from kassenwart.core.audit import record
from kassenwart.core.messages import message
from kassenwart.core.models import User
from kassenwart.payables.models import Bill, BillFile
from kassenwart.payables.readers import CREDIT_NOTE, BillRefused, ReadBill, read_bill

IMPORTED = "imported"
DUPLICATE = "duplicate"
REFUSED = "refused"
# Large enough for any e-invoice with its PDF; a bigger upload is refused before reading.
MAX_BYTES = 20 * 1024 * 1024


class BillError(Exception):
    """A step on a bill that cannot be done (its state, the role, a missing IBAN)."""


@dataclass
class BillImportResult:
    file: str
    status: str  # imported, duplicate, refused
    bill: Bill | None = None
    read: ReadBill | None = None
    messages: list[dict] = field(default_factory=list)  # stored messages (core.messages)

    @property
    def refused(self) -> bool:
        return self.status == REFUSED


def supplier_key(vat_id: str, name: str) -> str:
    """Who a supplier is: the VAT id when the bill has one, else the name without case and
    spacing (a GiroCode names only the payee)."""
    if vat_id.strip():
        return "vat:" + vat_id.replace(" ", "").upper()
    return "name:" + " ".join(name.casefold().split())


def _may(company: Company, user: User | None, permission: str) -> None:
    if user is not None and not permissions.allows(role_in(company, user), permission):
        raise BillError(_("Your role does not allow this."))


def bill_import(company: Company, data: bytes, *, file_name: str, user: User | None, via: str = "web",
                paid_ibans: Callable[[Company, str, str], Iterable[str]] | None = None) -> BillImportResult:
    """Read one file into a bill. Refusals (an unreadable or invalid file) write nothing and
    come back as status "refused" with the element path and rule; a known supplier invoice
    number comes back as "duplicate" with the bill there already."""
    _may(company, user, permissions.DRAFT_TRANSFER)
    if len(data) > MAX_BYTES:
        return _refused(file_name, BillRefused("", "too-large", f"larger than {MAX_BYTES // (1024 * 1024)} MB"))
    try:
        read = read_bill(data)
    except BillRefused as refused:
        return _refused(file_name, refused)
    key = supplier_key(read.seller.vat_id, read.seller.name)
    kind = Bill.Kind.CREDIT_NOTE if read.kind == CREDIT_NOTE else Bill.Kind.INVOICE
    sha = hashlib.sha256(data).hexdigest()
    try:
        with transaction.atomic():
            known = _known(company, key, kind, read.invoice_number, sha)
            if known is not None:
                record("bill.duplicate_seen", known, company=company, user=user, via=via,
                       after={"file_name": file_name, "sha256": sha})
                return _duplicate(file_name, known, read)
            # No bill has this content (checked above), and a file is kept only with its bill.
            stored = BillFile.objects.create(company=company, sha256=sha, file_name=file_name[:255], content=data,
                                             size=len(data))
            flags = _flags(company, key, read, paid_ibans)
            term = read.skonto_term
            bill = Bill.objects.create(
                company=company, kind=kind, syntax=read.syntax, supplier_name=read.seller.name[:255],
                supplier_key=key[:255], supplier_vat_id=read.seller.vat_id[:32], iban=read.iban[:34],
                bic=read.bic[:11], invoice_number=read.invoice_number[:140],
                payment_reference=read.payment_reference[:140], issue_date=read.issue_date, due_date=read.due_date,
                amount=read.payable, currency=read.currency, skonto_percent=term.percent if term else None,
                skonto_days=term.days if term else None, skonto_date=read.skonto_date,
                skonto_amount=read.skonto_amount,
                status=Bill.Status.CREDIT if kind == Bill.Kind.CREDIT_NOTE else Bill.Status.OPEN,
                flags=flags, details=readable(read), file=stored, created_by=user,
            )
            record("bill.imported", bill, company=company, user=user, via=via, after=_audit(bill, file_name))
    except IntegrityError:  # the same bill imported at the same moment by someone else
        known = _known(company, key, kind, read.invoice_number, sha)
        if known is None:
            raise
        return _duplicate(file_name, known, read)
    return BillImportResult(file_name, IMPORTED, bill, read,
                            [message("payables.flag." + flag["code"], **flag["params"]) for flag in flags])


def _refused(file_name: str, refused: BillRefused) -> BillImportResult:
    return BillImportResult(file_name, REFUSED, messages=[
        message("payables.refused", path=refused.path, rule=refused.rule, detail=refused.detail)])


def _duplicate(file_name: str, known: Bill, read: ReadBill) -> BillImportResult:
    return BillImportResult(file_name, DUPLICATE, known, read, [
        message("payables.duplicate", supplier=known.supplier_name, number=known.invoice_number, id=known.pk)])


def _known(company, key, kind, number, sha) -> Bill | None:
    """The bill there already: the supplier's invoice number, or the very same file."""
    same = Q(file_id__in=BillFile.objects.filter(company=company, sha256=sha).values("pk"))
    if number:
        same |= Q(supplier_key=key, kind=kind, invoice_number=number)
    found = list(Bill.objects.filter(same, company=company).order_by()[:1])
    return found[0] if found else None


def _flags(company, key: str, read: ReadBill, paid_ibans) -> list[dict]:
    if not read.iban:
        return [{"code": Bill.FLAG_NO_IBAN, "params": {}}] if read.kind != CREDIT_NOTE else []
    known = set(Bill.objects.filter(company=company, supplier_key=key, status=Bill.Status.DRAFTED)
                .exclude(iban="").order_by().values_list("iban", flat=True).distinct())
    if paid_ibans is not None:
        known |= {iban.replace(" ", "").upper() for iban in paid_ibans(company, key, read.seller.name)}
    if known and read.iban not in known:
        return [{"code": Bill.FLAG_IBAN_CHANGED, "params": {"iban": read.iban, "known": ", ".join(sorted(known))}}]
    return []


def readable(read: ReadBill) -> dict:
    """What the bill's page shows of the e-invoice: plain JSON (amounts as strings)."""

    def plain(value):
        if isinstance(value, dict):
            return {name: plain(inner) for name, inner in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(inner) for inner in value]
        if isinstance(value, Decimal):
            return str(value)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value

    data = asdict(read)
    return plain({name: data[name] for name in ("seller", "buyer", "lines", "taxes", "totals", "payment_terms",
                                                "profile", "notes", "skonto")})


def _audit(bill: Bill, file_name: str) -> dict:
    return {"file_name": file_name, "supplier": bill.supplier_name, "invoice_number": bill.invoice_number,
            "iban": bill.iban, "amount": str(bill.amount), "currency": bill.currency, "kind": bill.kind,
            "flags": bill.flag_codes}


def open_credits(bill: Bill) -> list[Bill]:
    """The supplier's credit notes not yet used, oldest first, in the bill's currency."""
    return list(Bill.objects.select_for_update().filter(
        company=bill.company_id, supplier_key=bill.supplier_key, kind=Bill.Kind.CREDIT_NOTE,
        status=Bill.Status.CREDIT, currency=bill.currency).order_by("issue_date", "id"))


def bill_mark_drafted(bill: Bill, *, order_id: int, transfer_id: int | None, amount: Decimal, credits: list[Bill],
                      user: User | None, via: str = "web") -> None:
    """The bill is being paid by transfer `transfer_id` of order `order_id` (amount after Skonto
    and credit notes); the credit notes used are set off against it. Called inside the
    transaction that made the order. A bill to pay again (its earlier transfer did not pay it)
    is drafted the same way."""
    updated = Bill.objects.filter(pk=bill.pk, status=Bill.Status.OPEN).update(
        status=Bill.Status.DRAFTED, order_id=order_id, transfer_id=transfer_id, transfer_amount=amount, paid_on=None)
    if updated != 1:
        raise BillError(_("The bill is no longer open; reload the page."))
    for credit in credits:
        Bill.objects.filter(pk=credit.pk, status=Bill.Status.CREDIT).update(status=Bill.Status.OFFSET,
                                                                             offset_bill=bill)
    before = {"status": bill.status, "order_id": bill.order_id}
    bill.refresh_from_db()
    record("bill.drafted", bill, company=bill.company, user=user, via=via, before=before,
           after={"order_id": order_id, "amount": str(amount), "credit_notes": [c.pk for c in credits]})


# -- the bill follows its order (called by payments.state.transition, in its transaction) ----
def bills_paid(company: Company, order_id: int, *, on: date, user: User | None, via: str) -> list[Bill]:
    """Order `order_id` pays: the bank accepted it, the statement booked it, or its pain file
    went out. Its bills are paid (on `on`, the execution date); the credit notes set off against
    them stay used. A bill to pay again still naming this order is paid by it too (a rejection
    the statement later showed executed)."""
    bills = list(Bill.objects.select_for_update().filter(company=company, order_id=order_id,
                                                          status__in=[Bill.Status.DRAFTED, Bill.Status.OPEN]))
    for bill in bills:
        before = {"status": bill.status}
        Bill.objects.filter(pk=bill.pk).update(status=Bill.Status.PAID, paid_on=on)
        taken_again = _credits(bill, Bill.Status.CREDIT)
        Bill.objects.filter(pk__in=taken_again).update(status=Bill.Status.OFFSET)
        bill.status, bill.paid_on = Bill.Status.PAID, on
        record("bill.paid", bill, company=company, user=user, via=via, before=before,
               after={"status": bill.status, "order_id": order_id, "paid_on": on.isoformat(),
                      "credit_notes_set_off_again": taken_again})
    return bills


def bills_unpaid(company: Company, order_id: int, *, order_state: str, user: User | None, via: str) -> list[Bill]:
    """Order `order_id` will not pay (cancelled, rejected, or the money came back): its bills
    are to pay again, offered for a new draft, and the credit notes set off against them are
    free for it again. The bills keep naming the order until they are drafted again."""
    bills = list(Bill.objects.select_for_update().filter(company=company, order_id=order_id,
                                                          status__in=[Bill.Status.DRAFTED, Bill.Status.PAID]))
    for bill in bills:
        before = {"status": bill.status, "paid_on": bill.paid_on.isoformat() if bill.paid_on else None}
        Bill.objects.filter(pk=bill.pk).update(status=Bill.Status.OPEN, paid_on=None)
        # offset_bill stays: a late booking of this order sets them off again (bills_paid)
        freed = _credits(bill, Bill.Status.OFFSET)
        Bill.objects.filter(pk__in=freed).update(status=Bill.Status.CREDIT)
        bill.status, bill.paid_on = Bill.Status.OPEN, None
        record("bill.reopened", bill, company=company, user=user, via=via, before=before,
               after={"status": bill.status, "order_id": order_id, "order_state": order_state,
                      "credit_notes_freed": freed})
    return bills


def _credits(bill: Bill, status: str) -> list[int]:
    """The credit notes set off against `bill` (last), in `status`."""
    return list(Bill.objects.filter(offset_bill=bill, status=status).order_by("pk").values_list("pk", flat=True))


def bills_moved(company: Company, order_ids: list[int], *, into: int, user: User | None, via: str) -> None:
    """The transfers of orders `order_ids` went into the run `into`: their bills follow them."""
    for bill in Bill.objects.select_for_update().filter(company=company, order_id__in=order_ids,
                                                         status=Bill.Status.DRAFTED):
        Bill.objects.filter(pk=bill.pk).update(order_id=into)
        record("bill.moved", bill, company=company, user=user, via=via, before={"order_id": bill.order_id},
               after={"order_id": into})
