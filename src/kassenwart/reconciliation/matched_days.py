"""The matched payments per account, currency and booking day (models.MatchedDay), kept.

A payment counts as matched while its state is matched or partially matched (TAKEN); every
service that moves a payment into or out of those states calls `count` in its own database
transaction, under the company's books lock (services.books_lock), so the days change
with the states or not at all. Payments without a booking date are not kept (they are
few; `matched_sums` reads them from the rows). `rebuild` sums a company's days anew from
the states: after data written around the services (the benchmarks' fills) and to check
that the kept days are right."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum

from kassenwart.banking.models import Transaction
from kassenwart.banking.selectors import days_and_undated
from kassenwart.core.money import quantize
from kassenwart.reconciliation.models import MatchedDay, TransactionState

TAKEN = (TransactionState.Status.MATCHED, TransactionState.Status.PARTIALLY_MATCHED)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Place:
    """Where a payment is kept: its account, currency, booking day, and its amount."""

    account_id: int
    currency: str
    day: date | None
    amount: Decimal

    @classmethod
    def of(cls, tx: Transaction) -> Place:
        return cls(tx.account_id, tx.currency, tx.booking_date, tx.amount)


def count(company_id: int, places: Iterable[Place], *, sign: int) -> None:
    """Add (`sign=1`) or take away (`sign=-1`) payments that became matched or stopped being."""
    counts, cents = Counter(), Counter()
    for place in places:
        if place.day is None:
            continue
        key = (place.account_id, place.currency, place.day)
        counts[key] += sign
        cents[key] += sign * int(place.amount * 100)
    if not counts:
        return
    table = connection.ops.quote_name(MatchedDay._meta.db_table)
    # Both databases add to a row that is there (ON CONFLICT ... DO UPDATE, SQLite 3.24 on).
    sql = (f"INSERT INTO {table} (company_id, account_id, currency, day, count, total_cents) "
           f"VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (account_id, currency, day) DO UPDATE "
           f"SET count = {table}.count + excluded.count, total_cents = {table}.total_cents + excluded.total_cents")
    rows = [(company_id, *key, counts[key], cents[key]) for key in sorted(counts)]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def rebuild(company) -> None:
    """Sum the company's matched days anew from the payments' states."""
    MatchedDay.objects.filter(company=company).delete()
    rows = (Transaction.objects.filter(company=company, state__status__in=TAKEN, booking_date__isnull=False)
            .order_by().values("account_id", "currency", "booking_date")
            .annotate(rows=Count("id"), total=Sum("amount")))
    MatchedDay.objects.bulk_create(
        (MatchedDay(company=company, account_id=row["account_id"], currency=row["currency"], day=row["booking_date"],
                    count=row["rows"], total_cents=int(quantize(row["total"]) * 100)) for row in rows.iterator()),
        batch_size=2000,
    )


@dataclass(frozen=True)
class MatchedSum:
    currency: str
    count: int
    total: Decimal


def matched_sums(company, *, account_id: int | None = None, date_from: date | None = None,
                 date_to: date | None = None) -> list[MatchedSum]:
    """How many matched payments, and how much money, per currency, of an account (or all),
    booked between the dates (both included; without a date also those with no booking
    date): from the kept days."""
    days, undated = days_and_undated(
        MatchedDay.objects.filter(company=company),
        Transaction.objects.filter(company=company, state__status__in=TAKEN),
        account_id=account_id, date_from=date_from, date_to=date_to)
    sums: dict[str, list] = {}
    for row in days.order_by().values("currency").annotate(rows=Sum("count"), cents=Sum("total_cents")):
        sums[row["currency"]] = [row["rows"], Decimal(row["cents"]) * CENT]
    for row in undated.order_by().values("currency").annotate(rows=Count("id"), money=Sum("amount")):
        kept = sums.setdefault(row["currency"], [0, Decimal("0.00")])
        kept[0] += row["rows"]
        kept[1] += row["money"]
    return [MatchedSum(currency, rows, quantize(money)) for currency, (rows, money) in sorted(sums.items()) if rows]
