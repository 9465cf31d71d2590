"""TARGET2 business days, shared by the product and the sandbox bank (core/business_days.py)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kassenwart.core.business_days import (
    add_business_days,
    business_days_between,
    is_business_day,
    next_business_day,
)

CLOSED_WEEKDAYS = [
    date(2026, 1, 1),  # Thursday
    date(2026, 4, 3),  # Good Friday
    date(2026, 4, 6),  # Easter Monday
    date(2026, 5, 1),  # Friday
    date(2026, 12, 25),  # Friday
    date(2027, 1, 1),  # Friday
    date(2027, 3, 26),  # Good Friday
    date(2027, 3, 29),  # Easter Monday
    date(2028, 12, 25),  # Monday
    date(2028, 12, 26),  # Tuesday
]
OPEN_WEEKDAYS = [
    date(2026, 4, 2),  # Maundy Thursday
    date(2026, 4, 7),  # the Tuesday after Easter
    date(2026, 5, 14),  # Ascension Day: a German holiday, not a TARGET2 one
    date(2025, 10, 3),  # German Unity Day, likewise
    date(2026, 12, 24),
    date(2026, 12, 31),
]


@pytest.mark.parametrize("day", CLOSED_WEEKDAYS, ids=str)
def test_target2_closing_days_are_closed(day):
    assert day.weekday() < 5 and not is_business_day(day)


@pytest.mark.parametrize("day", OPEN_WEEKDAYS, ids=str)
def test_other_weekdays_are_open(day):
    assert day.weekday() < 5 and is_business_day(day)


def test_weekends_are_closed():
    saturday = date(2026, 4, 11)
    assert not is_business_day(saturday) and not is_business_day(saturday + timedelta(days=1))
    assert is_business_day(saturday + timedelta(days=2))


def test_lead_times_skip_easter():
    maundy_thursday, tuesday = date(2026, 4, 2), date(2026, 4, 7)
    assert next_business_day(date(2026, 4, 3)) == tuesday
    assert next_business_day(tuesday) == tuesday
    assert business_days_between(maundy_thursday, tuesday) == 1
    assert add_business_days(maundy_thursday, 1) == tuesday
    assert add_business_days(date(2027, 3, 25), 2) == date(2027, 3, 31)


def test_lead_times_skip_christmas_and_new_year():
    assert add_business_days(date(2026, 12, 24), 1) == date(2026, 12, 28)
    assert add_business_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    # after 23 December: the 24th, 28th to 31st and 4 January
    assert business_days_between(date(2026, 12, 23), date(2027, 1, 4)) == 6
    assert add_business_days(date(2026, 12, 25), 0) == date(2026, 12, 28)  # 0: the next business day


DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(day=DAYS, n=st.integers(1, 40))
def test_adding_business_days_agrees_with_counting_them(day, n):
    later = add_business_days(day, n)
    assert is_business_day(later) and business_days_between(day, later) == n
    assert business_days_between(day, later - timedelta(days=1)) == n - 1
    assert next_business_day(day) == add_business_days(day, 0) == (day if is_business_day(day) else add_business_days(day, 1))
