"""The engine's reasons in the reader's language.

The engine is pure and speaks English ("invoice number RE-2026-0042 in remittance,
1 transposition"); matches store those words, and so do maps by hand ("mapped by hand", in
English whoever mapped). Here they are read back by pattern and said again through gettext,
with amounts in the local format. A reason no pattern knows is shown as it is, so a new
wording in the engine is never lost, only untranslated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop


def _amount(text: str) -> str:
    return number_format(Decimal(text), decimal_pos=2, use_l10n=True, force_grouping=True)


_PREFIX = re.compile(r"prefix (?P<found>\S+) instead of (?P<expected>\S+)")


def _detail(text: str) -> str:
    """How a number in the remittance deviates from the invoice number (one or more
    deviations, separated by commas)."""
    return ", ".join(_one_detail(part) for part in text.split(", "))


def _one_detail(text: str) -> str:
    prefix = _PREFIX.fullmatch(text)
    if prefix:
        return _("prefix %(found)s instead of %(expected)s") % prefix.groupdict()
    details = {
        "also a customer number": _("also a customer number"),
        "without leading zeros": _("without leading zeros"),
        "right after other digits": _("right after other digits"),
        "1 missing digit": _("1 digit missing"),
        "1 missing character": _("1 character missing"),
        "1 extra digit": _("1 digit too many"),
        "1 extra character": _("1 character too many"),
        "1 wrong digit": _("1 wrong digit"),
        "1 wrong character": _("1 wrong character"),
        "1 transposition": _("1 transposition"),
    }
    return details.get(text, text)


def _payer_name(label: str) -> str:
    labels = {
        "payer name": _("payer name"),
        "payer name (learned)": _("payer name (learned)"),
        "payer name (truncated)": _("payer name (cut short)"),
        "payer name (other legal form)": _("payer name (other legal form)"),
        "payer name, shared by several customers": _("payer name, shared by several customers"),
    }
    return labels.get(label, label)


def _invoice_number(m: re.Match) -> str:
    values = {"number": m["number"], "detail": _detail(m["detail"] or "")}
    if m["detail"]:
        return _("invoice number %(number)s in remittance, %(detail)s") % values
    return _("invoice number %(number)s in remittance") % values


def _payer_name_matches(m: re.Match) -> str:
    return _("%(label)s matches customer %(customer)s") % {"label": _payer_name(m["label"]), "customer": m["customer"]}


def _say(msgid: str, several: str = "") -> Callable[[re.Match], str]:
    """A reason said again with its parts copied over (amounts in the local format);
    `several` is the wording for the sum of several open amounts."""

    def say(m: re.Match) -> str:
        values = {key: _amount(value) if key == "amount" else value for key, value in m.groupdict().items() if value}
        return _(several if several and "count" in values else msgid) % values

    return say


_TARGET = r"(?:open amount|sum of (?P<count>\d+) open amounts)"
_MONEY = r"(?P<amount>-?\d+(?:\.\d+)?)"

# Wordings are marked with gettext_noop for makemessages and translated when said.
_PATTERNS = [
    (re.compile(pattern), say)
    for pattern, say in (
        (r"invoice number (?P<number>\S+) in remittance(?:, (?P<detail>.+))?", _invoice_number),
        (
            r"'(?P<text>.+)' in remittance, short for invoice number (?P<number>\S+)",
            _say(gettext_noop("“%(text)s” in remittance, short for invoice number %(number)s")),
        ),
        (r"payment reference (?P<ref>\S+) matches", _say(gettext_noop("payment reference %(ref)s matches"))),
        (r"payment reference (?P<ref>\S+) in remittance", _say(gettext_noop("payment reference %(ref)s in remittance"))),
        (r"payer IBAN known for customer (?P<customer>.+)", _say(gettext_noop("payer IBAN known for customer %(customer)s"))),
        (r"payer IBAN learned for customer (?P<customer>.+)", _say(gettext_noop("payer IBAN learned for customer %(customer)s"))),
        (r"(?P<label>payer name[^,]*(?:, shared by several customers)?) matches customer (?P<customer>.+)", _payer_name_matches),
        (r"payer name similar to customer (?P<customer>.+)", _say(gettext_noop("payer name similar to customer %(customer)s"))),
        (r"customer number (?P<customer>.+) in remittance", _say(gettext_noop("customer number %(customer)s in remittance"))),
        (
            rf"amount equals {_TARGET}",
            _say(gettext_noop("amount equals open amount"), gettext_noop("amount equals sum of %(count)s open amounts")),
        ),
        (rf"Skonto (?P<percent>[\d.]+) % \({_MONEY} deducted\)", _say(gettext_noop("Skonto %(percent)s %% (%(amount)s deducted)"))),
        (
            rf"{_MONEY} less than {_TARGET} \(bank fee\)",
            _say(
                gettext_noop("%(amount)s less than open amount (bank fee)"),
                gettext_noop("%(amount)s less than sum of %(count)s open amounts (bank fee)"),
            ),
        ),
        (
            rf"installment: amount is 1/(?P<parts>\d+) of {_TARGET}",
            _say(
                gettext_noop("installment: amount is 1/%(parts)s of open amount"),
                gettext_noop("installment: amount is 1/%(parts)s of sum of %(count)s open amounts"),
            ),
        ),
        (
            rf"partial payment, {_MONEY} of {_TARGET} stays open",
            _say(
                gettext_noop("partial payment, %(amount)s of open amount stays open"),
                gettext_noop("partial payment, %(amount)s of sum of %(count)s open amounts stays open"),
            ),
        ),
        (rf"overpaid by {_MONEY}", _say(gettext_noop("overpaid by %(amount)s"))),
        (
            rf"amount does not fit {_TARGET}",
            _say(gettext_noop("amount does not fit open amount"), gettext_noop("amount does not fit sum of %(count)s open amounts")),
        ),
        (r"payer points to another customer", _say(gettext_noop("payer points to another customer"))),
        (
            r"invoice of customer (?P<invoice>.+), payer known as customer (?P<payer>.+)",
            _say(gettext_noop("invoice of customer %(invoice)s, payer known as customer %(payer)s")),
        ),
        (r"undone by a person before", _say(gettext_noop("undone by a person before"))),
        (r"no open invoice fits", _say(gettext_noop("no open invoice fits"))),
        (r"outgoing payment", _say(gettext_noop("outgoing payment"))),
        (r"return or reversal", _say(gettext_noop("return or reversal"))),
        (r"mapped by hand", _say(gettext_noop("mapped by hand"))),
        (
            r"direct debit collected under mandate (?P<mandate>.+)",
            _say(gettext_noop("direct debit collected under mandate %(mandate)s")),
        ),
        (r"direct debit returned \((?P<code>\w+)\)", _say(gettext_noop("direct debit returned (%(code)s)"))),
        (r"suggestion accepted", _say(gettext_noop("suggestion accepted"))),
    )
]


def translate(reason: str) -> str:
    """One reason of the engine (or of a person's map) in the active language."""
    for pattern, say in _PATTERNS:
        m = pattern.fullmatch(reason)
        if m:
            return say(m)
    return reason
