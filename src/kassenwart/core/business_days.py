"""TARGET2 business days, as SEPA counts lead times and moves due dates: weekends and the
TARGET closing days (1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December) from
the `holidays` package's ECB calendar. One place for the product and the sandbox bank."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _closed(year: int) -> frozenset[date]:
    return frozenset(holidays.financial_holidays("XECB", years=year))


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _closed(day.year)


def next_business_day(day: date) -> date:
    """The day itself if it is a business day, else the next one."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def add_business_days(day: date, count: int) -> date:
    """The business day `count` business days after `day` (`day` itself for 0 on a business day)."""
    if count <= 0:
        return next_business_day(day)
    while count:
        day += timedelta(days=1)
        count -= is_business_day(day)
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after `start`, up to and including `end`."""
    return sum(1 for n in range(1, (end - start).days + 1) if is_business_day(start + timedelta(days=n)))
