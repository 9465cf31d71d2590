"""Pure calculations of the home page: no Django, no database. The selectors hand in what the
database summed up (a few rows per month or day), these functions shape it.

- `month_starts`: the first days of the last n months, oldest first.
- `overdue_due_dates`: the due dates of each receivables bucket of days overdue.
- `balance_at`, `cash_forecast`: the balance day by day, the past from the booked flows, the future from
  the expected ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal("0.00")

# Receivables by age: not yet due, then days overdue 1-30, 31-60 and more than 60.
NOT_DUE, OVERDUE_30, OVERDUE_60, OVERDUE_MORE = "not_due", "1_30", "31_60", "over_60"
AGE_BUCKETS = (NOT_DUE, OVERDUE_30, OVERDUE_60, OVERDUE_MORE)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_starts(today: date, count: int) -> list[date]:
    """The first days of the `count` months up to and including today's, oldest first."""
    return [add_months(today, -n) for n in range(count - 1, -1, -1)]


# The overdue buckets' days overdue, first and last (None: no end).
OVERDUE_DAYS = {OVERDUE_30: (1, 30), OVERDUE_60: (31, 60), OVERDUE_MORE: (61, None)}


def overdue_due_dates(today: date) -> dict[str, tuple[date | None, date]]:
    """The due dates of each overdue bucket, (earliest, latest), both included (None: no
    earliest). An open invoice due today or later, or without a due date, is not yet due."""
    return {key: (None if last is None else today - timedelta(days=last), today - timedelta(days=first))
            for key, (first, last) in OVERDUE_DAYS.items()}


@dataclass(frozen=True)
class BalancePoint:
    day: date
    balance: Decimal
    expected: bool  # False: booked (the past and today), True: forecast


def balance_at(balance: Decimal, balance_date: date, booked: Mapping[date, Decimal], day: date) -> Decimal:
    """The balance at the end of `day`, from a balance known at the end of `balance_date` and
    the sums booked per day between the two."""
    if day <= balance_date:
        return balance - sum((v for d, v in booked.items() if day < d <= balance_date), ZERO)
    return balance + sum((v for d, v in booked.items() if balance_date < d <= day), ZERO)


def cash_forecast(
    start_balance: Decimal,
    today: date,
    booked: Mapping[date, Decimal],
    expected: Mapping[date, Decimal],
    *,
    past_days: int = 30,
    days: int = 30,
) -> list[BalancePoint]:
    """The balance at the end of each day from `past_days` before today to `days` after.

    `start_balance` is the balance at the end of the first day (`past_days` before today),
    `booked` the sum of booked transactions per day after it up to today. `expected` is the
    money expected per day, incoming positive and outgoing negative: what was expected before
    tomorrow and has not come counts tomorrow (late, but still expected); nothing after the
    last day counts.
    """
    start = today - timedelta(days=past_days)
    running = start_balance
    points = [BalancePoint(start, running, False)]
    for offset in range(1, past_days + 1):
        day = start + timedelta(days=offset)
        running += booked.get(day, ZERO)
        points.append(BalancePoint(day, running, False))
    tomorrow = today + timedelta(days=1)
    running += sum((v for d, v in expected.items() if d < tomorrow), ZERO)
    for offset in range(1, days + 1):
        day = today + timedelta(days=offset)
        running += expected.get(day, ZERO)
        points.append(BalancePoint(day, running, True))
    return points
