"""The bookings of a period as CSV for the accountant: one line per invoice a payment paid, one
line for a transaction that paid none. Used by the exports page and `kassenwart export-bookings`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from kassenwart.accounting.selectors import BookedLine
from kassenwart.reconciliation.models import TransactionState
from kassenwart.web.lists import AMOUNT, DATE, Column


def columns() -> list[Column]:
    """The headings in the active language."""
    return [
        Column(_("Booking date"), DATE), Column(_("Value date"), DATE), Column(_("Account")), Column(_("IBAN")),
        Column(_("Name")), Column(_("Counterparty IBAN")), Column(_("Remittance information")),
        Column(_("Amount"), AMOUNT), Column(_("Currency")), Column(_("Status")), Column(_("Invoice")),
        Column(_("Customer number")), Column(_("Customer")), Column(_("Applied"), AMOUNT),
    ]


def rows(lines: Iterable[BookedLine]) -> Iterator[tuple]:
    statuses = dict(TransactionState.Status.choices)
    for line in lines:
        common = (line.booking_date, line.value_date, line.account_name, line.account_iban, line.counterparty_name,
                  line.counterparty_iban, line.remittance, line.amount, line.currency,
                  str(statuses.get(line.status, line.status)))
        if not line.applied:
            yield (*common, "", "", "", None)
        for applied in line.applied:
            yield (*common, applied.invoice_number, applied.customer_number, applied.customer_name, applied.amount)
