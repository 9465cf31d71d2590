"""TARGET2 business days, as SEPA counts lead times and moves due dates.

Closed: weekends, 1 January, 1 May, 25 and 26 December. Good Friday and Easter Monday are
TARGET holidays too; the sandbox leaves them out (no Easter computation).
"""

from __future__ import annotations

from datetime import date, timedelta

FIXED_HOLIDAYS = {(1, 1), (5, 1), (12, 25), (12, 26)}


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def next_business_day(day: date) -> date:
    """The day itself if it is a business day, else the next one."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after `start`, up to and including `end`."""
    return sum(1 for n in range(1, (end - start).days + 1) if is_business_day(start + timedelta(days=n)))
