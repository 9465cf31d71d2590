"""Shared pieces of the API's schemas."""

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

from django.db.models import TextChoices
from pydantic import BeforeValidator, Field, PlainSerializer

from kassenwart.core.money import quantize

# Money leaves as a string with two places ("-1234.50"): never a float.
Money = Annotated[Decimal, PlainSerializer(lambda value: str(quantize(value)), return_type=str, when_used="json")]

# A row's id as the database holds it (a signed 64-bit integer, from 1).
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _iso_date(value):
    """A date is given as 2026-07-21 (pydantic alone would also take a number of seconds)."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("not a date like 2026-07-21")
    if not isinstance(value, (str, date)):
        raise ValueError("not a date like 2026-07-21")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]



def choices(name: str, model_choices: type[TextChoices]) -> type[TextChoices]:
    """The API's enum of a model's choices: exactly their values, under `name`, its component in
    the OpenAPI document. Every enum of a schema is declared so, with a name saying whose values
    they are (`OrderState = choices("OrderState", PaymentOrder.State)`): the document names an
    enum after its class alone, and the models' classes share names (State, Status, Kind), so
    they would share one component there, the last one read."""
    return TextChoices(name, [(member.name, (member.value, member.label)) for member in model_choices],
                       module=__name__)
