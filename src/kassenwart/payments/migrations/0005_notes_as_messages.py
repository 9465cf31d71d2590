"""An order's note and the bank's last words on it were stored as finished sentences, in the
language of whoever wrote them (mostly the worker's English), so a German reader saw English.
They are stored messages now (payments/wordings.py, banking/wordings.py), worded when shown.

The sentences Kassenwart wrote itself become their keys again, with their parameters; this
table holds them as they were worded when this migration was written (English, and German
where the catalogue has them, for a worker that ran in German). Any other text is kept as
it was written: in the note a person's words (payments.given), in bank_said the bank's
(banking.bank_said)."""

import re

from django.db import migrations, models
from django.utils import translation

WORDED = {
    'banking.no_reason': 'no reason given',
    'banking.fints.pin_wrong': 'The bank refused the PIN. Enter the right PIN on the connection page; Kassenwart will not try again by itself.',
    'banking.fints.pin_blocked': 'The bank has locked this online banking access (too many wrong PINs). Unlock it with your bank, then enter the PIN again.',
    'banking.fints.unreachable': "The bank's FinTS server did not answer (%(error)s). Check the server URL; if it is right, the bank may be down for a while.",
    'banking.fints.tan_required': 'The bank asks for a TAN. Sync by hand from the connection page to give one.',
    'banking.fints.tan_required_at_login': 'The bank asks for a TAN at login. Sync by hand from the connection page to give one.',
    'banking.fints.query_tan_required': 'The bank asks for a TAN to read the accounts. Sync by hand from the connection page to give one.',
    'banking.fints.not_offered': 'The bank does not offer this over FinTS: %(error)s',
    'banking.fints.no_statements': 'The bank offers no account statements over FinTS.',
    'banking.fints.product_refused': "The bank does not accept Kassenwart's FinTS product id (%(said)s). Register one with the Deutsche Kreditwirtschaft and set KASSENWART_FINTS_PRODUCT_ID (see the README).",
    'banking.fints.refused': 'The bank refused: %(said)s',
    'banking.fints.tan_wrong': 'The TAN was wrong. Enter it again; the bank allows only a few tries.',
    'banking.fints.tan_expired': 'The bank ended the dialog before the TAN arrived (after 15 minutes or too many wrong TANs). Start the sync again for a new TAN.',
    'banking.fints.debit_scheme': 'Kassenwart sends SEPA Core and B2B direct debits only, not %(scheme)s.',
    'banking.fints.connection_broke': 'The connection to the bank broke after the order was sent, so it is not known whether the bank executed it. It will not be sent again by itself: check the account statement.',
    'banking.fints.payee_check_unfinished': "The bank's payee check did not finish in time, so the bank did not execute the transfer. Send it again later.",
    'banking.fints.dialog_had_ended': 'The bank had ended the dialog (%(said)s), so it did not take the answer and did not execute the transfer. Send it again.',
    'banking.fints.held_back': 'The bank held the transfer back without asking for a TAN (%(said)s), so it did not execute it. Send it again.',
    'banking.fints.answer_silent': "The bank's answer said nothing about the order (%(said)s). It will not be sent again by itself: check the account statement.",
    'banking.fints.pin_not_kept': 'The PIN is not kept for this connection: enter it to sync.',
    'banking.fints.secret_unusable': 'The saved secrets of this connection (%(what)s) were altered or sealed with another key, so they are not used. Enter the PIN again to reconnect.',
    'banking.fints.app_confirmation_late': 'The app confirmation did not arrive in time. Send the order again.',
    'banking.fints.order_dialog_ended': 'The bank ended the dialog (after 15 minutes without an answer). The order was not executed; send it again.',
    'payments.no_connection': 'The account has no FinTS connection any more; nothing was sent.',
    'payments.payee_not_confirmed': 'Payee check not confirmed.',
    'payments.uploaded': 'Uploaded to the bank by %(user)s.',
    'payments.moved_into_run': 'moved into run #%(number)s',
    'payments.returned': "Returned by the payee's bank (reason %(code)s).",
    'payments.crashed_after_sending': 'The process sending this order (or its answer to the bank) ended half way, after the order may have reached the bank: it is not known whether the bank executed it. It will not be sent again by itself: check the account statement.',
    'payments.crashed_before_sending': 'The process sending this order ended before the order went to the bank; it was not sent. Send it again.',
    'payments.sending_stalled': 'Sending stopped half way (the worker ended), so it is not known whether the bank got the transfer. It will not be sent again by itself: check the account statement.',
    'payments.answer_lost': 'An answer (TAN or payee confirmation) went to the bank and its reply never came back; the transfer may have been executed. It will not be sent again by itself: check the account statement.',
    'payments.app_dialog_ended': 'The bank ended the dialog before it reported the app confirmation; the transfer may have been executed. It will not be sent again by itself: check the account statement.',
    'payments.dialog_lapsed': 'The bank ended the dialog after 15 minutes without an answer; it did not execute the transfer. Send it again.',
    'payments.failed_after_answer': 'Something failed after the answer went to the bank, so it is not known whether the transfer was executed. It will not be sent again by itself: check the account statement.',
    'payments.app_unconfirmed': 'The bank did not report the app confirmation (%(said)s); the transfer may have been executed. It will not be sent again by itself: check the account statement.',
}
# Parameters that held another of these sentences (or the bank's words).
NESTED = {("banking.fints.refused", "said"), ("banking.fints.answer_silent", "said"),
          ("payments.app_unconfirmed", "said")}
_PARAMETER = re.compile(r"%\\\(([a-z_]+)\\\)s")


def _pattern(text: str) -> re.Pattern:
    return re.compile(_PARAMETER.sub(lambda found: f"(?P<{found[1]}>.+?)", re.escape(text)), re.DOTALL)


_PATTERNS: list | None = None


def _patterns() -> list:
    global _PATTERNS
    if _PATTERNS is None:
        _PATTERNS = []
        for key, english in WORDED.items():
            with translation.override("de"):
                german = translation.gettext(english)
            _PATTERNS += [(key, _pattern(text)) for text in dict.fromkeys([english, german])]
    return _PATTERNS


def known(text: str) -> dict | None:
    """The message a sentence of Kassenwart's was worded from, or None."""
    for key, pattern in _patterns():
        found = pattern.fullmatch(text)
        if found:
            params = {name: (known(value) or value) if (key, name) in NESTED else value
                      for name, value in found.groupdict().items()}
            return {"key": key, "params": params}
    return None


def as_message(text: str, *, kept_as: str) -> dict | None:
    text = text.strip()
    if not text:
        return None
    return known(text) or {"key": kept_as, "params": {"text": text}}


def as_text(message) -> str:
    """Back to words (English), for going back to the text columns."""
    if not isinstance(message, dict):
        return ""
    params = {name: as_text(value) if isinstance(value, dict) else value
              for name, value in (message.get("params") or {}).items()}
    wording = WORDED.get(message.get("key", ""), "%(text)s")
    try:
        return wording % params if params else wording
    except (KeyError, TypeError, ValueError):
        return str(params.get("text", ""))


def forwards(apps, schema_editor):
    orders = apps.get_model("payments", "PaymentOrder").objects
    rows = orders.exclude(note_text="", bank_said_text="").values_list("pk", "note_text", "bank_said_text")
    for pk, note, said in rows.iterator():
        orders.filter(pk=pk).update(note=as_message(note, kept_as="payments.given"),
                                    bank_said=as_message(said, kept_as="banking.bank_said"))


def backwards(apps, schema_editor):
    orders = apps.get_model("payments", "PaymentOrder").objects
    rows = orders.exclude(note=None, bank_said=None).values_list("pk", "note", "bank_said")
    for pk, note, said in rows.iterator():
        orders.filter(pk=pk).update(note_text=as_text(note), bank_said_text=as_text(said))


class Migration(migrations.Migration):
    dependencies = [("payments", "0004_order_claimed_by")]

    operations = [
        migrations.RenameField("paymentorder", "note", "note_text"),
        migrations.RenameField("paymentorder", "bank_said", "bank_said_text"),
        migrations.AddField("paymentorder", "note", models.JSONField(blank=True, null=True)),
        migrations.AddField("paymentorder", "bank_said", models.JSONField(blank=True, null=True)),
        migrations.RunPython(forwards, backwards, elidable=True),
        migrations.RemoveField("paymentorder", "note_text"),
        migrations.RemoveField("paymentorder", "bank_said_text"),
    ]
