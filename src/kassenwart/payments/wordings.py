"""The payments app's stored messages (see kassenwart.core.messages)."""

from django.utils.translation import gettext_lazy as _

from kassenwart.core.messages import amount, define, message, nested
from kassenwart.payments.debits import return_reason_text
from kassenwart.payments.models import Mandate

# What an order is, as part of another message.
define("payments.transfer", _("transfer %(order)s"))
define("payments.payment_run", _("payment run %(order)s (%(count)s transfers)"))
define("payments.debit_run", _("debit run %(order)s (%(count)s debits)"))

define("payments.order_waiting", _("%(what)s of %(total)s EUR waits for approval."), what=nested, total=amount)
define("payments.bank_accepted", _("The bank accepted %(what)s (%(total)s EUR)."), what=nested, total=amount)
define("payments.bank_rejected", _("The bank rejected %(what)s (%(total)s EUR)."), what=nested, total=amount)
define("payments.outcome_unknown", _("%(what)s (%(total)s EUR): outcome unknown, check the statement."),
       what=nested, total=amount)
define("payments.debit_returned", _("Direct debit of %(amount)s EUR from %(debtor)s came back: %(reason)s."),
       amount=amount, reason=return_reason_text)

# An order's note and the bank's last words on it (PaymentOrder.note, .bank_said), worded for
# whoever reads the order's page. Words nobody can translate are kept as they were written: a
# person's (why they cancelled it), the bank's own (banking.bank_said), and texts stored before
# these keys that no key fits (migration 0005).
define("payments.given", "%(text)s")
define("payments.no_connection", _("The account has no FinTS connection any more; nothing was sent."))
define("payments.payee_not_confirmed", _("Payee check not confirmed."))
define("payments.uploaded", _("Uploaded to the bank by %(user)s."))
define("payments.moved_into_run", _("moved into run #%(number)s"))
define("payments.returned", _("Returned by the payee's bank (reason %(code)s)."))
define("payments.crashed_after_sending", _(
    "The process sending this order (or its answer to the bank) ended half way, after the "
    "order may have reached the bank: it is not known whether the bank executed it. It will "
    "not be sent again by itself: check the account statement."))
define("payments.crashed_before_sending", _(
    "The process sending this order ended before the order went to the bank; it was not "
    "sent. Send it again."))
define("payments.sending_stalled", _(
    "Sending stopped half way (the worker ended), so it is not known whether the bank got the "
    "transfer. It will not be sent again by itself: check the account statement."))
define("payments.answer_lost", _(
    "An answer (TAN or payee confirmation) went to the bank and its reply never came back; "
    "the transfer may have been executed. It will not be sent again by itself: check the "
    "account statement."))
define("payments.app_dialog_ended", _(
    "The bank ended the dialog before it reported the app confirmation; the transfer may "
    "have been executed. It will not be sent again by itself: check the account statement."))
define("payments.dialog_lapsed", _(
    "The bank ended the dialog after 15 minutes without an answer; it did not "
    "execute the transfer. Send it again."))
define("payments.failed_after_answer", _(
    "Something failed after the answer went to the bank, so it is not known whether the "
    "transfer was executed. It will not be sent again by itself: check the account statement."))
define("payments.app_unconfirmed", _(
    "The bank did not report the app confirmation (%(said)s); the transfer may have been "
    "executed. It will not be sent again by itself: check the account statement."), said=nested)



def _mandate_state(value: str) -> str:
    return str(Mandate.State(value).label) if value in Mandate.State.values else value


# Why a collection was cancelled or a plan stopped (its audit event): the mandate ended.
define("payments.mandate_ended", _("mandate %(state)s"), state=_mandate_state)


def given(text: str) -> dict | None:
    """A person's words (a reason, a note) as the message to store; None when they gave none."""
    text = text.strip()
    return message("payments.given", text=text) if text else None
