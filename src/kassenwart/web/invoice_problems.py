"""The problems of an invoice file (receivables.invoice_csv) in the reader's language."""

from django.utils.translation import gettext_lazy as _

from kassenwart.receivables.invoice_csv import RowError

PROBLEM_TEXTS = {
    "column_missing": _("This column is missing in the header line."),
    "empty": _("Empty; a value is needed here."),
    "amount_invalid": _("%(value)s is not an amount (like 1234.56 or 1.234,56)."),
    "amount_unbookable": _("%(value)s cannot be booked: more than two decimal places, or too large."),
    "date_invalid": _("%(value)s is not a date (like 2026-07-21 or 21.07.2026)."),
    "iban_invalid": _("%(value)s is not a valid IBAN."),
    "currency_invalid": _("%(value)s is not a currency code (like EUR)."),
    "email_invalid": _("%(value)s is not an e-mail address."),
    "number_duplicate": _("The invoice number %(number)s is also on line %(line)s."),
}


def problem_text(error: RowError) -> str:
    """The problem by its code; the reader's English message when the code is unknown."""
    text = PROBLEM_TEXTS.get(error.code)
    if text is None:
        return error.message
    try:
        return str(text) % error.params
    except (KeyError, TypeError, ValueError):
        return error.message
