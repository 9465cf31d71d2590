"""Bills become transfers: the use cases that need both payables (the bill) and payments
(the order and its history), so they live here, above both (ARCHITECTURE.md, layers).

- `bill_import`, `bills_import`: payables' import, told which IBANs the supplier was paid to before (the
  payee IBANs of the company's transfers to that name that the bank accepted, booked or that
  were exported), so a changed IBAN is flagged for the approver.
- `bill_draft_transfer`: a transfer draft from an open bill: the Skonto amount when it is
  still to be had, less the supplier's unused credit notes; remittance the payment reference
  or the invoice number; executed on the last business day of the Skonto period, else on the
  due date (never before today). From there the usual four-eyes flow of payments runs, and
  the bill follows its order (payments.state.bills_follow): paid, or to pay again, when it is
  drafted again the same way.
- `bills_gather_run`: the open bills whose Skonto or due date falls within the next days
  become one run of transfers from one account (one approval, one TAN), each planned as
  above; those that cannot be paid so are skipped, each with its reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, CharField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.banking.models import BankAccount
from kassenwart.companies.models import Company
from kassenwart.core.business_days import is_business_day, next_business_day
from kassenwart.core.models import User
from kassenwart.payables import selectors as bill_selectors
from kassenwart.payables import services as payables
from kassenwart.payables.models import Bill
from kassenwart.payables.services import BillError, BillImportResult
from kassenwart.payments import services as payments
from kassenwart.payments.models import PaymentOrder, Transfer
from kassenwart.payments.state import PAYING

PAID_STATES = list(PAYING)


def paid_ibans(company: Company, names: set[str]) -> dict[str, set[str]]:
    """The IBANs the company paid each of these supplier names (the payee name, without regard
    to case) to before: one query for all of them (names that differ in case only share one
    answer)."""
    same = {}  # the name as compared -> the names given
    for name in names:
        same.setdefault(name.strip()[:70].casefold(), []).append(name)
    which = Case(*[When(payee_name__iexact=given[0].strip()[:70], then=Value(folded))
                   for folded, given in same.items()], output_field=CharField())
    found: dict[str, set[str]] = {}
    for folded, iban in (Transfer.objects.filter(order__company=company, order__state__in=PAID_STATES)
                         .annotate(supplier=which).exclude(supplier=None).order_by()
                         .values_list("supplier", "iban").distinct()):
        for name in same[folded]:
            found.setdefault(name, set()).add(iban)
    return found


def bill_import(company: Company, data: bytes, *, file_name: str, user: User | None,
                via: str = "web") -> BillImportResult:
    return payables.bill_import(company, data, file_name=file_name, user=user, via=via, paid_ibans=paid_ibans)


def bills_import(company: Company, files: Iterable[tuple[str, bytes]], *, user: User | None,
                 via: str = "web") -> list[BillImportResult]:
    """Several files (name, content) at once, in batches (payables.services.bills_import)."""
    return payables.bills_import(company, files, user=user, via=via, paid_ibans=paid_ibans)


@dataclass(frozen=True)
class TransferPlan:
    amount: Decimal
    requested_date: date
    remittance: str
    with_skonto: bool
    credits: list[Bill]


def transfer_plan(bill: Bill, today: date, credits: list[Bill]) -> TransferPlan:
    """What the transfer for `bill` will be on `today`; the credit notes used are those that
    fit into the amount, oldest first."""
    with_skonto = bill.skonto_date is not None and bill.skonto_amount is not None and today <= bill.skonto_date
    amount = bill.skonto_amount if with_skonto else bill.amount
    if with_skonto:
        planned = _last_business_day(bill.skonto_date, today)
    elif bill.due_date is not None and bill.due_date > today:
        planned = _last_business_day(bill.due_date, today)
    else:
        planned = next_business_day(today)
    used = []
    for credit in credits:
        if credit.amount < amount:
            amount -= credit.amount
            used.append(credit)
    remittance = (bill.payment_reference or bill.invoice_number)[:140]
    return TransferPlan(amount, planned, remittance, with_skonto, used)


def _last_business_day(day: date, today: date) -> date:
    """The business day on or before `day` (paying early keeps the Skonto), not before today."""
    while day > today and not is_business_day(day):
        day -= timedelta(days=1)
    return next_business_day(max(day, today))


def bill_draft_transfer(bill: Bill, *, user: User, account: BankAccount, via: str = "web") -> PaymentOrder:
    """A transfer draft for an open bill (see the module's docstring); the bill is "drafted"
    and keeps the order's id. Raises BillError, or payments' PaymentInvalid / NotAllowed."""
    bill.refresh_from_db()  # as it is now: its transfer may have been cancelled meanwhile
    if bill.kind != Bill.Kind.INVOICE:
        raise BillError(_("A credit note is not paid out; it reduces the next transfer to this supplier."))
    if bill.status != Bill.Status.OPEN:
        raise BillError(_("The bill is no longer open; reload the page."))
    if not bill.iban:
        raise BillError(_("The bill names no IBAN to pay to."))
    if bill.currency != "EUR" or account.currency != "EUR":
        raise BillError(_("Only bills in euros can be paid by SEPA transfer."))
    with transaction.atomic():
        plan = transfer_plan(bill, timezone.localdate(), payables.open_credits(bill))
        order = payments.order_create(
            bill.company, user=user, account=account, requested_date=plan.requested_date, via=via,
            transfers=[payments.TransferInput(payee_name=bill.supplier_name[:70], iban=bill.iban, bic=bill.bic,
                                              amount=plan.amount, remittance=plan.remittance)])
        payables.bill_mark_drafted(bill, order_id=order.pk, transfer_id=order.transfers.get().pk, amount=plan.amount,
                                   credits=plan.credits, user=user, via=via)
    return order


# -- a payment run of the bills due ----------------------------------------------------------
GATHER_DAYS = 7
SKIP_NO_IBAN, SKIP_NOT_EURO, SKIP_DRAFTED = "no_iban", "not_euro", "drafted"


@dataclass
class GatheredRun:
    """The run made (None when no bill could go into one), the bills drafted into it, and the
    bills skipped with a code (SKIP_*) and its parameters."""

    order: PaymentOrder | None
    drafted: list[Bill]
    skipped: list[tuple[Bill, str, dict]]


def bills_gather_run(company: Company, *, user: User, account: BankAccount, days: int = GATHER_DAYS,
                     via: str = "web") -> GatheredRun:
    """One run of transfers, waiting for approval, of the open bills due within `days` (their
    Skonto date from today, or their due date, overdue included); each transfer as
    `transfer_plan` has it (the Skonto amount while it is to be had, the supplier's credit
    notes set off, the remittance). It is executed on the earliest day planned for its bills,
    so no Skonto is missed. Bills drafted already, without an IBAN or not in euros are skipped.
    Raises payments' PaymentInvalid / NotAllowed (nothing is drafted then)."""
    today = timezone.localdate()
    skipped: list[tuple[Bill, str, dict]] = []
    planned: list[tuple[Bill, TransferPlan]] = []
    with transaction.atomic():
        taken: set[int] = set()  # credit notes already set off in this run
        for bill in bill_selectors.bills_due(company, today=today, days=days).select_for_update():
            if bill.status == Bill.Status.DRAFTED:
                skipped.append((bill, SKIP_DRAFTED, {"order": bill.order_id}))
            elif not bill.iban:
                skipped.append((bill, SKIP_NO_IBAN, {}))
            elif bill.currency != "EUR":
                skipped.append((bill, SKIP_NOT_EURO, {"currency": bill.currency}))
            else:
                credits = [credit for credit in payables.open_credits(bill) if credit.pk not in taken]
                plan = transfer_plan(bill, today, credits)
                taken.update(credit.pk for credit in plan.credits)
                planned.append((bill, plan))
        if not planned:
            return GatheredRun(None, [], skipped)
        order = payments.order_create(
            company, user=user, account=account, requested_date=min(plan.requested_date for _, plan in planned),
            via=via, transfers=[payments.TransferInput(payee_name=bill.supplier_name[:70], iban=bill.iban, bic=bill.bic,
                                                       amount=plan.amount, remittance=plan.remittance)
                                for bill, plan in planned])
        transfers = list(order.transfers.order_by("position"))
        for (bill, plan), transfer in zip(planned, transfers, strict=True):
            payables.bill_mark_drafted(bill, order_id=order.pk, transfer_id=transfer.pk, amount=plan.amount,
                                       credits=plan.credits, user=user, via=via)
        payments.order_submit(order, user=user, via=via)
    return GatheredRun(order, [bill for bill, _ in planned], skipped)
