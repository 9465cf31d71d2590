"""Showing money, IBANs, states and reasons the same way on every page; the bell."""

import json
from decimal import Decimal, InvalidOperation

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kassenwart.companies.permissions import allows
from kassenwart.core.messages import amount as amount_text
from kassenwart.core.messages import render
from kassenwart.notifications.selectors import unread_count
from kassenwart.reconciliation.reasons import worded as worded_reason

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def money(value, currency: str = "") -> str:
    """1234.5 -> "1.234,50 EUR" in German, "1,234.50 EUR" in English; "–" for nothing. The one
    way money is written on every page, the home page included (its charts write it so too);
    stored messages word their amounts with the same number format (core.messages.amount)."""
    amount = _decimal(value)
    if amount is None:
        return "–"
    text = amount_text(amount)
    return f"{text}\u00a0{currency}" if currency else text


@register.simple_tag
def amount(value, currency: str = ""):
    """The amount right-aligned in its cell's style, red when negative."""
    number = _decimal(value)
    css = "amount neg" if number is not None and number < 0 else "amount"
    return format_html('<span class="{}">{}</span>', css, money(value, currency))


@register.filter
def iban(value: str) -> str:
    """DE89370400440532013000 -> DE89 3704 0044 0532 0130 00 (non-breaking spaces)."""
    compact = (value or "").replace(" ", "")
    return "\u00a0".join(compact[i : i + 4] for i in range(0, len(compact), 4))


@register.simple_tag
def balance_check(value):
    """The result of an import's balance check as a small badge."""
    if value is None:
        return format_html('<span class="badge">{}</span>', _("no balances to check"))
    if value:
        return format_html('<span class="badge ok">{}</span>', _("balances agree"))
    return format_html('<span class="badge bad">{}</span>', _("balance difference"))


@register.simple_tag
def import_status(record):
    """An import's status as a badge: imported, already imported, refused."""
    css = {"imported": "ok", "duplicate": "", "refused": "bad"}.get(record.status, "")
    return format_html('<span class="badge {}">{}</span>', css, record.get_status_display())


_SOURCES = {
    "upload": gettext_lazy("upload in the browser"),
    "cli": gettext_lazy("command line"),
    "fints": gettext_lazy("FinTS"),
}


@register.filter
def import_source(value: str) -> str:
    """How a statement came in, in words: upload, cli, fints."""
    return _SOURCES.get(value, value)


@register.filter
def or_dash(value):
    return "–" if value in (None, "") else value


@register.filter
def can(membership, permission: str) -> bool:
    """{% if current_membership|can:"manage_settings" %}: what the role allows."""
    return membership is not None and allows(membership.role, permission)


@register.filter
def as_json(value) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)


@register.simple_tag(takes_context=True)
def nav_current(context, *prefixes: str) -> str:
    """aria-current="page" when the current route's name starts with one of `prefixes`."""
    match = getattr(context.get("request"), "resolver_match", None)
    name = match.url_name if match else ""
    if name and any(name.startswith(prefix) for prefix in prefixes):
        return mark_safe('aria-current="page"')
    return ""


@register.filter
def worded(value: dict | str | None) -> str:
    """A stored message (an order's note, the bank's words on it) in the reader's language and
    number format; a text stored before messages as it is; nothing for nothing."""
    if isinstance(value, dict):
        return render(value)
    return value or ""


@register.filter
def reason(value: dict | str) -> str:
    """A reason of the matching ("amount equals open amount"), stored as a message or a note's
    key, in the reader's language."""
    return worded_reason(value)


@register.filter
def percent(value) -> str:
    """A confidence of 0.0 to 1.0 as a whole percentage: 0.953 -> "95"."""
    try:
        return str(round(float(value) * 100))
    except (TypeError, ValueError):
        return ""


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The bell's number: the user's unread notifications in this company (one query)."""
    request = context.get("request")
    company = getattr(request, "company", None)
    if company is None or not request.user.is_authenticated:
        return 0
    return unread_count(company, request.user)
