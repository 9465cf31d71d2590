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


def test_quantize_restores_the_scale_sqlite_loses():
    assert str(quantize(Decimal("3.1"))) == "3.10"
    assert str(quantize(None)) == "0.00"
