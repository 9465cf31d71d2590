"""Money on the home page as people write it: 1.234,56 € in German, €1,234.56 in English."""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import get_language

from kassenwart.web.templatetags.kassenwart import _decimal

register = template.Library()

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


@register.filter
def cash(value, currency: str = "EUR") -> str:
    """The amount with its currency sign where it has one (else the code); "–" for nothing."""
    amount = _decimal(value)
    if amount is None:
        return "–"
    number = number_format(abs(amount), decimal_pos=2, use_l10n=True, force_grouping=True)
    sign = "-" if amount < 0 else ""
    symbol = SYMBOLS.get(currency, currency)
    if (get_language() or "en").startswith("en") and len(symbol) == 1:
        return f"{sign}{symbol}{number}"
    return f"{sign}{number}\u00a0{symbol}"


@register.simple_tag
def cash_amount(value, currency: str = "EUR"):
    """`cash` in a span, red when negative."""
    number = _decimal(value)
    css = "amount neg" if number is not None and number < 0 else "amount"
    return format_html('<span class="{}">{}</span>', css, cash(value, currency))
