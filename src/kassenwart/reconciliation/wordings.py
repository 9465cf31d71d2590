"""The reconciliation app's stored messages (see kassenwart.core.messages): run results, and
the reasons of matches and suggestions ("reconciliation.reason.<key>", the keys of
engine/reasons.py, stored by `said` in reasons.py)."""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from kassenwart.core.messages import amount, define, nested, render
from kassenwart.reconciliation.engine.reasons import REASONS

define("reconciliation.auto_matched", ngettext_lazy(
    "%(count)d payment was reconciled automatically.", "%(count)d payments were reconciled automatically.", "count"))
define("reconciliation.needs_person", ngettext_lazy(
    "%(count)d payment needs a person.", "%(count)d payments need a person.", "count"))


def _listed(values) -> str:
    """Several reasons in a row (how a number deviates): "without leading zeros, 1 wrong digit"."""
    return ", ".join(render(value) for value in values)


def _percent(value) -> str:
    return number_format(Decimal(value), use_l10n=True)


def _reason(key: str, text, **shown_as) -> None:
    define(f"reconciliation.reason.{key}", text, **shown_as)


# The engine's reasons: their English words are the engine's own (engine/reasons.py), one table
# for the command line and the pages; django.po holds their translations under those words.
SHOWN_AS = {
    "invoice_number_deviating": {"detail": _listed},
    "name_matches": {"label": nested},
    "skonto": {"percent": _percent, "amount": amount},
    "bank_fee": {"amount": amount},
    "bank_fee_sum": {"amount": amount},
    "partial": {"amount": amount},
    "partial_sum": {"amount": amount},
    "overpaid": {"amount": amount},
}
for _key, _text in REASONS.items():
    _reason(_key, _(_text), **SHOWN_AS.get(_key, {}))

# The app's own: a person's word and a collection.
_reason("mapped_by_hand", _("mapped by hand"))
_reason("suggestion_accepted", _("suggestion accepted"))
_reason("mandate_collected", _("direct debit collected under mandate %(mandate)s"))

# Why a payment is not an invoice payment: a person's words, or a direct debit that came back.
_reason("given", "%(text)s")
_reason("debit_returned", _("direct debit returned (return code %(code)s)"))

# A payout from a payment provider's account arriving on a bank account (transfers.py).
_reason("internal_transfer", _("transfer between own accounts: %(provider)s payout %(payout)s"))
