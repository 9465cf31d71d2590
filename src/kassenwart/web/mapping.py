"""Mapping a payment by hand: the rows a person fills in and what the difference means.

Pure: invoices and the company's matching settings come in; texts for the page come out.
Whether a shortfall is Skonto or a bank fee is decided by the engine's own rule
(`engine.amounts.fit`), so the page and the automatic matching never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kassenwart.receivables.models import Invoice
from kassenwart.reconciliation import engine
from kassenwart.reconciliation.engine.amounts import Fit, fit
from kassenwart.web.amounts import parse_amount
from kassenwart.web.suggestions import Suggestion
from kassenwart.web.templatetags.kassenwart import money

ZERO = Decimal("0.00")


def amount_text(amount: Decimal) -> str:
    """An amount as a person types it into the field: "1234,56" in German."""
    return number_format(amount, decimal_pos=2, use_l10n=True)


@dataclass(frozen=True)
class Row:
    """One invoice the payment goes to, as the person filled it in."""

    invoice: Invoice
    text: str  # the amount as typed
    write_off: bool = False

    @property
    def amount(self) -> Decimal | None:
        return parse_amount(self.text)

    @property
    def rest(self) -> Decimal | None:
        """What stays open of the invoice after this amount (negative: overpaid)."""
        return None if self.amount is None else self.invoice.open_amount - self.amount

    @property
    def written_off(self) -> Decimal:
        rest = self.rest
        return rest if self.write_off and rest is not None and rest > 0 else ZERO


def posted_rows(data: QueryDict, invoices: Mapping[int, Invoice]) -> list[Row]:
    """The rows of the form as posted: invoice=<id> in order, amount_<id>, write_off_<id>.
    Ids that are not among `invoices` (the company's own) are dropped."""
    rows, seen = [], set()
    for raw in data.getlist("invoice"):
        invoice = invoices.get(int(raw)) if raw.isdigit() else None
        if invoice is None or invoice.pk in seen:
            continue
        seen.add(invoice.pk)
        text = data.get(f"amount_{invoice.pk}", "").strip()[:30]
        rows.append(Row(invoice, text, bool(data.get(f"write_off_{invoice.pk}"))))
    return rows


def assigned(rows: list[Row]) -> Decimal:
    return sum((row.amount for row in rows if row.amount is not None), ZERO)


def add(rows: list[Row], invoice: Invoice, payment_left: Decimal) -> list[Row]:
    """The invoice as a new last row, prefilled with its open amount or, when less of the
    payment is left, with what is left."""
    if any(row.invoice.pk == invoice.pk for row in rows):
        return rows
    left = max(payment_left - assigned(rows), ZERO)
    return [*rows, Row(invoice, amount_text(min(invoice.open_amount, left)))]


def remove(rows: list[Row], invoice_id: int) -> list[Row]:
    return [row for row in rows if row.invoice.pk != invoice_id]


def from_suggestion(suggestion: Suggestion) -> list[Row]:
    """A suggestion's invoices and amounts as rows to adjust; a Skonto or fee it proposed
    is ticked to be written off."""
    rows = [Row(line.invoice, amount_text(line.amount)) for line in suggestion.lines if line.invoice is not None]
    if suggestion.write_off > 0:
        rows = [replace(row, write_off=bool(row.rest and row.rest > 0)) for row in rows]
    return rows


def rows_from_post(data: QueryDict, invoices: Mapping[int, Invoice], suggestions, payment_left: Decimal) -> list[Row]:
    """The rows as posted, changed by the button that was pressed: add=<invoice id>,
    remove=<invoice id>, or start=<a suggestion's key> to start over from that suggestion."""
    rows = posted_rows(data, invoices)
    added = data.get("add", "")
    if added.isdigit() and int(added) in invoices:
        rows = add(rows, invoices[int(added)], payment_left)
    removed = data.get("remove", "")
    if removed.isdigit():
        rows = remove(rows, int(removed))
    start = next((s for s in suggestions if s.key == data.get("start")), None)
    return from_suggestion(start) if start is not None else rows


@dataclass(frozen=True)
class Note:
    tone: str  # "ok", "warn" or "bad" (the badge colours)
    text: str


def _shortfall(row: Row, amount_fit) -> str:
    """What stays open of the invoice, in words: Skonto, a bank fee or a partial payment."""
    values = {"number": row.invoice.number, "rest": money(row.rest, row.invoice.currency)}
    if amount_fit.kind is Fit.SKONTO:
        values["percent"] = f"{amount_fit.percent.normalize():f}"
        return _("%(number)s: Skonto %(percent)s %% (%(rest)s)") % values
    if amount_fit.kind is Fit.FEE:
        return _("%(number)s: bank fee (%(rest)s)") % values
    return _("%(number)s: partial payment — %(rest)s left of the invoice") % values


def _row_note(row: Row, config: engine.MatchingConfig) -> Note | None:
    amount_fit = fit(row.amount, [row.invoice.open_amount], config)
    if amount_fit.kind is Fit.EXACT:
        return None
    if amount_fit.kind is Fit.OVERPAID:
        over = money(-row.rest, row.invoice.currency)
        return Note("warn", _("%(number)s: overpaid by %(over)s") % {"number": row.invoice.number, "over": over})
    what = _shortfall(row, amount_fit)
    usual = amount_fit.kind in (Fit.SKONTO, Fit.FEE)  # payers deduct these as a matter of course
    if row.write_off:
        return Note("ok" if usual else "warn", _("%(what)s, written off") % {"what": what})
    if usual:
        return Note("warn", _("%(what)s — write it off to close the invoice") % {"what": what})
    return Note("warn", what)


def notes(payment_left: Decimal, rows: list[Row], config: engine.MatchingConfig, currency: str = "EUR") -> list[Note]:
    """What the amounts mean: "fits exactly", Skonto, bank fee, partial payments, and what
    is left of the payment or too much."""
    if not rows:
        return []
    missing = [row.invoice.number for row in rows if row.amount is None or row.amount <= 0]
    if missing:
        return [Note("bad", _("Enter a positive amount for %(numbers)s.") % {"numbers": ", ".join(missing)})]
    found = [note for row in rows if (note := _row_note(row, config))]
    unassigned = payment_left - assigned(rows)
    amount = {"amount": money(abs(unassigned), currency)}
    if unassigned < 0:
        found.append(Note("bad", _("%(amount)s more than is left of the payment") % amount))
    elif unassigned > 0:
        found.append(Note("warn", _("%(amount)s of the payment left unassigned") % amount))
    return found or [Note("ok", _("Fits exactly."))]


def problems(rows: list[Row]) -> list[str]:
    """What keeps the rows from being saved, before the service has its say."""
    if not rows:
        return [_("Choose at least one invoice.")]
    unreadable = [row.invoice.number for row in rows if row.amount is None]
    if unreadable:
        return [_("Enter the amount for %(numbers)s as a number, e.g. 1234,56.") % {"numbers": ", ".join(unreadable)}]
    return []


def allocations(rows: list[Row]) -> list[tuple[Invoice, Decimal, Decimal]]:
    """The rows as match_create takes them: (invoice, amount, written off)."""
    return [(row.invoice, row.amount, row.written_off) for row in rows]
