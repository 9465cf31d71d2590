"""Shared pieces of the API's schemas."""

from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer

from kassenwart.core.money import quantize

# Money leaves as a string with two places ("-1234.50"): never a float.
Money = Annotated[Decimal, PlainSerializer(lambda value: str(quantize(value)), return_type=str, when_used="json")]
