from decimal import Decimal

import pytest

from kassenwart.web.amounts import parse_amount


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
