"""The webhooks app's stored messages (see kassenwart.core.messages)."""

from django.utils.translation import gettext_lazy as _

from kassenwart.core.messages import define

define("webhooks.disabled_by_person", _("Disabled by %(user)s."))
define("webhooks.gone", _("The receiver answered 410 Gone: it wants no more events."))
define("webhooks.endpoint_disabled",
       _("The webhook endpoint %(url)s answered 410 Gone and was disabled; nothing is sent to it any more."))
