"""Messages a person reads later: stored as a key with parameters, worded when shown.

A stored message is plain JSON, ``{"key": "payments.order_waiting", "params": {...}}``. Each
app declares its keys once, in its ``wordings.py`` (imported when Django starts): the wording
(a lazy gettext or ngettext string) and how a parameter is shown (an amount, a date, another
message, or any function of the stored value). `render` words a message in the language that
is active when it is shown, with that language's number and date format: the web's reader,
the e-mail's recipient, the command line's KASSENWART_LANGUAGE.

Like pretix's log entries (an action code stored, the wording added when shown): a message
stored in German is not shown in German to an English reader, and a better wording reaches
old messages too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format, number_format


@dataclass(frozen=True)
class Wording:
    text: Any  # a lazy gettext string, or ngettext_lazy(..., "name of the count parameter")
    shown_as: dict[str, Callable[[Any], Any]] = field(default_factory=dict)


_WORDINGS: dict[str, Wording] = {}


def define(key: str, text, **shown_as: Callable[[Any], Any]) -> str:
    """Declare a message key: its wording and how its parameters are shown. Returns the key."""
    if key in _WORDINGS:
        raise ValueError(f"message key {key!r} is declared twice")
    _WORDINGS[key] = Wording(text, shown_as)
    return key


def defined(key: str) -> bool:
    return key in _WORDINGS


def message(key: str, **params) -> dict:
    """The message to store: the key and its parameters as JSON values (amounts as exact
    decimal strings, dates as ISO dates)."""
    if key not in _WORDINGS:
        raise KeyError(f"no wording declared for message key {key!r}")
    return {"key": key, "params": {name: _stored(value) for name, value in params.items()}}


def _stored(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def render(stored: dict) -> str:
    """The message worded in the active language. A key without wording (removed since) or
    parameters that no longer fit its wording show as they are stored, so that nothing fails
    for a reader."""
    wording = _WORDINGS.get(stored.get("key", ""))
    params = stored.get("params") or {}
    if wording is None:
        return _as_stored(stored)
    try:
        shown = {name: wording.shown_as.get(name, _as_is)(value) for name, value in params.items()}
        return str(wording.text % shown) if shown else str(wording.text)
    except (KeyError, TypeError, ValueError):
        return _as_stored(stored)


def _as_stored(stored: dict) -> str:
    params = ", ".join(f"{name}={value}" for name, value in (stored.get("params") or {}).items())
    return f"{stored.get('key', '')} ({params})" if params else stored.get("key", "")


def sentence(stored: dict) -> str:
    """The message as a sentence: its first letter upper case (a message may begin with
    another one, like "transfer #12 waits …")."""
    text = render(stored)
    return text[:1].upper() + text[1:]


def worded(value: str | dict) -> str:
    """A stored message worded, or a text that was stored worded already (from before keys)."""
    return value if isinstance(value, str) else render(value)


# -- how parameters are shown ---------------------------------------------------------------


def _as_is(value):
    return value


def amount(value) -> str:
    """"1234.5" -> "1.234,50" in German, "1,234.50" in English."""
    return number_format(Decimal(value), decimal_pos=2, use_l10n=True, force_grouping=True)


def day(value) -> str:
    """"2026-12-05" -> "05.12.2026" in German, "12/05/2026" in English."""
    return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")


def nested(value) -> str:
    """A parameter that is itself a stored message (or a text that needs no wording, such as
    the name of an XML element)."""
    return worded(value)
