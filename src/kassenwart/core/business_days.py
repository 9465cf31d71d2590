"""TARGET business days, as SEPA counts lead times and moves collection dates.

Closed: Saturdays, Sundays, 1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December
(the ECB's TARGET calendar).

A minimal stand-in with the same four names as the module being moved here with the
`holidays` ECB calendar; whichever is merged first, the other replaces it without callers
noticing.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

FIXED_HOLIDAYS = {(1, 1), (5, 1), (12, 25), (12, 26)}


@lru_cache(maxsize=256)
def _easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * weekday) // 433
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def is_business_day(day: date) -> bool:
    if day.weekday() >= 5 or (day.month, day.day) in FIXED_HOLIDAYS:
        return False
    easter = _easter_sunday(day.year)
    return day not in (easter - timedelta(days=2), easter + timedelta(days=1))


def next_business_day(day: date) -> date:
    """The day itself if it is a business day, else the next one."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after `start`, up to and including `end` (0 when `end` <= `start`)."""
    return sum(1 for n in range(1, (end - start).days + 1) if is_business_day(start + timedelta(days=n)))


def add_business_days(day: date, count: int) -> date:
    """The `count`-th business day after `day` (`day` itself for 0)."""
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day
