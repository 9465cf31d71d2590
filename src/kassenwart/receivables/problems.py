"""The problems of invoices read by receivables.invoice_csv, in the reader's language (the
web's upload page and the API's bulk upsert word them alike)."""

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
    "too_long": _("Longer than %(max)s characters."),
}


def problem_text(error: RowError, texts: dict | None = None) -> str:
    """The problem by its code (`texts` may word some codes otherwise); the parser's English
    message when the code is unknown."""
    text = (texts or {}).get(error.code) or PROBLEM_TEXTS.get(error.code)
    if text is None:
        return error.message
    try:
        return str(text) % error.params
    except (KeyError, TypeError, ValueError):
        return error.message
