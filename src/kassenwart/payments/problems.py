"""The problems payments report by code, in the reader's language: the SEPA rules
(payments/sepa/rules.py), payment runs, mandates and the mandate CSV reader speak English (pure
or shared code); the words people read are here, one table for the web's forms and the API's
error bodies alike.

Services that word a problem in the active language already (collections, debits) need no
entry: a code not in the table, or a text whose parameters the problem does not carry, is
answered with the problem's own message.
"""

from django.utils.translation import gettext_lazy as _

PROBLEM_TEXTS = {
    # transfers and debits (payments/sepa/rules.py)
    "iban_missing": _("Enter the IBAN."),
    "iban_invalid": _("%(value)s is not a valid IBAN (check the digits)."),
    "iban_not_sepa": _("%(value)s is from %(country)s, which is not in the SEPA area."),
    "bic_invalid": _("%(value)s is not a valid BIC."),
    "name_missing": _("Enter the name."),
    "name_too_long": _("The name has %(length)s characters; banks take at most %(limit)s."),
    "name_charset": _("The name contains characters banks cannot send: %(characters)s."),
    "remittance_too_long": _("%(length)s characters; banks take at most %(limit)s."),
    "remittance_charset": _("Contains characters banks cannot send: %(characters)s."),
    "amount_range": _("The amount must be between %(low)s and %(high)s."),
    "amount_decimals": _("The amount has more than two decimal places."),
    "date_past": _("The execution date is in the past; choose today or later."),
    "same_account": _("This is the account the money would come from."),
    "currency_not_eur": _("SEPA transfers are in EUR only."),
    "account_cannot_pay": _("Payments cannot be made from this account: Kassenwart can neither send "
                            "them over FinTS nor write a pain file for it (it needs an IBAN, EUR, "
                            "and must not be a securities or credit card account)."),
    # runs (payments/runs.py)
    "run_unknown": _("Some of the selected transfers do not exist (any more). Reload the page."),
    "run_not_open": _("Only drafts and transfers waiting for approval can go into a run; "
                      "%(orders)s cannot."),
    "run_too_small": _("Select at least two transfers for a run."),
    "run_accounts": _("A run pays from one account; the selected transfers use several."),
    "run_instant": _("Instant and ordinary transfers cannot go into one run."),
    "run_delivery": _("Transfers sent over FinTS and transfers exported as a file cannot go into "
                      "one run."),
    # creditor ids, mandates and the direct debit settings (payments/mandates.py)
    "creditor_id_not_set": _("Your company has no SEPA creditor identifier yet. No mandate or debit can be "
                             "recorded without one."),
    "creditor_id_missing": _("Enter the creditor identifier."),
    "creditor_id_format": _("%(value)s is not a SEPA creditor identifier (like DE98ZZZ09999999999)."),
    "creditor_id_country": _("%(value)s is from %(country)s, which is not in the SEPA area."),
    "creditor_id_checksum": _("%(value)s has wrong check digits; check the creditor identifier."),
    "pre_notification_range": _("Enter between %(low)s and %(high)s days."),
    "email_invalid": _("%(value)s is not an e-mail address."),
    "customer_invalid": _("Choose one of your customers."),
    "customer_unknown": _("There is no customer with the number %(number)s."),
    "reference_missing": _("Enter the mandate reference."),
    "reference_too_long": _("The mandate reference has %(length)s characters; at most %(limit)s are allowed."),
    "reference_charset": _("The mandate reference contains characters banks cannot send: %(characters)s. "
                           "Letters a-z, digits, spaces and / - ? : ( ) . , ' + are allowed."),
    "reference_slash": _("The mandate reference must not start or end with / nor contain //."),
    "reference_taken": _("The mandate reference %(reference)s is already used under this creditor identifier."),
    "reference_duplicate": _("%(reference)s is also on line %(line)s."),
    "reference_changed": _("%(reference)s is already recorded with other data (%(columns)s). Changes to a "
                           "mandate are made on its page (Amend)."),
    "signed_in_future": _("The signature date is in the future."),
    "signed_on_missing": _("Enter the date the mandate was signed."),
    "scheme_invalid": _("%(value)s is not CORE or B2B."),
    "kind_invalid": _("%(value)s is neither recurring nor one-off (wiederkehrend, einmalig)."),
    "nothing_changed": _("Nothing was changed."),
    # the mandate CSV reader (payments/mandate_csv.py)
    "column_missing": _("This column is missing in the header line."),
    "empty": _("Empty; a value is needed here."),
    "date_invalid": _("%(value)s is not a date (like 2026-07-21 or 21.07.2026)."),
    "no_rows": _("The file has no mandates."),
}


def problem_text(problem) -> str:
    """A problem (a sepa.rules Problem or a mandate_csv RowError: `code`, `params`,
    `message`) in the active language."""
    text = PROBLEM_TEXTS.get(problem.code)
    if text is None:
        return problem.message
    try:
        return str(text) % problem.params
    except (KeyError, TypeError, ValueError):
        return problem.message
