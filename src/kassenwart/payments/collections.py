"""Direct debits Kassenwart collects: a debit for an open invoice, collection plans (licence
fees) whose collections come with invoices of their own, the debtor's pre-notification,
collections held back for a person, and due collections grouped into debit runs.

What is guaranteed, whatever runs at the same time, crashes half way or is re-planned:
- A plan collects each period once, and a mandate's plan collections never share a due
  date: unique constraints (plan + period, mandate + due date) hold it. Each collection is
  written with its invoice in one transaction; a second one the constraint refuses is read
  as "already there" (another worker, an earlier run), never as an error.
- Nothing is collected that the debtor was not told of at least N days before (the
  pre-notification was sent, or a person confirmed they were told otherwise). A collection
  that missed it, or the lead time, is held with a reason code for a person to release
  (after moving the date) or cancel.
- The clock orders a collection once: only planned collections without an order are
  grouped, and `services.debit_order_create` claims them with one conditional UPDATE. The
  collections of a rejected or cancelled order are held, never ordered again by themselves.
- Zero (or negative) amounts are never created.

The clock jobs `plans_generate` and `debit_runs_build` may run on several workers at once.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from kassenwart.banking.models import BankAccount
from kassenwart.companies import permissions
from kassenwart.companies.models import Company
from kassenwart.core.audit import record
from kassenwart.core.business_days import add_business_days, business_days_between, is_business_day, next_business_day
from kassenwart.core.models import User
from kassenwart.payments import debits, services
from kassenwart.payments.models import (
    Collection,
    CollectionPlan,
    CreditorSettings,
    Mandate,
    PaymentOrder,
    Scheme,
)
from kassenwart.payments.sepa.rules import Problem
from kassenwart.receivables.models import Invoice
from kassenwart.receivables.services import invoice_create

logger = logging.getLogger(__name__)
State = Collection.State

DEFAULT_PRE_NOTIFICATION_DAYS = 14
# Plans write their collections this many days before the pre-notification is due, so the
# debtor is told in time even when a clock run or the mail server is missed for a while.
GENERATE_MARGIN_DAYS = 7
# A run is built this many business days before the last day the bank takes it, so an
# approver has time to release it.
BUILD_AHEAD_BUSINESS_DAYS = 2
# The scheme minimum (TARGET business days before the collection date) since the EPC
# rulebook 2016; a bank's own parameters (BPD) may ask for more.
MAX_AMOUNT = Decimal("999999999.99")  # the SEPA maximum of one debit
MAIL_TIMEOUT_SECONDS = 10
STEP_MONTHS = {CollectionPlan.Interval.MONTHLY: 1, CollectionPlan.Interval.QUARTERLY: 3,
               CollectionPlan.Interval.YEARLY: 12}
GERMAN_IBAN_COUNTRIES = ("DE", "AT", "CH", "LI")  # pre-notified in German unless the customer says otherwise
_PREFIX = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]+")  # the invoice number goes into the remittance
_SHIFTS = 10  # business days a plan's date may move because another plan of the mandate has it


class Hold:
    """Why a collection waits for a person: codes, worded by the pages."""

    NO_EMAIL = "no_email"  # the customer has no e-mail address for the pre-notification
    PRENOTIFICATION_LATE = "prenotification_late"  # the debtor could not be told N days ahead
    LEAD_TIME_MISSED = "lead_time_missed"  # the bank can no longer collect on that date
    MANDATE_INACTIVE = "mandate_inactive"  # revoked, expired or blocked since it was planned
    INVOICE_PAID = "invoice_paid"  # the invoice's open amount is now less than the collection
    CREDITOR_ID = "creditor_id"  # the account collects under no, or another, creditor id
    ORDER_REJECTED = "order_rejected"  # the bank refused its run
    ORDER_CANCELLED = "order_cancelled"  # its run was cancelled before it went out
    RUN_REFUSED = "run_refused"  # the debit run could not be written (its data breaks a SEPA rule)

    ALL = (NO_EMAIL, PRENOTIFICATION_LATE, LEAD_TIME_MISSED, MANDATE_INACTIVE, INVOICE_PAID, CREDITOR_ID,
           ORDER_REJECTED, ORDER_CANCELLED, RUN_REFUSED)


# -- rules ---------------------------------------------------------------------------------
def lead_window(account: BankAccount, scheme: str) -> tuple[int, int]:
    """(minimum TARGET business days, maximum calendar days) between the day a run goes to
    the bank and its collection date. The one place the lead time is decided: the bank's own
    parameters (BPD, through banking.fints) where they say, else the scheme minimum."""
    return debits.lead_days(account, scheme, batch=True)


def pre_notification_days(mandate: Mandate, company_days: int | None = None) -> int:
    """N: the mandate's agreed period, else the company's setting (default 14).
    `company_days`: the company's setting when the caller has read it already."""
    if mandate.pre_notification_days is not None:
        return mandate.pre_notification_days
    if company_days is None:
        company_days = CreditorSettings.objects.filter(company_id=mandate.company_id).values_list(
            "pre_notification_days", flat=True).first()
    return DEFAULT_PRE_NOTIFICATION_DAYS if company_days is None else company_days


def earliest_due_date(mandate: Mandate, account: BankAccount, today: date) -> date:
    """The first collection date a new collection may have: the debtor told N days ahead,
    and the bank's lead time with a business day for the approver."""
    minimum, _maximum = lead_window(account, mandate.scheme)
    told = today + timedelta(days=pre_notification_days(mandate))
    return next_business_day(max(told, add_business_days(today, minimum + 1)))


def lead_time_met(account: BankAccount, scheme: str, due_date: date, today: date) -> bool:
    minimum, _maximum = lead_window(account, scheme)
    return is_business_day(due_date) and business_days_between(today, due_date) >= minimum


def due_dates(*, day: int, interval: str, starts_on: date, ends_on: date | None,
              until: date) -> Iterator[tuple[date, date]]:
    """A plan's (period, collection date) pairs up to `until`: the day of the month (the last
    day in shorter months) in each period counted from `starts_on`'s month, moved to the next
    TARGET business day; from `starts_on`, up to `ends_on`. Collection dates strictly rise."""
    step = STEP_MONTHS[interval]
    for k in range(10_000):
        years, month = divmod(starts_on.month - 1 + k * step, 12)
        year = starts_on.year + years
        nominal = date(year, month + 1, min(day, calendar.monthrange(year, month + 1)[1]))
        due = next_business_day(nominal)
        if due > until or (ends_on is not None and due > ends_on):
            return
        if due >= starts_on:
            yield date(year, month + 1, 1), due


def one_off_used(mandate: Mandate) -> bool:
    """A one-off mandate collects once: any collection not cancelled used it."""
    return mandate.kind == Mandate.Kind.ONE_OFF and mandate.collections.exclude(state=State.CANCELLED).exists()


def language_for(mandate: Mandate) -> str:
    """The pre-notification's language: the customer's, else German for German-speaking IBANs."""
    chosen = mandate.customer.language
    if chosen in ("de", "en"):
        return chosen
    return "de" if mandate.iban[:2].upper() in GERMAN_IBAN_COUNTRIES else "en"


# -- a debit for an open invoice -------------------------------------------------------------
def collection_create(company: Company, *, invoice: Invoice, mandate: Mandate, account: BankAccount,
                      due_date: date, user: User, via: str = "web", amount: Decimal | None = None,
                      today: date | None = None) -> Collection:
    """A one-off debit of an invoice's open amount (or less) under an active mandate of its
    customer. The debtor is pre-notified right away; without an e-mail address it is held
    until a person confirms they were told otherwise."""
    services.require(company, user, permissions.DRAFT_DEBIT)
    today = today or timezone.localdate()
    problems = _ownership(company, mandate=mandate, account=account, invoice=invoice)
    if problems:
        raise services.PaymentInvalid(problems)
    open_amount = invoice.open_amount
    amount = open_amount if amount is None else amount
    problems += _amount_problems(amount)
    if open_amount <= 0 or invoice.status in (Invoice.Status.PAID, Invoice.Status.OVERPAID,
                                               Invoice.Status.CREDIT_NOTE):
        problems.append(Problem("invoice", "invoice_not_open", _("This invoice has nothing left to collect.")))
    elif not problems and amount > open_amount:
        problems.append(Problem("amount", "amount_above_open", _(
            "At most the open amount of %(open)s can be collected.") % {"open": _money(open_amount)},
            {"open": str(open_amount)}))
    if invoice.collections.filter(state__in=[State.PLANNED, State.HELD, State.ORDERED]).exists():
        problems.append(Problem("invoice", "invoice_collecting", _(
            "A collection of this invoice is already under way.")))
    problems += _mandate_problems(mandate, account, customer_id=invoice.customer_id)
    if one_off_used(mandate):
        problems.append(_one_off_used_problem())
    problems += _date_problems(mandate, account, due_date, today)
    if problems:
        raise services.PaymentInvalid(problems)
    remittance = invoice.number
    if invoice.payment_reference and invoice.payment_reference != invoice.number:
        remittance = f"{invoice.number} {invoice.payment_reference}"
    with transaction.atomic():
        # The mandate row is locked, so two people cannot both use a one-off mandate.
        Mandate.objects.select_for_update().filter(pk=mandate.pk).first()
        if one_off_used(mandate):
            raise services.PaymentInvalid([_one_off_used_problem()])
        collection = Collection.objects.create(
            company=company, mandate=mandate, invoice=invoice, account=account, amount=amount,
            currency=invoice.currency, due_date=due_date, remittance=remittance[:140], drafted_by=user)
        record("collection.created", collection, company=company, user=user, via=via,
               after=_snapshot(collection))
    prenotify(collection, today=today, user=user, via=via)
    collection.refresh_from_db()
    return collection


# -- collection plans ------------------------------------------------------------------------
_KEEP = object()


def plan_create(company: Company, *, mandate: Mandate, account: BankAccount, amount: Decimal, interval: str,
                day: int, starts_on: date, ends_on: date | None = None, remittance: str, invoice_prefix: str,
                user: User, via: str = "web", today: date | None = None) -> CollectionPlan:
    """Recurring collections (licence fees) under a recurring mandate: each period's
    collection and its invoice (`invoice_prefix` + collection date) are written by the clock
    (`plans_generate`) in time for the pre-notification."""
    services.require(company, user, permissions.DRAFT_DEBIT)
    today = today or timezone.localdate()
    problems = _ownership(company, mandate=mandate, account=account)
    if problems:
        raise services.PaymentInvalid(problems)
    remittance, invoice_prefix = remittance.strip(), invoice_prefix.strip()
    problems += _mandate_problems(mandate, account)
    if mandate.kind == Mandate.Kind.ONE_OFF:
        problems.append(Problem("mandate", "mandate_one_off", _(
            "A one-off mandate collects once; a plan needs a recurring mandate.")))
    if interval not in STEP_MONTHS:
        problems.append(Problem("interval", "interval_unknown", _("Choose monthly, quarterly or yearly.")))
    if starts_on < today:
        problems.append(Problem("starts_on", "starts_in_past", _("The first collection cannot be in the past.")))
    problems += _terms_problems(company, amount=amount, day=day, starts_on=starts_on, ends_on=ends_on,
                                remittance=remittance, invoice_prefix=invoice_prefix)
    if problems:
        raise services.PaymentInvalid(problems)
    with transaction.atomic():
        plan = CollectionPlan.objects.create(
            company=company, mandate=mandate, account=account, amount=amount, interval=interval, day=day,
            starts_on=starts_on, ends_on=ends_on, remittance=remittance, invoice_prefix=invoice_prefix,
            created_by=user)
        record("collection_plan.created", plan, company=company, user=user, via=via, after=_plan_terms(plan))
    return plan


def plan_update(plan: CollectionPlan, *, user: User, via: str = "web", amount: Decimal | None = None,
                day: int | None = None, ends_on=_KEEP, remittance: str | None = None,
                invoice_prefix: str | None = None) -> CollectionPlan:
    """New terms for the collections still to come; those already written (in any state)
    stay as they are, and a period already collected or planned is never planned again."""
    company = plan.company
    services.require(company, user, permissions.DRAFT_DEBIT)
    if not plan.active:
        raise services.StateChanged(_("This plan has been stopped."))
    before = _plan_terms(plan)
    changes = {
        "amount": plan.amount if amount is None else amount,
        "day": plan.day if day is None else day,
        "ends_on": plan.ends_on if ends_on is _KEEP else ends_on,
        "remittance": plan.remittance if remittance is None else remittance.strip(),
        "invoice_prefix": plan.invoice_prefix if invoice_prefix is None else invoice_prefix.strip(),
    }
    problems = _terms_problems(company, starts_on=plan.starts_on, exclude=plan.pk, **changes)
    if problems:
        raise services.PaymentInvalid(problems)
    with transaction.atomic():
        updated = CollectionPlan.objects.filter(pk=plan.pk, active=True).update(changed_by=user, **changes)
        if not updated:
            raise services.StateChanged(_("This plan has been stopped."))
        for name, value in changes.items():
            setattr(plan, name, value)
        plan.changed_by = user
        record("collection_plan.changed", plan, company=company, user=user, via=via, before=before,
               after=_plan_terms(plan))
    return plan


def plan_stop(plan: CollectionPlan, *, user: User, via: str = "web") -> None:
    """No further collections. Those already written stay (they were pre-notified); each can
    be cancelled on its own."""
    services.require(plan.company, user, permissions.DRAFT_DEBIT)
    with transaction.atomic():
        if not CollectionPlan.objects.filter(pk=plan.pk, active=True).update(active=False):
            raise services.StateChanged(_("This plan has been stopped already."))
        plan.active = False
        record("collection_plan.stopped", plan, company=plan.company, user=user, via=via,
               before={"active": True}, after={"active": False})


class PlanBlocked(Exception):
    """A plan's next collection cannot be written (its invoice number is taken): `code`."""

    def __init__(self, code: str, number: str):
        super().__init__(f"{code}: {number}")
        self.code, self.number = code, number


def plans_generate(today: date | None = None) -> int:
    """Clock job: every active plan's collections whose dates fall within the horizon (the
    pre-notification days plus a margin), each with its invoice, then the pre-notifications
    due. Returns the number of collections written. Safe on several workers at once."""
    today = today or timezone.localdate()
    plans = list(CollectionPlan.objects.filter(active=True, mandate__state=Mandate.State.ACTIVE).select_related(
        "company", "mandate__customer", "account"))
    company_days = dict(CreditorSettings.objects.filter(company__in={p.company_id for p in plans}).values_list(
        "company_id", "pre_notification_days"))
    latest = dict(Collection.objects.filter(plan__in=plans).values("plan").annotate(last=Max("period"))
                  .values_list("plan", "last"))
    created = 0
    for plan in plans:
        created += plan_generate(plan, today=today, after=latest.get(plan.pk),
                                 company_days=company_days.get(plan.company_id, DEFAULT_PRE_NOTIFICATION_DAYS))
    prenotifications_send(today=today)
    return created


def plan_generate(plan: CollectionPlan, *, today: date, after: date | None = None,
                  company_days: int | None = None) -> int:
    """One plan's collections up to the horizon, in period order: only periods after the
    latest one written (`after`; a re-planned day never reaches back to an earlier period).
    Stops at the first collection that cannot be written (its invoice number is taken),
    keeping everything written before it: the plan's page shows why, and every run tries
    again until a person fixes it."""
    until = today + timedelta(days=pre_notification_days(plan.mandate, company_days) + GENERATE_MARGIN_DAYS)
    if after is None:
        after = plan.collections.aggregate(last=Max("period"))["last"]
    created = 0
    for period, due in due_dates(day=plan.day, interval=plan.interval, starts_on=plan.starts_on,
                                 ends_on=plan.ends_on, until=until):
        if after is not None and period <= after:
            continue
        try:
            created += _plan_collection_create(plan, period, due, today)
        except PlanBlocked as blocked:
            logger.warning("collection plan %s: collection of %s not written (%s)", plan.pk, due, blocked.code)
            break
    return created


def _plan_collection_create(plan: CollectionPlan, period: date, due: date, today: date) -> bool:
    """The period's collection with its invoice, in one transaction. False: already there
    (written by another worker or an earlier run)."""
    for _shift in range(_SHIFTS):
        number = f"{plan.invoice_prefix}{due.isoformat()}"
        try:
            with transaction.atomic():
                invoice = invoice_create(plan.company, customer=plan.mandate.customer, number=number,
                                         amount=plan.amount, currency=plan.currency, issue_date=today, due_date=due,
                                         user=None, via="worker")
                collection = Collection.objects.create(
                    company=plan.company, mandate=plan.mandate, plan=plan, invoice=invoice, account=plan.account,
                    amount=plan.amount, currency=plan.currency, due_date=due, period=period,
                    remittance=f"{plan.remittance} {number}"[:140], drafted_by=plan.changed_by or plan.created_by)
                record("collection.created", collection, company=plan.company, via="worker",
                       after=_snapshot(collection))
            return True
        except IntegrityError:
            # Which rule refused it? Read after the rollback: the other row is committed.
            if Collection.objects.filter(plan=plan, period=period).exists():
                return False
            if Collection.objects.filter(mandate=plan.mandate, due_date=due, plan__isnull=False).exists():
                due = next_business_day(due + timedelta(days=1))  # another plan of the mandate has that day
                continue
            if Invoice.objects.filter(company=plan.company, number=number).exists():
                raise PlanBlocked("invoice_number_taken", number)
            raise
    raise PlanBlocked("no_free_date", f"{plan.invoice_prefix}{due.isoformat()}")


@dataclass
class PlanDate:
    """One period of a plan as its page shows it: written (collection), or still to come."""

    period: date
    due_date: date
    collection: Collection | None = None
    blocked: str = ""  # why it is not written although it is due to be (e.g. invoice_number_taken)
    invoice_number: str = ""


def plan_schedule(plan: CollectionPlan, *, today: date | None = None, ahead: int = 3) -> list[PlanDate]:
    """The plan's collections written so far and its next `ahead` dates still to come."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=pre_notification_days(plan.mandate) + GENERATE_MARGIN_DAYS)
    written = {c.period: c for c in plan.collections.select_related("order", "invoice")}
    rows = [PlanDate(c.period or c.due_date, c.due_date, c) for c in written.values()]
    latest = max(written, default=None)
    if plan.active:
        coming = 0
        until = horizon + timedelta(days=31 * STEP_MONTHS[plan.interval] * (ahead + 1))
        for period, due in due_dates(day=plan.day, interval=plan.interval, starts_on=plan.starts_on,
                                     ends_on=plan.ends_on, until=until):
            if (latest is not None and period <= latest) or coming >= ahead:
                continue
            number = f"{plan.invoice_prefix}{due.isoformat()}"
            blocked = ""
            if due <= horizon and Invoice.objects.filter(company_id=plan.company_id, number=number).exists():
                blocked = "invoice_number_taken"
            rows.append(PlanDate(period, due, None, blocked, number))
            coming += 1
    return sorted(rows, key=lambda row: (row.due_date, row.period))


# -- pre-notification --------------------------------------------------------------------------
def prenotifications_send(today: date | None = None) -> int:
    """The pre-notifications due: every planned collection nobody told the debtor of yet.
    Too late, or no e-mail address: held. Returns the number of mails sent."""
    today = today or timezone.localdate()
    sent = 0
    waiting = Collection.objects.filter(state=State.PLANNED, pre_notified_at__isnull=True).select_related(
        "company", "mandate__customer", "account")
    for collection in waiting:
        sent += prenotify(collection, today=today)
    return sent


def prenotify(collection: Collection, *, today: date | None = None, user: User | None = None,
              via: str = "worker") -> int:
    """Tell the debtor of one collection by e-mail (1), or hold it when that cannot be done in
    time (0). The collection is claimed with a conditional UPDATE in the transaction that sends
    the mail, so two workers never both send it; a mail that fails undoes the claim and the
    next run tries again (a mail the server took twice is the lesser harm)."""
    today = today or timezone.localdate()
    mandate = collection.mandate
    if (collection.due_date - today).days < pre_notification_days(mandate):
        _hold(collection, Hold.PRENOTIFICATION_LATE, [State.PLANNED], unnotified=True, user=user, via=via)
        return 0
    address = mandate.customer.email
    if not address:
        _hold(collection, Hold.NO_EMAIL, [State.PLANNED], unnotified=True, user=user, via=via)
        return 0
    try:
        with transaction.atomic():
            now = timezone.now()
            claimed = Collection.objects.filter(pk=collection.pk, state=State.PLANNED,
                                                pre_notified_at__isnull=True).update(pre_notified_at=now)
            if not claimed:
                return 0
            subject, body = prenotification_text(collection)
            mail_from = CreditorSettings.objects.filter(company_id=collection.company_id).values_list(
                "mail_from", flat=True).first() or None
            # A bounded wait: this also runs in a person's request (the clock retries what fails).
            send_mail(subject, body, mail_from, [address],
                      connection=get_connection(timeout=settings.EMAIL_TIMEOUT or MAIL_TIMEOUT_SECONDS))
            collection.pre_notified_at = now
            record("collection.prenotified", collection, company=collection.company, user=user, via=via,
                   after={"to": address, "language": language_for(mandate),
                          "due_date": collection.due_date.isoformat(), "amount": str(collection.amount)})
    except OSError:  # smtplib's errors are OSErrors: the mail server is away
        logger.warning("collection %s: pre-notification not sent, tried again later", collection.pk, exc_info=True)
        return 0
    return 1


def prenotification_text(collection: Collection) -> tuple[str, str]:
    """(subject, body) of the mail, in the debtor's language (templates in
    payments/templates/payments/prenotification.{de,en}.txt; the first line is the subject)."""
    mandate = collection.mandate
    language = language_for(mandate)
    with translation.override(language):
        amount = formats.number_format(collection.amount, decimal_pos=2, use_l10n=True, force_grouping=True)
        day = formats.date_format(collection.due_date, "d.m.Y" if language == "de" else "j F Y")
        context = {
            "amount": f"{amount} {collection.currency}" if language == "de" else f"{collection.currency} {amount}",
            "date": day, "debtor": mandate.debtor_name, "reference": mandate.reference,
            "creditor_id": mandate.creditor_id, "company": collection.company.name,
            "iban": f"{mandate.iban[:4]} … {mandate.iban[-4:]}", "remittance": collection.remittance,
            "b2b": mandate.scheme == Scheme.B2B,
        }
        text = render_to_string(f"payments/prenotification.{language}.txt", context)
    subject, _blank, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


# -- held collections -------------------------------------------------------------------------
def collection_release(collection: Collection, *, user: User, via: str = "web", due_date: date | None = None,
                       told_otherwise: bool = False, today: date | None = None) -> Collection:
    """A held collection back to planned, once it can be collected: a date the bank can still
    meet (a moved date is pre-notified again, unless the person confirms the debtor was told
    otherwise), an active mandate, an open invoice. A collection of a rejected or cancelled
    run leaves that run: the next debit run takes it, for a new approval."""
    company = collection.company
    services.require(company, user, permissions.DRAFT_DEBIT)
    today = today or timezone.localdate()
    if collection.state != State.HELD:
        raise services.StateChanged(_("This collection is not held back (any more); reload the page."))
    mandate, account = collection.mandate, collection.account
    new_date = due_date or collection.due_date
    moved = new_date != collection.due_date
    problems = _mandate_problems(mandate, account)
    if collection.invoice_id and collection.invoice.open_amount < collection.amount:
        problems.append(Problem("invoice", "invoice_paid", _(
            "The invoice's open amount is now less than this collection; cancel it.")))
    if not is_business_day(new_date):
        problems.append(_not_business_day(new_date))
    elif not lead_time_met(account, mandate.scheme, new_date, today):
        problems.append(Problem("due_date", "lead_time", _(
            "The bank can no longer collect on %(date)s; choose %(earliest)s or later.")
            % {"date": _day(new_date), "earliest": _day(earliest_due_date(mandate, account, today))}))
    notified = bool(collection.pre_notified_at) and not moved
    if not notified and not told_otherwise:
        if not mandate.customer.email:
            problems.append(Problem("told_otherwise", "no_email", _(
                "The customer has no e-mail address: confirm the debtor was told of the collection otherwise.")))
        elif (new_date - today).days < pre_notification_days(mandate):
            problems.append(Problem("due_date", "prenotification_late", _(
                "The debtor must be told %(days)s days ahead: choose %(earliest)s or later, or confirm "
                "they were told otherwise.") % {"days": pre_notification_days(mandate),
                                               "earliest": _day(earliest_due_date(mandate, account, today))}))
    if problems:
        raise services.PaymentInvalid(problems)
    before = {"state": State.HELD, "hold_reason": collection.hold_reason, "due_date": collection.due_date.isoformat(),
              "order": collection.order_id}
    fields = {"state": State.PLANNED, "hold_reason": "", "due_date": new_date, "order": None,
              "pre_notified_at": timezone.now() if told_otherwise else (collection.pre_notified_at if notified else None)}
    try:
        with transaction.atomic():
            if not Collection.objects.filter(pk=collection.pk, state=State.HELD).update(**fields):
                raise services.StateChanged(_("This collection is not held back (any more); reload the page."))
            record("collection.released", collection, company=company, user=user, via=via, before=before,
                   after={"state": State.PLANNED, "due_date": new_date.isoformat(), "told_otherwise": told_otherwise})
    except IntegrityError:
        raise services.PaymentInvalid([Problem("due_date", "date_taken", _(
            "The mandate has another collection on %(date)s; choose another date.") % {"date": _day(new_date)})])
    collection.refresh_from_db()
    if collection.pre_notified_at is None:
        prenotify(collection, today=today, user=user, via=via)
        collection.refresh_from_db()
    return collection


def collection_cancel(collection: Collection, *, user: User, via: str = "web", note: str = "") -> None:
    """Not collected after all (planned or held). A plan's period stays taken: it is never
    planned again."""
    services.require(collection.company, user, permissions.DRAFT_DEBIT)
    with transaction.atomic():
        before = collection.state
        if not Collection.objects.filter(pk=collection.pk, state__in=[State.PLANNED, State.HELD]).update(
                state=State.CANCELLED):
            raise services.StateChanged(_("This collection is in a debit run or done; it cannot be cancelled here."))
        collection.state = State.CANCELLED
        record("collection.cancelled", collection, company=collection.company, user=user, via=via,
               before={"state": before, "hold_reason": collection.hold_reason},
               after={"state": State.CANCELLED, "note": note.strip()})


def order_collections_hold(order: PaymentOrder, *, user: User | None = None, via: str = "worker") -> int:
    """The collections of a rejected or cancelled debit run are held (never ordered again by
    themselves); the order's state machine does it, the clock makes sure."""
    with transaction.atomic():
        return debits.debits_released(order, user=user, via=via)


def _hold(collection: Collection, reason: str, sources: list[str], *, user: User | None = None,
          via: str = "worker", unnotified: bool = False) -> int:
    """One conditional UPDATE (0 when the collection moved on meanwhile) and its audit event."""
    rows = Collection.objects.filter(pk=collection.pk, state__in=sources)
    if unnotified:
        rows = rows.filter(pre_notified_at__isnull=True)
    with transaction.atomic():
        if not rows.update(state=State.HELD, hold_reason=reason):
            return 0
        before = collection.state
        collection.state, collection.hold_reason = State.HELD, reason
        record("collection.held", collection, company=collection.company, user=user, via=via,
               before={"state": before}, after={"state": State.HELD, "hold_reason": reason})
    return 1


# -- debit runs ---------------------------------------------------------------------------------
@dataclass
class Group:
    """The collections of one debit run: one account, scheme, sequence type and date."""

    account: BankAccount
    scheme: str
    sequence_type: str
    collection_date: date
    creditor_id: str
    collections: list[Collection] = field(default_factory=list)


def debit_runs_build(today: date | None = None) -> int:
    """Clock job: the collections due for the bank are grouped into debit runs, one order
    per (account, scheme, sequence type, collection date) through services.debit_order_create,
    a few business days before the last day the bank takes them. What can no longer be
    collected as planned is held with its reason. Returns the number of runs made."""
    today = today or timezone.localdate()
    for order in PaymentOrder.objects.filter(kind=PaymentOrder.Kind.DEBIT, collections__state=State.ORDERED,
                                             state__in=[PaymentOrder.State.REJECTED,
                                                        PaymentOrder.State.CANCELLED]).distinct():
        order_collections_hold(order)
    made = 0
    for group in due_groups(today):
        company = group.account.company
        try:
            with transaction.atomic():
                services.debit_order_create(company, account=group.account, scheme=group.scheme,
                                            sequence_type=group.sequence_type,
                                            collection_date=group.collection_date, collections=group.collections,
                                            creditor_id=group.creditor_id, user=None, via="worker", today=today)
        except services.StateChanged:
            continue  # another worker ordered (some of) them meanwhile
        except services.PaymentInvalid as invalid:
            # Nothing to wait for: the same run would be refused on every tick. A person looks.
            logger.warning("debit run of account %s for %s refused: %s", group.account.pk,
                           group.collection_date, invalid)
            for collection in group.collections:
                _hold(collection, Hold.RUN_REFUSED, [State.PLANNED])
            continue
        made += 1
    return made


def due_groups(today: date) -> list[Group]:
    """The planned, pre-notified collections whose run is to be built now, grouped; those that
    can no longer be collected as planned are held on the way (with their reason)."""
    groups: dict[tuple, Group] = {}
    creditor_ids: dict[int, str] = {}
    candidates = Collection.objects.filter(state=State.PLANNED, order__isnull=True,
                                           pre_notified_at__isnull=False).select_related(
        "company", "mandate", "account__company", "invoice").order_by("due_date", "pk")
    for collection in candidates:
        mandate, account = collection.mandate, collection.account
        if account.pk not in creditor_ids:
            creditor_ids[account.pk] = debits.creditor_id_of(account)
        reason = _hold_reason(collection, creditor_ids[account.pk], today)
        if reason:
            _hold(collection, reason, [State.PLANNED])
            continue
        minimum, maximum = lead_window(account, mandate.scheme)
        if (business_days_between(today, collection.due_date) > minimum + BUILD_AHEAD_BUSINESS_DAYS
                or (collection.due_date - today).days > maximum):
            continue  # not yet
        sequence_type = services.sequence_type_for(mandate, account)
        key = (account.pk, mandate.scheme, sequence_type, collection.due_date)
        if key not in groups:
            groups[key] = Group(account, mandate.scheme, sequence_type, collection.due_date, creditor_ids[account.pk])
        groups[key].collections.append(collection)
    return [groups[key] for key in sorted(groups, key=lambda k: (k[3], k[0], k[1], k[2]))]


def _hold_reason(collection: Collection, creditor_id: str, today: date) -> str:
    """Why a planned collection can no longer go to the bank as it is ("" = it can)."""
    mandate = collection.mandate
    if mandate.state != Mandate.State.ACTIVE:
        return Hold.MANDATE_INACTIVE
    if not creditor_id or creditor_id != mandate.creditor_id:
        return Hold.CREDITOR_ID
    if collection.invoice_id and collection.invoice.open_amount < collection.amount:
        return Hold.INVOICE_PAID
    if not lead_time_met(collection.account, mandate.scheme, collection.due_date, today):
        return Hold.LEAD_TIME_MISSED
    return ""


def business_days_before(day: date, count: int) -> date:
    """The business day `count` business days before `day`."""
    while count > 0:
        day -= timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


# -- checks ------------------------------------------------------------------------------------
def _ownership(company: Company, **objects) -> list[Problem]:
    """Objects of another company are refused as if unknown."""
    return [Problem(name, f"{name}_unknown", _("Choose one of your own."))
            for name, obj in objects.items() if obj is None or obj.company_id != company.pk]


def _mandate_problems(mandate: Mandate, account: BankAccount, customer_id: int | None = None) -> list[Problem]:
    problems = []
    if customer_id is not None and mandate.customer_id != customer_id:
        problems.append(Problem("mandate", "mandate_other_customer", _(
            "This mandate was given by another customer than the invoice's.")))
    if mandate.state != Mandate.State.ACTIVE:
        problems.append(Problem("mandate", "mandate_inactive", _("The mandate is %(state)s.")
                                % {"state": mandate.get_state_display()}, {"state": mandate.state}))
    creditor_id = debits.creditor_id_of(account)
    if not creditor_id:
        problems.append(Problem("account", "creditor_id_not_set", _(
            "Enter the creditor identifier (Gläubiger-ID) in the direct debit settings first: "
            "no debit can be collected without one.")))
    elif creditor_id != mandate.creditor_id:
        problems.append(Problem("account", "creditor_id_other", _(
            "The mandate was given to creditor identifier %(mandate)s; this account collects as %(account)s.")
            % {"mandate": mandate.creditor_id, "account": creditor_id}))
    return problems


def _date_problems(mandate: Mandate, account: BankAccount, due_date: date, today: date) -> list[Problem]:
    if not is_business_day(due_date):
        return [_not_business_day(due_date)]
    earliest = earliest_due_date(mandate, account, today)
    if due_date < earliest:
        return [Problem("due_date", "due_date_early", _(
            "The debtor must be told %(days)s days ahead and the bank needs its lead time: the earliest "
            "collection date is %(earliest)s.") % {"days": pre_notification_days(mandate), "earliest": _day(earliest)},
            {"earliest": earliest.isoformat()})]
    return []


def _one_off_used_problem() -> Problem:
    return Problem("mandate", "one_off_used", _("This one-off mandate has been used; the debtor has to sign a new one."))


def _not_business_day(day: date) -> Problem:
    return Problem("due_date", "not_business_day", _(
        "Banks do not collect on %(date)s (a weekend or TARGET holiday); the next business day is %(next)s.")
        % {"date": _day(day), "next": _day(next_business_day(day))})


def _amount_problems(amount) -> list[Problem]:
    try:
        valid = amount is not None and Decimal(amount) == Decimal(amount).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        valid = False
    if not valid or amount <= 0 or amount > MAX_AMOUNT:
        return [Problem("amount", "amount_range", _("Enter an amount above zero with at most two decimal places."))]
    return []


def _terms_problems(company: Company, *, amount, day, starts_on, ends_on, remittance, invoice_prefix,
                    exclude: int | None = None) -> list[Problem]:
    problems = _amount_problems(amount)
    if not isinstance(day, int) or not 1 <= day <= 31:
        problems.append(Problem("day", "day_range", _("Choose a day of the month from 1 to 31.")))
    if ends_on is not None and ends_on < starts_on:
        problems.append(Problem("ends_on", "ends_before_start", _("The plan cannot end before it starts.")))
    if not remittance or len(remittance) > 100:
        problems.append(Problem("remittance", "remittance_length", _(
            "Enter what the debtor sees on their statement (at most 100 characters).")))
    if not invoice_prefix or len(invoice_prefix) > 40 or not _PREFIX.fullmatch(invoice_prefix):
        problems.append(Problem("invoice_prefix", "prefix_invalid", _(
            "Enter up to 40 letters, digits or - / . : ( ) for the invoice numbers.")))
    elif CollectionPlan.objects.filter(company=company, active=True, invoice_prefix=invoice_prefix).exclude(
            pk=exclude).exists():
        problems.append(Problem("invoice_prefix", "prefix_taken", _(
            "Another plan numbers its invoices with this prefix; choose another one.")))
    return problems


def _day(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _money(amount: Decimal) -> str:
    return formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


def _snapshot(collection: Collection) -> dict:
    return {"mandate": collection.mandate.reference, "invoice": collection.invoice.number if collection.invoice else "",
            "amount": str(collection.amount), "due_date": collection.due_date.isoformat(),
            "account": collection.account.iban, "plan": collection.plan_id}


def _plan_terms(plan: CollectionPlan) -> dict:
    return {"mandate": plan.mandate.reference, "account": plan.account.iban, "amount": str(plan.amount),
            "interval": plan.interval, "day": plan.day, "starts_on": plan.starts_on.isoformat(),
            "ends_on": plan.ends_on.isoformat() if plan.ends_on else None, "remittance": plan.remittance,
            "invoice_prefix": plan.invoice_prefix}

