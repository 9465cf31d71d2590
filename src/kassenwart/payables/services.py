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
from django.db.models import F
from django.utils.translation import gettext as _

from kassenwart.companies import permissions
from kassenwart.companies.models import Company
from kassenwart.companies.selectors import role_in
from kassenwart.core.audit import audit_event, record, record_all
from kassenwart.core.messages import message, render
from kassenwart.core.models import User
from kassenwart.payables.models import Bill, BillFile
from kassenwart.payables.readers import CREDIT_NOTE, BillRefused, ReadBill, read_bill

IMPORTED = "imported"
DUPLICATE = "duplicate"
REFUSED = "refused"
# Large enough for any e-invoice with its PDF; a bigger upload is refused before reading.
MAX_BYTES = 20 * 1024 * 1024


# The IBANs a company paid each of these supplier names to before, by the name as given
# (flows.bills.paid_ibans: the payments app is a layer above).
PaidIbans = Callable[[Company, set[str]], dict[str, set[str]]]


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

    def as_dict(self) -> dict:
        """What one file's import says (`import-bill --json`, the API's upload): file, status,
        supplier, iban, bic, amount (payable), currency, invoice_number, due_date, skonto_date,
        skonto_amount, flags, message, and the bill's kind and id (null for a refused file)."""
        bill = self.bill
        fields = {"file": self.file, "status": self.status, "supplier": None, "iban": None, "bic": None,
                  "amount": None, "currency": None, "invoice_number": None, "due_date": None, "skonto_date": None,
                  "skonto_amount": None, "flags": [], "message": "; ".join(render(stored) for stored in self.messages),
                  "kind": None, "id": None}
        if bill is not None:
            fields.update(
                supplier=bill.supplier_name, iban=bill.iban, bic=bill.bic, amount=str(bill.amount), currency=bill.currency,
                invoice_number=bill.invoice_number, due_date=bill.due_date.isoformat() if bill.due_date else None,
                skonto_date=bill.skonto_date.isoformat() if bill.skonto_date else None,
                skonto_amount=str(bill.skonto_amount) if bill.skonto_amount is not None else None,
                flags=bill.flag_codes, kind=bill.kind, id=bill.pk)
        return fields


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
                paid_ibans: PaidIbans | None = None) -> BillImportResult:
    """One file into a bill: `bills_import` of that file alone."""
    return bills_import(company, [(file_name, data)], user=user, via=via, paid_ibans=paid_ibans)[0]


def bills_import(company: Company, files: Iterable[tuple[str, bytes]], *, user: User | None, via: str = "web",
                 paid_ibans: PaidIbans | None = None) -> list[BillImportResult]:
    """Read files (name, content) into bills; one result per file, in their order.

    Refusals (an unreadable or invalid file) write nothing and come back as status "refused"
    with the element path and rule; a known supplier invoice number, or the very same file, comes
    back as "duplicate" with the bill there already (also when both are in `files`). The files
    are written BATCH at a time, each batch in one transaction with one look-up of the bills
    known and one of the suppliers' IBAN history: a batch is written whole or not at all, and a
    bill never without its file and its audit event."""
    _may(company, user, permissions.DRAFT_TRANSFER)
    results: list[BillImportResult] = []
    batch: list[_Read] = []
    for file_name, data in files:
        read = _read(file_name, data)
        if isinstance(read, BillImportResult):
            results.append(read)
            continue
        read.position = len(results)
        results.append(None)  # its place, filled when its batch is written
        batch.append(read)
        if len(batch) == BATCH:
            _write(company, batch, results, user=user, via=via, paid_ibans=paid_ibans)
            batch = []
    _write(company, batch, results, user=user, via=via, paid_ibans=paid_ibans)
    return results


# Bills written in one transaction: few commits, and a batch's files (20 MB at most each) in memory.
BATCH = 100


@dataclass
class _Read:
    """A file read, to be written as a bill, or found a duplicate, with its batch."""

    file_name: str
    data: bytes
    read: ReadBill
    key: str
    kind: str
    sha: str
    position: int = 0  # among the files of the import
    new: bool = False  # to be written (not a duplicate)
    bill: Bill | None = None  # written, or the one there already
    same_as: _Read | None = None  # a file before it in the batch with its number or content

    @property
    def number_key(self) -> tuple[str, str, str] | None:
        return (self.key, self.kind, self.read.invoice_number) if self.read.invoice_number else None


def _read(file_name: str, data: bytes) -> _Read | BillImportResult:
    if len(data) > MAX_BYTES:
        return _refused(file_name, BillRefused("", "too-large", f"larger than {MAX_BYTES // (1024 * 1024)} MB"))
    try:
        read = read_bill(data)
    except BillRefused as refused:
        return _refused(file_name, refused)
    return _Read(file_name, data, read, supplier_key(read.seller.vat_id, read.seller.name),
                 Bill.Kind.CREDIT_NOTE if read.kind == CREDIT_NOTE else Bill.Kind.INVOICE,
                 hashlib.sha256(data).hexdigest())


def _write(company, batch: list[_Read], results: list, *, user, via, paid_ibans) -> None:
    if not batch:
        return
    try:
        with transaction.atomic():
            answers = _write_batch(company, batch, user=user, via=via, paid_ibans=paid_ibans)
    except IntegrityError:
        # Someone else imported one of these bills meanwhile: one at a time, each decided again
        # (the one imported meanwhile is then a duplicate).
        if len(batch) > 1:
            for single in batch:
                _write(company, [single], results, user=user, via=via, paid_ibans=paid_ibans)
            return
        item = batch[0]
        known = _known(company, [item])
        found = known.get(item.number_key) or known.get(item.sha)
        if found is None:
            raise
        answers = [_duplicate(item, found)]
    for item, answer in zip(batch, answers, strict=True):
        results[item.position] = answer


def _write_batch(company, batch: list[_Read], *, user, via, paid_ibans) -> list[BillImportResult]:
    """The batch's bills, files and audit events (inside the caller's transaction)."""
    known = _known(company, batch)
    first: dict = {}  # number or content -> the file of this batch that brings it first
    new = []
    for item in batch:
        item.new, item.same_as = False, None  # decided anew when a batch is written again one by one
        item.bill = known.get(item.number_key) or known.get(item.sha)
        same = first.get(item.number_key) or first.get(item.sha)
        if item.bill is None and same is None:
            item.new = True
            new.append(item)
            first.setdefault(item.sha, item)
            if item.number_key:
                first.setdefault(item.number_key, item)
        elif item.bill is None:
            item.same_as = same
    flags = _flags(company, new, paid_ibans)
    files = BillFile.objects.bulk_create([
        BillFile(company=company, sha256=item.sha, file_name=item.file_name[:255], content=item.data,
                 size=len(item.data)) for item in new])
    bills = Bill.objects.bulk_create([_bill(company, item, stored, item_flags, user)
                                      for item, stored, item_flags in zip(new, files, flags, strict=True)])
    for item, bill in zip(new, bills, strict=True):
        item.bill = bill
    events, answers = [], []
    for item in batch:
        if item.new:
            events.append(audit_event("bill.imported", item.bill, company=company, user=user, via=via,
                                      after=_audit(item.bill, item.file_name)))
            answers.append(BillImportResult(item.file_name, IMPORTED, item.bill, item.read, [
                message("payables.flag." + flag["code"], **flag["params"]) for flag in item.bill.flags]))
            continue
        if item.same_as is not None:
            item.bill = item.same_as.bill
        events.append(audit_event("bill.duplicate_seen", item.bill, company=company, user=user, via=via,
                                  after={"file_name": item.file_name, "sha256": item.sha}))
        answers.append(_duplicate(item, item.bill))
    record_all(events)
    return answers


def _bill(company, item: _Read, stored: BillFile, flags: list[dict], user) -> Bill:
    read, term = item.read, item.read.skonto_term
    return Bill(
        company=company, kind=item.kind, syntax=read.syntax, supplier_name=read.seller.name[:255],
        supplier_key=item.key[:255], supplier_vat_id=read.seller.vat_id[:32], iban=read.iban[:34], bic=read.bic[:11],
        invoice_number=read.invoice_number[:140], payment_reference=read.payment_reference[:140],
        issue_date=read.issue_date, due_date=read.due_date, amount=read.payable, currency=read.currency,
        skonto_percent=term.percent if term else None, skonto_days=term.days if term else None,
        skonto_date=read.skonto_date, skonto_amount=read.skonto_amount,
        status=Bill.Status.CREDIT if item.kind == Bill.Kind.CREDIT_NOTE else Bill.Status.OPEN,
        flags=flags, details=readable(read), file_id=stored.pk, created_by=user,
    )


def _refused(file_name: str, refused: BillRefused) -> BillImportResult:
    return BillImportResult(file_name, REFUSED, messages=[
        message("payables.refused", path=refused.path, rule=refused.rule, detail=refused.detail)])


def _duplicate(item: _Read, known: Bill) -> BillImportResult:
    return BillImportResult(item.file_name, DUPLICATE, known, item.read, [
        message("payables.duplicate", supplier=known.supplier_name, number=known.invoice_number, id=known.pk)])


def _known(company, batch: list[_Read]) -> dict:
    """The bills there already, by (supplier key, kind, invoice number) and by file content:
    two index look-ups for the whole batch."""
    numbers = {item.number_key for item in batch if item.number_key}
    known = {}
    if numbers:
        for bill in Bill.objects.filter(company=company, supplier_key__in={key for key, _kind, _no in numbers},
                                        invoice_number__in={number for _key, _kind, number in numbers}):
            if (bill.supplier_key, bill.kind, bill.invoice_number) in numbers:
                known[bill.supplier_key, bill.kind, bill.invoice_number] = bill
    for bill in Bill.objects.filter(company=company, file__sha256__in={item.sha for item in batch}).annotate(
            sha=F("file__sha256")):
        known.setdefault(bill.sha, bill)
    return known


def _flags(company, batch: list[_Read], paid_ibans: PaidIbans | None) -> list[list[dict]]:
    """Each bill's flags: no IBAN to pay to, or an IBAN other than those this supplier was paid
    to before (its bills drafted or paid, and `paid_ibans` by name), asked once for the batch."""
    keys = {item.key for item in batch if item.read.iban}
    drafted: dict[str, set[str]] = {}
    if keys:
        for key, iban in (Bill.objects.filter(company=company, supplier_key__in=keys,
                                            status__in=[Bill.Status.DRAFTED, Bill.Status.PAID])
                          .exclude(iban="").order_by().values_list("supplier_key", "iban").distinct()):
            drafted.setdefault(key, set()).add(iban)
    names = {item.read.seller.name for item in batch if item.read.iban}
    paid = paid_ibans(company, names) if paid_ibans is not None and names else {}
    flags = []
    for item in batch:
        read = item.read
        if not read.iban:
            flags.append([{"code": Bill.FLAG_NO_IBAN, "params": {}}] if read.kind != CREDIT_NOTE else [])
            continue
        known = drafted.get(item.key, set()) | {iban.replace(" ", "").upper()
                                                for iban in paid.get(read.seller.name, ())}
        if known and read.iban not in known:
            flags.append([{"code": Bill.FLAG_IBAN_CHANGED,
                           "params": {"iban": read.iban, "known": ", ".join(sorted(known))}}])
        else:
            flags.append([])
    return flags


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
