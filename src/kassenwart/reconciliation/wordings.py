"""The reconciliation app's stored messages (see kassenwart.core.messages)."""

from django.utils.translation import ngettext_lazy

from kassenwart.core.messages import define

define("reconciliation.auto_matched", ngettext_lazy(
    "%(count)d payment was reconciled automatically.", "%(count)d payments were reconciled automatically.", "count"))
define("reconciliation.needs_person", ngettext_lazy(
    "%(count)d payment needs a person.", "%(count)d payments need a person.", "count"))
