"""Reasons of matches and suggestions as stored messages (see kassenwart.core.messages).

The engine says a reason with its key and parameters (engine/reasons.py); here it becomes the
message stored on the match or suggestion, "reconciliation.reason.<key>", worded in
wordings.py when shown. A note (why a payment has no suggestion) has no parameters and is
stored as its key alone (TransactionState.note is text).
"""

from __future__ import annotations

from kassenwart.core.messages import defined, message, render
from kassenwart.reconciliation.engine.reasons import Reason

PREFIX = "reconciliation.reason."


def stored(reason: Reason) -> dict:
    """An engine's reason as the message to store."""
    return message(PREFIX + reason.key, **{name: _stored(value) for name, value in reason.params.items()})


class StoredOnce:
    """`stored` for a whole run, each reason object converted once: the engine gives the
    same object for many payments (the amount equals the open amount, a customer's IBAN
    is known), and a run stores hundreds of thousands of reasons. The stored dicts are
    shared between rows; they are written, never changed."""

    def __init__(self):
        self._known: dict[int, tuple[Reason, dict]] = {}  # id -> (the reason kept alive, stored)

    def __call__(self, reason: Reason) -> dict:
        known = self._known.get(id(reason))
        if known is None:
            known = self._known[id(reason)] = (reason, stored(reason))
        return known[1]


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
