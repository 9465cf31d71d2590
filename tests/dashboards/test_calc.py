"""The pure calculations of the home page, on numbers worked out by hand."""

from datetime import date
from decimal import Decimal

from kassenwart.dashboards import calc

D = Decimal
TODAY = date(2026, 12, 9)


def test_month_starts_are_the_last_months_oldest_first_across_the_year():
    assert calc.month_starts(TODAY, 3) == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    assert calc.month_starts(date(2026, 2, 28), 12)[:2] == [date(2025, 3, 1), date(2025, 4, 1)]
    assert calc.add_months(date(2026, 1, 31), -1) == date(2025, 12, 1)


def test_ageing_buckets_by_days_overdue():
    assert calc.overdue_due_dates(TODAY) == {
        "1_30": (date(2026, 11, 9), date(2026, 12, 8)),
        "31_60": (date(2026, 10, 10), date(2026, 11, 8)),
        "over_60": (None, date(2026, 10, 9)),
    }


def test_balance_at_a_day_before_and_after_the_known_balance():
    booked = {date(2026, 12, 2): D("500.00"), date(2026, 12, 3): D("-100.00"), date(2026, 12, 9): D("7.00")}
    assert calc.balance_at(D("10000.00"), date(2026, 12, 8), booked, date(2026, 12, 1)) == D("9600.00")
    assert calc.balance_at(D("10000.00"), date(2026, 12, 8), booked, date(2026, 12, 2)) == D("10100.00")
    assert calc.balance_at(D("10000.00"), date(2026, 12, 8), booked, TODAY) == D("10007.00")


def test_forecast_past_booked_then_expected_late_money_tomorrow():
    booked = {date(2026, 12, 7): D("100.00"), TODAY: D("-50.00")}
    expected = {date(2026, 12, 1): D("30.00"),  # overdue collection: still expected, tomorrow
                TODAY: D("20.00"), date(2026, 12, 12): D("-700.00"), date(2026, 12, 20): D("400.00"),
                date(2027, 1, 20): D("9999.00")}  # after the 30 days: not in the forecast
    points = calc.cash_forecast(D("1000.00"), TODAY, booked, expected, past_days=3, days=30)
    by_day = {p.day: p for p in points}
    assert points[0].day == date(2026, 12, 6) and len(points) == 34
    assert [(p.balance, p.expected) for p in points[:4]] == [
        (D("1000.00"), False), (D("1100.00"), False), (D("1100.00"), False), (D("1050.00"), False)]
    assert by_day[date(2026, 12, 10)].balance == D("1100.00") and by_day[date(2026, 12, 10)].expected
    assert by_day[date(2026, 12, 12)].balance == D("400.00")
    assert by_day[date(2026, 12, 20)].balance == D("800.00")
    assert points[-1].day == date(2027, 1, 8) and points[-1].balance == D("800.00")
