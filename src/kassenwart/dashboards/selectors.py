"""Reads of the home page. Every function takes the company first and never leaves it; each
sums in the database (a handful of rows back, whatever the number of transactions) over the
(company, booking date) index of transactions and the (company, state/status) indexes of
orders, collections and invoices."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, Count, Exists, OuterRef, Q, Subquery, Sum, Value, When

from kassenwart.banking.models import BankAccount, BankConnection
from kassenwart.banking.selectors import account_overview
from kassenwart.companies.models import Company
from kassenwart.core.business_days import business_days_between
from kassenwart.core.money import quantize
from kassenwart.dashboards import calc
from kassenwart.dashboards.monthly import daily_flows, monthly_flows
from kassenwart.payables.models import Bill
from kassenwart.payments.models import Collection, PaymentOrder, Transfer
from kassenwart.receivables.models import Invoice
from kassenwart.reconciliation.models import TransactionState

ZERO = calc.ZERO
STALE_AFTER = 2  # business days a balance may be old before the page warns
OPEN_INVOICE = (Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID)
EXECUTED = (PaymentOrder.State.ACCEPTED, PaymentOrder.State.BOOKED)
# Approved and on its way to the bank, or at the bank waiting for its date.
OUTGOING = (PaymentOrder.State.APPROVED, PaymentOrder.State.QUEUED, PaymentOrder.State.SENDING,
            PaymentOrder.State.VOP_PENDING, PaymentOrder.State.TAN_PENDING, PaymentOrder.State.ACCEPTED)
NEEDS_ATTENTION = (BankConnection.State.NEW, BankConnection.State.NEEDS_TAN, BankConnection.State.PIN_WRONG,
                   BankConnection.State.PIN_BLOCKED)


def _money(value) -> Decimal:
    return ZERO if value is None else quantize(value)


# -- balances ------------------------------------------------------------------------------
@dataclass
class Balances:
    accounts: list[BankAccount]  # annotated as account_overview's, plus `stale`
    totals: dict[str, Decimal]  # currency -> sum of the latest booked balances
    main_currency: str


def balances(company: Company, today: date) -> Balances:
    """Each account's latest booked (and available) balance with its date, whether it is older
    than two business days, and the total per currency."""
    accounts = account_overview(company)
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    counts: dict[str, int] = defaultdict(int)
    for account in accounts:
        account.stale = account.booked_date is None or business_days_between(account.booked_date, today) > STALE_AFTER
        counts[account.currency] += 1
        if account.booked_amount is not None:
            totals[account.currency] += account.booked_amount
    main = max(counts, key=lambda c: (counts[c], c == "EUR")) if counts else "EUR"
    return Balances(accounts, dict(sorted(totals.items())), main)


# -- money in and out ----------------------------------------------------------------------
@dataclass(frozen=True)
class MonthFlow:
    month: date
    incoming: Decimal
    outgoing: Decimal  # negative or zero

    @property
    def net(self) -> Decimal:
        return self.incoming + self.outgoing


def money_in_out(company: Company, today: date, *, months: int = 12, currency: str = "EUR",
                 account_id: int | None = None) -> list[MonthFlow]:
    """Money in and out per month for the last `months` months (today's included), oldest
    first; transfers between the company's own accounts left out (the counterparty IBAN is
    one of its accounts). Read from the kept monthly sums (monthly.py)."""
    starts = calc.month_starts(today, months)
    incoming: dict[date, Decimal] = defaultdict(lambda: ZERO)
    outgoing: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for flow in monthly_flows(company, _summed_since(today, months)):
        if flow.currency == currency and (account_id is None or flow.account_id == account_id):
            incoming[flow.month] += flow.incoming
            outgoing[flow.month] += flow.outgoing
    return [MonthFlow(start, _money(incoming[start]), _money(outgoing[start])) for start in starts]


def _summed_since(today: date, months: int) -> date:
    """The first month the summary keeps: a year back at least, whatever the period shown."""
    return calc.month_starts(today, max(months, 12))[0]


# -- executed payments ---------------------------------------------------------------------
@dataclass(frozen=True)
class Executed:
    count: int
    total: Decimal


@dataclass(frozen=True)
class ExecutedMonth:
    month: date
    transfers: Executed
    debits: Executed
    returns: Executed  # returned debits and transfers booked on the statement (R-transactions)


def executed_payments(company: Company, today: date) -> list[ExecutedMonth]:
    """Transfers and direct debits the bank accepted last month and this month (by the day it
    accepted them), and the returns booked in the month; last month first. Three queries."""
    months = [calc.add_months(today, -1), calc.month_start(today), calc.add_months(today, 1)]

    def summed(queryset, day: str, amount: str) -> list[Executed]:
        sums = {}
        for n, (start, end) in enumerate(zip(months, months[1:])):
            within = Q(**{f"{day}__gte": start, f"{day}__lt": end})
            sums[f"n{n}"], sums[f"t{n}"] = Count("pk", filter=within), Sum(amount, filter=within)
        row = queryset.aggregate(**sums)
        return [Executed(row[f"n{n}"], _money(row[f"t{n}"])) for n in range(2)]

    executed = Q(order__company=company, order__state__in=EXECUTED, order__finished_at__date__gte=months[0],
                 order__finished_at__date__lt=months[2])
    transfers = summed(Transfer.objects.filter(executed), "order__finished_at__date", "amount")
    debits = summed(Collection.objects.filter(executed), "order__finished_at__date", "amount")
    returns = [Executed(0, ZERO), Executed(0, ZERO)]
    for flow in monthly_flows(company, _summed_since(today, 12)):
        if flow.month in months[:2]:
            n = months.index(flow.month)
            returns[n] = Executed(returns[n].count + flow.returns, _money(returns[n].total + flow.returned))
    return [ExecutedMonth(months[n], transfers[n], debits[n], returns[n]) for n in range(2)]


# -- receivables by age --------------------------------------------------------------------
@dataclass(frozen=True)
class AgeBucket:
    key: str
    count: int
    total: Decimal


def receivables_by_age(company: Company, today: date, currency: str = "EUR") -> list[AgeBucket]:
    """Open amounts of open and partly paid invoices: not yet due, 1-30, 31-60 and more than
    60 days overdue (an invoice without a due date counts as not yet due). Grouped by bucket
    in the database, from the (company, status, currency, due date, open amount) index: one
    CASE per invoice and four rows back, whatever the number of invoices."""
    # The first WHEN that holds decides: from the latest due dates to the earliest.
    whens = [When(Q(due_date__isnull=True) | Q(due_date__gte=today), then=Value(calc.NOT_DUE))]
    oldest = calc.NOT_DUE
    for key, (earliest, _latest) in calc.overdue_due_dates(today).items():
        if earliest is None:
            oldest = key
        else:
            whens.append(When(due_date__gte=earliest, then=Value(key)))
    rows = (Invoice.objects.filter(company=company, status__in=OPEN_INVOICE, currency=currency).order_by()
            .annotate(bucket=Case(*whens, default=Value(oldest))).values("bucket")
            .annotate(n=Count("open_amount"), total=Sum("open_amount")))
    found = {row["bucket"]: AgeBucket(row["bucket"], row["n"], _money(row["total"])) for row in rows}
    return [found.get(key) or AgeBucket(key, 0, ZERO) for key in calc.AGE_BUCKETS]


def _sum_of(model) -> Subquery:
    """The sum of an order's payments (transfers or collections), for an annotation."""
    payments = model.objects.filter(order=OuterRef("pk")).order_by().values("order").annotate(total=Sum("amount"))
    return Subquery(payments.values("total")[:1])


# -- to-dos --------------------------------------------------------------------------------
@dataclass
class Todos:
    approvals: list[PaymentOrder] = field(default_factory=list)  # waiting for this person's approval
    approvals_count: int = 0
    open_payments: int = 0  # in the Open list, waiting for a person to map them
    held_collections: int = 0
    tans: list[PaymentOrder] = field(default_factory=list)  # orders waiting for a TAN or payee check
    connections: list[BankConnection] = field(default_factory=list)  # needing a person (TAN, PIN, set-up)
    failed_syncs: list[BankConnection] = field(default_factory=list)
    bills_to_pay: int = 0  # received bills with no transfer drafted yet
    skonto_ending: int = 0  # of those, the ones whose Skonto ends within SKONTO_SOON days

    @property
    def empty(self) -> bool:
        return not (self.approvals_count or self.open_payments or self.held_collections or self.tans
                    or self.connections or self.failed_syncs or self.bills_to_pay)


SKONTO_SOON = 7  # days


def todos(company: Company, user, *, approves: bool, maps: bool, drafts_debits: bool, manages_connections: bool,
          limit: int = 5, drafts_transfers: bool = False, today: date | None = None) -> Todos:
    """What waits for this person, by what their role lets them do. Four eyes: an order with a
    payment they drafted is never waiting for their approval."""
    found = Todos()
    if approves:
        drafted_transfer = Transfer.objects.filter(order=OuterRef("pk"), drafted_by=user)
        drafted_debit = Collection.objects.filter(order=OuterRef("pk"), drafted_by=user)
        waiting = (PaymentOrder.objects.filter(company=company, state=PaymentOrder.State.PENDING_APPROVAL)
                   .exclude(Exists(drafted_transfer)).exclude(Exists(drafted_debit))
                   .annotate(transfer_total=_sum_of(Transfer), debit_total=_sum_of(Collection))
                   .select_related("account", "created_by").order_by("requested_date", "pk"))
        found.approvals_count = waiting.count()
        found.approvals = list(waiting[:limit])
        found.tans = list(PaymentOrder.objects.filter(
            company=company, state__in=(PaymentOrder.State.TAN_PENDING, PaymentOrder.State.VOP_PENDING))
            .select_related("account").order_by("pk")[:limit])
    if maps:
        found.open_payments = TransactionState.objects.filter(company=company,
                                                              status=TransactionState.Status.OPEN).count()
    if drafts_debits:
        found.held_collections = Collection.objects.filter(company=company, state=Collection.State.HELD).count()
    if manages_connections:
        # A payment provider's connection needs a person only when its sync failed (a new one syncs by itself).
        fints_waiting = Q(kind=BankConnection.Kind.FINTS, state__in=(*NEEDS_ATTENTION, BankConnection.State.ERROR))
        provider_failed = Q(kind=BankConnection.Kind.PROVIDER, state=BankConnection.State.ERROR)
        connections = list(BankConnection.objects.filter(fints_waiting | provider_failed, company=company)
                           .order_by("name"))
        found.connections = [c for c in connections if c.state != BankConnection.State.ERROR]
        found.failed_syncs = [c for c in connections if c.state == BankConnection.State.ERROR]
    if drafts_transfers and today is not None:
        bills = Bill.objects.filter(company=company, kind=Bill.Kind.INVOICE, status=Bill.Status.OPEN).aggregate(
            to_pay=Count("pk"), skonto=Count("pk", filter=Q(skonto_date__gte=today,
                                                             skonto_date__lte=today + timedelta(days=SKONTO_SOON))))
        found.bills_to_pay, found.skonto_ending = bills["to_pay"], bills["skonto"]
    return found


# -- cash forecast -------------------------------------------------------------------------
@dataclass(frozen=True)
class Forecast:
    currency: str
    points: list[calc.BalancePoint]
    incoming: Decimal  # expected in the next days
    outgoing: Decimal  # negative or zero

    @property
    def final(self) -> Decimal:
        """The balance expected at the end of the last day."""
        return self.points[-1].balance


def cash_forecast(company: Company, today: date, accounts: list[BankAccount], currency: str, *,
                  past_days: int = 30, days: int = 30) -> Forecast | None:
    """The balance of the accounts in `currency` over the last and the next `days` days: booked
    in the past, then expected: open invoices by due date (those collected by a planned direct
    debit are counted at the collection's date instead), scheduled collections in, approved
    and scheduled transfers out. None when no account in the currency has a booked balance."""
    known = [a for a in accounts if a.currency == currency and a.booked_date is not None]
    if not known:
        return None
    start = today - timedelta(days=past_days)
    first = min([start] + [a.booked_date for a in known])
    ids = {a.pk for a in known}
    per_account: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    company_daily: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for account_id, day, total in _daily_sums(company, today, currency, first + timedelta(days=1)):
        if account_id in ids:
            per_account[account_id][day] += total
            company_daily[day] += total
    start_balance = sum((calc.balance_at(a.booked_amount, a.booked_date, per_account[a.pk], start) for a in known),
                        ZERO)
    expected = _expected(company, today, currency, today + timedelta(days=days))
    points = calc.cash_forecast(start_balance, today, company_daily, expected, past_days=past_days, days=days)
    return Forecast(currency, points, sum((v for v in expected.values() if v > 0), ZERO),
                    sum((v for v in expected.values() if v < 0), ZERO))


def _daily_sums(company: Company, today: date, currency: str, first_day: date) -> list[tuple[int, date, Decimal]]:
    """(account id, day, sum booked) from `first_day` on, from the kept daily sums."""
    return [(f.account_id, f.day, _money(f.total)) for f in daily_flows(company, _summed_since(today, 12), first_day)
            if f.currency == currency]


def _expected(company: Company, today: date, currency: str, until: date) -> dict[date, Decimal]:
    """Money expected per day up to `until`: incoming positive, outgoing negative."""
    expected: dict[date, Decimal] = defaultdict(lambda: ZERO)
    scheduled = Collection.objects.filter(company=company, currency=currency, due_date__lte=until,
                                          state__in=(Collection.State.PLANNED, Collection.State.ORDERED))
    collected = Collection.objects.filter(invoice=OuterRef("pk")).exclude(
        state__in=(Collection.State.CANCELLED, Collection.State.RETURNED))
    invoices = (Invoice.objects.filter(company=company, status__in=OPEN_INVOICE, currency=currency,
                                       due_date__gte=today, due_date__lte=until)
                .exclude(Exists(collected)).order_by().values("due_date").annotate(total=Sum("open_amount")))
    for row in invoices:
        expected[row["due_date"]] += _money(row["total"])
    for row in scheduled.order_by().values("due_date").annotate(total=Sum("amount")):
        expected[row["due_date"]] += _money(row["total"])
    # An accepted transfer dated today or earlier is on the statement or about to be.
    outgoing = (Transfer.objects.filter(order__company=company, currency=currency, order__state__in=OUTGOING,
                                        order__requested_date__lte=until)
                .exclude(order__state=PaymentOrder.State.ACCEPTED, order__requested_date__lte=today)
                .order_by().values("order__requested_date").annotate(total=Sum("amount")))
    for row in outgoing:
        expected[max(row["order__requested_date"], today)] -= _money(row["total"])
    return dict(expected)
