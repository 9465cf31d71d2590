"""The companies app's stored messages (see kassenwart.core.messages)."""

from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from kassenwart.core.messages import define


def _clock(value: str) -> str:
    return date_format(localtime(parse_datetime(value)), "SHORT_DATETIME_FORMAT")


define("companies.login_locked",
       _("Login of %(user)s locked until %(until)s after %(failures)s wrong passwords or codes."), until=_clock)
