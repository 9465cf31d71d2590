"""Money in and out and returns per account and month, and every day's transactions per
account, kept summed (models.FlowSummary).

The worker adds the statement imports committed since the last time (`summaries_refresh`, a
job of the clock, within a minute of an import), so that a large import is summed there and
not in a person's request; a read adds whatever is still missing, so what it shows is always
complete (every transaction belongs to the import it was committed with, and transactions
are append-only, so nothing summed before ever changes, whatever order imports commit in). A
new set of own IBANs, or an older first month than summed, sums again from scratch: the
first read after an account was added scans the company's transactions once. The same holds
for a transfer between own accounts that no IBAN reveals (a payment provider's payout paired
with its bank credit, reconciliation/transfers.py): neither side is money in or out, and a
new pair sums again; a payout on the provider account is never counted, paired or not."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kassenwart.banking.models import BankAccount, StatementImport, Transaction
from kassenwart.banking.providers import PAYOUT
from kassenwart.banking.selectors import CREDIT, DEBIT, days_and_undated
from kassenwart.companies.models import Company
from kassenwart.core.money import quantize
from kassenwart.dashboards.models import DailyFlow, FlowSummary, MonthlyFlow, SummedImport
from kassenwart.reconciliation.models import InternalTransfer

ZERO = Decimal("0.00")
IMPORTS_PER_QUERY = 500  # import ids in one IN (...): well inside SQLite's limit of parameters


def _own_ibans_and_pairs(company: Company) -> tuple[list[str], int]:
    """The own IBANs and how many internal transfers were paired, in one query (the home page
    asks on every view)."""
    pairs = (InternalTransfer.objects.filter(company=company).order_by().values("company")
             .annotate(n=Count("pk")).values("n"))
    rows = BankAccount.objects.filter(company=company).annotate(pairs=Subquery(pairs)).values_list("iban", "pairs")
    rows = list(rows)
    return sorted(iban for iban, _pairs in rows if iban), (rows[0][1] or 0) if rows else 0


def monthly_flows(company: Company, since: date) -> list[MonthlyFlow]:
    """The summed months from `since` (a first of a month) on, up to the newest booking."""
    return list(_summary(company, since).months.filter(month__gte=since))


def daily_flows(company: Company, since: date, first_day: date) -> list[DailyFlow]:
    """The sums per account and day from `first_day` on."""
    return list(_summary(company, since).days.filter(day__gte=first_day))


@dataclass(frozen=True)
class BookedSum:
    currency: str
    count: int
    total: Decimal


def booked_sums(company: Company, *, account_id: int | None = None, direction: str | None = None,
                date_from: date | None = None, date_to: date | None = None) -> list[BookedSum]:
    """How many booked transactions, and how much money, per currency, of an account (or
    all), of money in (`direction=CREDIT`), out (DEBIT) or both, booked between the dates
    (both included; without a date also those with no booking date): the exact sums of
    `transaction_search` with the same filters, from the kept days."""
    current = FlowSummary.objects.filter(company=company).only("since").first()
    days, undated = days_and_undated(
        _summary(company, current.since if current else _first_month()).days.all(),
        Transaction.objects.filter(company=company), account_id=account_id, date_from=date_from, date_to=date_to)
    count, money = {CREDIT: ("credits", Sum("credit_total")), DEBIT: ("debits", Sum(F("total") - F("credit_total")))
                    }.get(direction, ("count", Sum("total")))
    rows = days.order_by().values("currency").annotate(rows=Sum(count), money=money)
    sums = {row["currency"]: [row["rows"], row["money"] or ZERO] for row in rows}
    if direction == CREDIT:
        undated = undated.filter(amount__gt=0)
    elif direction == DEBIT:
        undated = undated.filter(amount__lt=0)
    for row in undated.order_by().values("currency").annotate(rows=Count("id"), money=Sum("amount")):
        kept = sums.setdefault(row["currency"], [0, ZERO])
        kept[0] += row["rows"]
        kept[1] += row["money"]
    return [BookedSum(currency, rows, quantize(money)) for currency, (rows, money) in sorted(sums.items()) if rows]


def companies_to_sum() -> list[int]:
    """The companies with a committed statement import not in their summary yet."""
    summed = SummedImport.objects.filter(summary__company=OuterRef("company"), statement_import_id=OuterRef("pk"))
    return sorted(set(StatementImport.objects.exclude(Exists(summed)).values_list("company_id", flat=True)))


def summary_refresh(company: Company) -> None:
    """Add the company's statement imports committed since the last sum (all of them, from
    the first month a read keeps, when there is no summary yet)."""
    current = FlowSummary.objects.filter(company=company).only("since").first()
    _summary(company, current.since if current else _first_month())


def _first_month() -> date:
    return (timezone.localdate() - timedelta(days=366)).replace(day=1)


def _new_imports(company: Company, summary: FlowSummary | None) -> list[int]:
    """The company's committed statement imports not summed yet (one with no transactions,
    such as a refused one, adds nothing)."""
    imports = StatementImport.objects.filter(company=company)
    if summary is not None:
        imports = imports.exclude(pk__in=SummedImport.objects.filter(summary=summary).values("statement_import_id"))
    return list(imports.values_list("pk", flat=True))


def _summary(company: Company, since: date) -> FlowSummary:
    """The company's summary from `since` on, with every committed import in it."""
    ibans, pairs = _own_ibans_and_pairs(company)
    parts = [*ibans, f"internal transfers: {pairs}"] if pairs else ibans  # keys summed before stay the same
    key = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    current = FlowSummary.objects.filter(company=company).first()
    if current is not None and not _outdated(current, key, since) and not _new_imports(company, current):
        return current
    with transaction.atomic():
        summary, _created = FlowSummary.objects.get_or_create(
            company=company, defaults={"own_ibans_key": key, "since": since})
        summary = FlowSummary.objects.select_for_update().get(pk=summary.pk)  # one summer per company
        if _outdated(summary, key, since):
            summary.months.all().delete()
            summary.days.all().delete()
            summary.imports.all().delete()
            summary.own_ibans_key, summary.since = key, since
            summary.save()
        new = _new_imports(company, summary)
        if new:
            _add(summary, company, ibans, new)
            SummedImport.objects.bulk_create(SummedImport(summary=summary, statement_import_id=pk) for pk in new)
    return summary


def _outdated(summary: FlowSummary, key: str, since: date) -> bool:
    """To be summed from scratch: other own IBANs, or months missing at the start."""
    return summary.own_ibans_key != key or summary.since > since


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), IMPORTS_PER_QUERY):
        yield ids[start:start + IMPORTS_PER_QUERY]


def _add(summary: FlowSummary, company: Company, ibans: list[str], imports: list[int]) -> None:
    """Add the transactions of `imports` to the months and days."""
    external = ~Q(counterparty_iban__in=ibans) if ibans else Q()
    external &= ~Q(transaction_code=PAYOUT) & ~Exists(InternalTransfer.objects.filter(incoming=OuterRef("pk")))
    returned = ~Q(return_reason="")
    existing = {(f.account_id, f.currency, f.month): f for f in summary.months.all()}
    touched = {}
    for chunk in _chunks(imports):
        rows = (Transaction.objects.filter(company=company, statement_import_id__in=chunk,
                                           booking_date__gte=summary.since)
                .order_by().annotate(month=TruncMonth("booking_date")).values("account_id", "currency", "month")
                .annotate(incoming=Sum("amount", filter=external & Q(amount__gt=0)),
                          outgoing=Sum("amount", filter=external & Q(amount__lt=0)),
                          returns=Count("id", filter=returned), returned=Sum("amount", filter=returned)))
        for row in rows:
            month = row["month"].date() if hasattr(row["month"], "hour") else row["month"]
            key = (row["account_id"], row["currency"], month)
            flow = existing.get(key) or touched.get(key)
            if flow is None:
                flow = MonthlyFlow(summary=summary, account_id=row["account_id"], currency=row["currency"],
                                   month=month)
            touched[key] = flow
            flow.incoming = (flow.incoming or ZERO) + (row["incoming"] or ZERO)
            flow.outgoing = (flow.outgoing or ZERO) + (row["outgoing"] or ZERO)
            flow.returns = (flow.returns or 0) + row["returns"]
            flow.returned = (flow.returned or ZERO) + (row["returned"] or ZERO)
    MonthlyFlow.objects.bulk_create([f for k, f in touched.items() if k not in existing])
    MonthlyFlow.objects.bulk_update([f for k, f in touched.items() if k in existing],
                                    ["incoming", "outgoing", "returns", "returned"])
    _add_days(summary, company, imports)


def _add_days(summary: FlowSummary, company: Company, imports: list[int]) -> None:
    existing = {(f.account_id, f.currency, f.day): f for f in summary.days.all()}
    touched = {}
    credit, debit = Q(amount__gt=0), Q(amount__lt=0)
    for chunk in _chunks(imports):
        rows = (Transaction.objects.filter(company=company, statement_import_id__in=chunk, booking_date__isnull=False)
                .order_by().values("account_id", "currency", "booking_date")
                .annotate(total=Sum("amount"), count=Count("id"), credits=Count("id", filter=credit),
                          credit_total=Sum("amount", filter=credit), debits=Count("id", filter=debit)))
        for row in rows:
            key = (row["account_id"], row["currency"], row["booking_date"])
            flow = existing.get(key) or touched.get(key)
            if flow is None:
                flow = DailyFlow(summary=summary, account_id=row["account_id"], currency=row["currency"],
                                 day=row["booking_date"], total=ZERO, credit_total=ZERO)
            touched[key] = flow
            flow.total += row["total"] or ZERO
            flow.credit_total += row["credit_total"] or ZERO
            flow.count += row["count"]
            flow.credits += row["credits"]
            flow.debits += row["debits"]
    DailyFlow.objects.bulk_create([f for k, f in touched.items() if k not in existing])
    DailyFlow.objects.bulk_update([f for k, f in touched.items() if k in existing],
                                  ["total", "count", "credits", "credit_total", "debits"])
