"""Stored messages: a key with parameters, worded in the language active when shown."""

from datetime import date
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_lazy

from kassenwart.core import messages
from kassenwart.core.messages import message, render

messages.define("test.paid", gettext_lazy("%(amount)s EUR paid on %(day)s."), amount=messages.amount,
                day=messages.day)


def test_amounts_and_dates_are_stored_exactly_and_shown_in_the_readers_format():
    stored = message("test.paid", amount=Decimal("1234.5"), day=date(2026, 12, 5))
    assert stored == {"key": "test.paid", "params": {"amount": "1234.5", "day": "2026-12-05"}}
    with translation.override("de"):
        assert render(stored) == "1.234,50 EUR paid on 05.12.2026."  # no German msgstr: the format still is
    with translation.override("en"):
        assert render(stored) == "1,234.50 EUR paid on 12/05/2026."


def test_a_message_that_no_longer_fits_shows_as_stored_instead_of_failing():
    assert render({"key": "test.gone", "params": {"count": 3}}) == "test.gone (count=3)"
    assert render({"key": "test.paid", "params": {"amount": "1.00"}}) == "test.paid (amount=1.00)"
