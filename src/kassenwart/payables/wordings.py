"""The payables app's stored messages (see kassenwart.core.messages)."""

from django.utils.translation import gettext_lazy as _

from kassenwart.core.messages import define

define("payables.refused", _("refused: %(path)s: rule %(rule)s: %(detail)s"))
define("payables.duplicate", _("duplicate: %(supplier)s invoice %(number)s is bill %(id)s already"))
define("payables.flag.iban_changed",
       _("IBAN %(iban)s differs from the IBAN this supplier was paid to before (%(known)s)"))
define("payables.flag.no_iban", _("the bill names no IBAN to pay to"))
