"""Money is Decimal with two places, never float."""

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

CENT = Decimal("0.01")
LARGEST = Decimal("9999999999999.99")  # what DecimalField(max_digits=15, decimal_places=2) holds


def to_money(value: Decimal | int | str) -> Decimal:
    """Exact conversion to a two-place Decimal; refuses floats, sub-cent amounts and amounts
    too large for the money columns."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    shown = repr(str(value))  # '12.345' for a text and a Decimal alike
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError) as error:
        raise ValueError(f"{shown} is not an amount") from error
    if not amount.is_finite():
        raise ValueError(f"{shown} is not an amount")
    # The range first: quantizing an amount of 27 or more digits exceeds the context's
    # precision and raises InvalidOperation instead of saying what is wrong.
    if abs(amount) > LARGEST:
        raise ValueError(f"{shown} is too large for an amount")
    quantized = amount.quantize(CENT, rounding=ROUND_HALF_EVEN)
    if quantized != amount:
        raise ValueError(f"{shown} has more than two decimal places")
    return quantized


def quantize(value: Decimal | int | None) -> Decimal:
    """Sums read back from SQLite can lose their scale; put it back."""
    return Decimal(value or 0).quantize(CENT)


@dataclass(frozen=True)
class AmountRange:
    """The amounts a search stands for, both ends included: "1897" is 1897.00 to 1897.99,
    "1897,48" is 1897.48 alone."""

    low: Decimal
    high: Decimal

    @property
    def negative(self) -> bool:
        return self.high < 0

    def negated(self) -> "AmountRange":
        return AmountRange(-self.high, -self.low)
