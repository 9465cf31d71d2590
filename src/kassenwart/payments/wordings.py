"""The payments app's stored messages (see kassenwart.core.messages)."""

from django.utils.translation import gettext_lazy as _

from kassenwart.core.messages import amount, define, nested
from kassenwart.payments.debits import return_reason_text

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
