"""Money in and out and returns per account and month, kept summed (models.FlowSummary).

A read adds what was booked since the last one (transactions with a higher id: they are
append-only, so nothing summed before ever changes); a new set of own IBANs, or an older
first month than summed, sums again from scratch. The first read of a company after an
account was added therefore scans its last year of transactions once; every other read
scans only the new rows, by primary key. Once a day it sums from scratch (see built_at)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kassenwart.banking.models import BankAccount, Transaction
from kassenwart.companies.models import Company
from kassenwart.dashboards.models import DailyFlow, FlowSummary, MonthlyFlow

ZERO = Decimal("0.00")
REBUILD_AFTER = timedelta(days=1)
DAILY_DAYS = 62  # days summed per day, before the first month summed (the forecast looks 30 back)


def own_ibans(company: Company) -> list[str]:
    return sorted(iban for iban in BankAccount.objects.filter(company=company).values_list("iban", flat=True) if iban)


def monthly_flows(company: Company, since: date) -> list[MonthlyFlow]:
    """The summed months from `since` (a first of a month) on, up to the newest booking."""
    return list(_summary(company, since).months.filter(month__gte=since))


def daily_flows(company: Company, since: date, first_day: date) -> list[DailyFlow] | None:
    """The sums per account and day from `first_day` on; None when they are not kept that
    far back (more than DAILY_DAYS before `since`)."""
    summary = _summary(company, since)
    if summary.days_since is None or first_day < summary.days_since:
        return None
    return list(summary.days.filter(day__gte=first_day))


def _summary(company: Company, since: date) -> FlowSummary:
    """The company's summary from `since` on, brought up to the newest booking."""
    ibans = own_ibans(company)
    key = hashlib.sha256("\n".join(ibans).encode()).hexdigest()
    newest = Transaction.objects.aggregate(n=Max("id"))["n"] or 0
    now = timezone.now()
    current = FlowSummary.objects.filter(company=company).first()
    if current is not None and not _stale(current, key, since, newest, now):
        return current
    with transaction.atomic():
        summary, _created = FlowSummary.objects.get_or_create(
            company=company, defaults={"own_ibans_key": key, "since": since, "built_at": now,
                                       "days_since": since - timedelta(days=DAILY_DAYS)})
        summary = FlowSummary.objects.select_for_update().get(pk=summary.pk)  # one summer per company
        if _outdated(summary, key, since, now):
            summary.months.all().delete()
            summary.days.all().delete()
            summary.own_ibans_key, summary.since, summary.through_id, summary.built_at = key, since, 0, now
            summary.days_since = since - timedelta(days=DAILY_DAYS)
        if summary.through_id < newest:
            _add(summary, company, ibans, newest)
            summary.through_id = newest
        summary.save()
    return summary


def _outdated(summary: FlowSummary, key: str, since: date, now) -> bool:
    """To be summed from scratch: other own IBANs, months missing at the start, or a day old."""
    return (summary.own_ibans_key != key or summary.since > since or summary.days_since is None
            or summary.built_at < now - REBUILD_AFTER)


def _stale(summary: FlowSummary, key: str, since: date, newest: int, now) -> bool:
    return _outdated(summary, key, since, now) or summary.through_id < newest


def _add(summary: FlowSummary, company: Company, ibans: list[str], newest: int) -> None:
    """Sum the company's transactions with ids in (through_id, newest] into the months."""
    external = ~Q(counterparty_iban__in=ibans) if ibans else Q()
    returned = ~Q(return_reason="")
    rows = (Transaction.objects.filter(company=company, id__gt=summary.through_id, id__lte=newest,
                                       booking_date__gte=summary.since)
            .order_by().annotate(month=TruncMonth("booking_date")).values("account_id", "currency", "month")
            .annotate(incoming=Sum("amount", filter=external & Q(amount__gt=0)),
                      outgoing=Sum("amount", filter=external & Q(amount__lt=0)),
                      returns=Count("id", filter=returned), returned=Sum("amount", filter=returned)))
    existing = {(f.account_id, f.currency, f.month): f for f in summary.months.all()}
    new, changed = [], []
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "hour") else row["month"]
        flow = existing.get((row["account_id"], row["currency"], month))
        if flow is None:
            flow = MonthlyFlow(summary=summary, account_id=row["account_id"], currency=row["currency"], month=month)
            new.append(flow)
        else:
            changed.append(flow)
        flow.incoming = (flow.incoming or ZERO) + (row["incoming"] or ZERO)
        flow.outgoing = (flow.outgoing or ZERO) + (row["outgoing"] or ZERO)
        flow.returns = (flow.returns or 0) + row["returns"]
        flow.returned = (flow.returned or ZERO) + (row["returned"] or ZERO)
    MonthlyFlow.objects.bulk_create(new)
    MonthlyFlow.objects.bulk_update(changed, ["incoming", "outgoing", "returns", "returned"])
    _add_days(summary, company, newest)


def _add_days(summary: FlowSummary, company: Company, newest: int) -> None:
    rows = (Transaction.objects.filter(company=company, id__gt=summary.through_id, id__lte=newest,
                                       booking_date__gte=summary.days_since)
            .order_by().values("account_id", "currency", "booking_date").annotate(total=Sum("amount")))
    existing = {(f.account_id, f.currency, f.day): f for f in summary.days.all()}
    new, changed = [], []
    for row in rows:
        flow = existing.get((row["account_id"], row["currency"], row["booking_date"]))
        if flow is None:
            flow = DailyFlow(summary=summary, account_id=row["account_id"], currency=row["currency"],
                             day=row["booking_date"], total=ZERO)
            new.append(flow)
        else:
            changed.append(flow)
        flow.total += row["total"] or ZERO
    DailyFlow.objects.bulk_create(new)
    DailyFlow.objects.bulk_update(changed, ["total"])
