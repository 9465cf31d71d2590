from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kassenwart.core.money import quantize, to_money


def test_refuses_float():
    with pytest.raises(TypeError):
        to_money(0.1)


@pytest.mark.parametrize("text", ["1.234", "abc", "NaN", "Infinity", ""])
def test_refuses_what_is_not_a_two_place_amount(text):
    with pytest.raises(ValueError):
        to_money(text)


@given(st.decimals(min_value=-10**12, max_value=10**12, places=2, allow_nan=False))
def test_two_place_amounts_pass_unchanged(amount):
    assert to_money(str(amount)) == amount
    assert to_money(str(amount)).as_tuple().exponent == -2


@pytest.mark.parametrize("digits", [14, 26, 27, 30, 400])
def test_an_amount_too_large_for_the_books_is_refused_by_name_whatever_its_length(digits):
    """27 digits and more once raised InvalidOperation (the rounding came before the range
    check): a traceback instead of a refusal."""
    for text in ("9" * digits, "-" + "9" * digits + ".50", "1" * digits + ".001"):
        with pytest.raises(ValueError, match="too large for an amount"):
            to_money(text)


def test_the_largest_amount_the_books_hold_passes():
    assert to_money("-9999999999999.99") == Decimal("-9999999999999.99")


def test_quantize_restores_the_scale_sqlite_loses():
    assert str(quantize(Decimal("3.1"))) == "3.10"
    assert str(quantize(None)) == "0.00"
