"""Reasons of matches and suggestions as stored messages (see kassenwart.core.messages).

The engine says a reason with its key and parameters (engine/reasons.py); here it becomes the
message stored on the match or suggestion, "reconciliation.reason.<key>", worded in
wordings.py when shown. A note (why a payment has no suggestion) has no parameters and is
stored as its key alone (TransactionState.note is text).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from json.encoder import encode_basestring_ascii as _json_string

from kassenwart.core.bulk import JSONText
from kassenwart.core.messages import defined, message, render
from kassenwart.reconciliation.engine.reasons import Reason

PREFIX = "reconciliation.reason."


def stored(reason: Reason) -> dict:
    """An engine's reason as the message to store."""
    return message(PREFIX + reason.key, **{name: _stored(value) for name, value in reason.params.items()})


class StoredOnce:
    """`stored` for a whole run, each reason converted once: many payments have the same
    reason (the amount equals the open amount, a customer's IBAN is known), and a run stores
    hundreds of thousands of them. A reason is known by its key and words, which its
    parameters make (the same reason may come as several objects: decisions that come from
    a child process are unpickled batch by batch). The stored dicts are shared between rows;
    they are written, never changed. `listed` gives a list of reasons as JSON text (each
    reason encoded once too), for rows written in bulk."""

    def __init__(self):
        self._known: dict[tuple[str, str], dict] = {}  # (key, words) -> stored
        self._encoded: dict[tuple[str, str], str] = {}  # (key, words) -> JSON

    def __call__(self, reason: Reason) -> dict:
        said = (reason.key, reason)
        known = self._known.get(said)
        if known is None:
            known = self._known[said] = stored(reason)
        return known

    def listed(self, reasons: Iterable[Reason]) -> JSONText:
        """The stored reasons as a JSON list, the text json.dumps makes of them."""
        encoded = self._encoded
        texts = []
        for reason in reasons:
            said = (reason.key, reason)
            known = encoded.get(said)
            if known is None:
                known = encoded[said] = _encoded(reason)
            texts.append(known)
        return JSONText("[" + ", ".join(texts) + "]")


def _encoded(reason: Reason) -> str:
    """json.dumps(stored(reason)), made straight from the reason when its parameters are
    plain (texts, whole numbers, amounts: nearly all; most reasons of a run are told once)."""
    key = PREFIX + reason.key
    params = []
    for name, value in reason.params.items():
        kind = type(value)
        if kind is str:
            text = _json_string(value)
        elif kind is int:
            text = str(value)
        elif kind is Decimal:  # stored as its exact text, as `message` stores it
            text = _json_string(str(value))
        else:  # a reason or a list of them
            return json.dumps(stored(reason))
        params.append(f"{_json_string(name)}: {text}")
    if not defined(key):
        return json.dumps(stored(reason))  # which says what is wrong
    return f'{{"key": {_json_string(key)}, "params": {{{", ".join(params)}}}}}'


def _stored(value):
    if isinstance(value, Reason):
        return stored(value)
    if isinstance(value, list):
        return [_stored(item) for item in value]
    return value


def app_reason(key: str, **params) -> dict:
    """A reason the app gives itself (a map by hand, an accepted suggestion, a collection)."""
    return message(PREFIX + key, **params)


def note_key(note: str) -> str:
    """The engine's note (a Reason, or "") as it is stored: its message key."""
    return PREFIX + note.key if isinstance(note, Reason) else note


def is_reason(stored_reason: dict | str, key: str) -> bool:
    return isinstance(stored_reason, dict) and stored_reason.get("key") == PREFIX + key


def worded(stored_reason: dict | str | None) -> str:
    """A stored reason, or a note's key, in the reader's language; a text from before keys
    (none is left after migration 0003, but a row written by an old worker could be) as it is."""
    if stored_reason is None:
        return ""
    if isinstance(stored_reason, dict):
        return render(stored_reason)
    if defined(stored_reason):
        return render({"key": stored_reason})
    return stored_reason
