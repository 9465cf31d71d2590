"""The engine's ranked suggestions (TransactionState.suggestions, JSON) as something to show.

Pure: the invoices come in as a dict; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from kassenwart.receivables.models import Invoice
from kassenwart.reconciliation.reasons import is_reason

SHOWN = 3  # suggestions per payment in the open list
_LEVELS = ((0.75, "high", _("high")), (0.3, "medium", _("medium")), (0.0, "low", _("low")))
_CLOSED = (Invoice.Status.PAID, Invoice.Status.OVERPAID)


def key_of(invoice_ids: Iterable) -> str:
    """The invoices of a suggestion as one stable string: "12,40"."""
    return ",".join(str(i) for i in sorted(int(i) for i in invoice_ids))


@dataclass(frozen=True)
class Line:
    invoice_id: int
    invoice: Invoice | None  # None when the invoice is gone
    amount: Decimal


@dataclass(frozen=True)
class Suggestion:
    rank: int  # 1 = best
    lines: tuple[Line, ...]
    confidence: float
    reasons: tuple[dict, ...]  # stored messages (reconciliation/reasons.py)
    write_off: Decimal
    surplus: Decimal

    @property
    def key(self) -> str:
        return key_of(line.invoice_id for line in self.lines)

    @property
    def level(self) -> str:
        return next(name for floor, name, _label in _LEVELS if self.confidence >= floor)

    @property
    def level_label(self) -> str:
        return next(label for floor, _name, label in _LEVELS if self.confidence >= floor)

    @property
    def percent(self) -> int:
        return max(0, min(100, round(self.confidence * 100)))

    @property
    def other_customer(self) -> bool:
        """An invoice of it belongs to another customer than the one the payer is known as:
        accepting it needs the person's confirmation."""
        return any(is_reason(reason, "other_customer") for reason in self.reasons)

    @property
    def outdated(self) -> bool:
        """An invoice of it is gone or paid meanwhile: accepting it would not fit any more."""
        return any(line.invoice is None or line.invoice.status in _CLOSED for line in self.lines)


def invoice_ids(suggestion_lists: Iterable[list[dict]]) -> set[int]:
    """Every invoice id the suggestions of several payments mention."""
    return {int(i) for suggestions in suggestion_lists for s in suggestions for i in s["allocations"]}


def build(raw: list[dict], invoices: Mapping[int, Invoice], limit: int | None = None) -> list[Suggestion]:
    """The first `limit` suggestions, with their invoices."""
    shown = raw if limit is None else raw[:limit]
    return [
        Suggestion(
            rank=rank,
            lines=tuple(
                Line(int(i), invoices.get(int(i)), Decimal(amount)) for i, amount in s["allocations"].items()
            ),
            confidence=float(s.get("confidence") or 0),
            reasons=tuple(s.get("reasons") or ()),
            write_off=Decimal(s.get("write_off") or "0"),
            surplus=Decimal(s.get("surplus") or "0"),
        )
        for rank, s in enumerate(shown, 1)
    ]


def rank_of(raw: list[dict], key: str) -> int | None:
    """The current rank of the suggestion for these invoices (a run may have re-ranked)."""
    for rank, s in enumerate(raw, 1):
        if key_of(s["allocations"]) == key:
            return rank
    return None
