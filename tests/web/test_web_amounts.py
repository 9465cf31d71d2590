from decimal import Decimal

import pytest

from kassenwart.core.money import AmountRange
from kassenwart.web.amounts import amount_range, parse_amount


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1.234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1234", "1234.00"),
        ("12,5", "12.50"),
        ("-50,00", "-50.00"),
        ("−7,00", "-7.00"),
        ("1.234", "1234.00"),
        ("1.234.567,89 €", "1234567.89"),
        ("  99,99 EUR ", "99.99"),
    ],
)
def test_amounts_people_type(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "RE-2026-0042", "1.2.3", "12,345,6", "1,2345", "DE89", "1e5", "9" * 20])
def test_what_is_not_an_amount(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    "text, low, high",
    [
        ("1897", "1897.00", "1897.99"),  # whole euros: every amount of that many euros
        ("1.897", "1897.00", "1897.99"),
        ("1897,48", "1897.48", "1897.48"),
        ("1.897,48", "1897.48", "1897.48"),
        ("1897.48", "1897.48", "1897.48"),
        ("1,897.48", "1897.48", "1897.48"),
        ("1897,4", "1897.40", "1897.40"),
        ("1897,00", "1897.00", "1897.00"),  # cents written: exactly that
        ("-50", "-50.99", "-50.00"),
        ("-50,10", "-50.10", "-50.10"),
        ("9999999999999", "9999999999999.00", "9999999999999.99"),
    ],
)
def test_a_search_reads_an_amount_as_a_range(text, low, high):
    assert amount_range(text) == AmountRange(Decimal(low), Decimal(high))


@pytest.mark.parametrize("text", ["", "RE-2026-0042", "1,2345", "9" * 20])
def test_a_search_that_is_no_amount_has_no_range(text):
    assert amount_range(text) is None
