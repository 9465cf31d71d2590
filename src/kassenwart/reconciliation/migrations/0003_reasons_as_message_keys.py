"""Reasons of matches and suggestions, and notes, were stored as the engine's English words and
translated back by pattern on display (web/reasons.py, removed). They are stored as message
keys with parameters now (reconciliation/reasons.py); this turns the stored words into keys
once, with the patterns that web/reasons.py used. A reason no pattern knows stays as it is
stored and is shown as it is."""

import re

from django.db import migrations

_PREFIX = "reconciliation.reason."
_TARGET = r"(?:open amount|sum of (?P<count>\d+) open amounts)"
_MONEY = r"(?P<amount>-?\d+(?:\.\d+)?)"
_DETAILS = {
    "without leading zeros": "without_leading_zeros",
    "right after other digits": "after_other_digits",
    "also a customer number": "also_customer_number",
    "1 missing digit": "missing_digit",
    "1 missing character": "missing_character",
    "1 extra digit": "extra_digit",
    "1 extra character": "extra_character",
    "1 wrong digit": "wrong_digit",
    "1 wrong character": "wrong_character",
    "1 transposition": "transposition",
}
_NAMES = {
    "payer name": "name",
    "payer name (learned)": "name_learned",
    "payer name (truncated)": "name_truncated",
    "payer name (other legal form)": "name_other_legal_form",
    "payer name, shared by several customers": "name_shared",
}
_PREFIX_DETAIL = re.compile(r"prefix (?P<found>\S+) instead of (?P<expected>\S+)")
# (pattern, key; a key ending in "_sum" is taken without it when there is no count)
_PATTERNS = [
    (re.compile(pattern), key)
    for pattern, key in (
        (r"invoice number (?P<number>\S+) in remittance", "invoice_number"),
        (r"invoice number (?P<number>\S+) in remittance, (?P<detail>.+)", "invoice_number_deviating"),
        (r"'(?P<text>.+)' in remittance, short for invoice number (?P<number>\S+)", "short_form"),
        (r"payment reference (?P<ref>\S+) matches", "reference_matches"),
        (r"payment reference (?P<ref>\S+) in remittance", "reference_in_remittance"),
        (r"payer IBAN known for customer (?P<customer>.+)", "iban_known"),
        (r"payer IBAN learned for customer (?P<customer>.+)", "iban_learned"),
        (r"(?P<label>payer name[^,]*(?:, shared by several customers)?) matches customer (?P<customer>.+)", "name_matches"),
        (r"payer name similar to customer (?P<customer>.+)", "name_similar"),
        (r"customer number (?P<customer>.+) in remittance", "customer_number"),
        (rf"amount equals {_TARGET}", "amount_equals_sum"),
        (rf"Skonto (?P<percent>[\d.]+) % \({_MONEY} deducted\)", "skonto"),
        (rf"{_MONEY} less than {_TARGET} \(bank fee\)", "bank_fee_sum"),
        (rf"installment: amount is 1/(?P<parts>\d+) of {_TARGET}", "installment_sum"),
        (rf"partial payment, {_MONEY} of {_TARGET} stays open", "partial_sum"),
        (rf"overpaid by {_MONEY}", "overpaid"),
        (rf"amount does not fit {_TARGET}", "amount_does_not_fit_sum"),
        (r"payer points to another customer", "payer_elsewhere"),
        (r"invoice of customer (?P<invoice>.+), payer known as customer (?P<payer>.+)", "other_customer"),
        (r"undone by a person before", "undone_before"),
        (r"no open invoice fits", "no_fit"),
        (r"outgoing payment", "outgoing"),
        (r"return or reversal", "return_or_reversal"),
        (r"mapped by hand", "mapped_by_hand"),
        (r"suggestion accepted", "suggestion_accepted"),
        (r"direct debit collected under mandate (?P<mandate>.+)", "mandate_collected"),
    )
]


def _message(key: str, **params) -> dict:
    return {"key": _PREFIX + key, "params": params}


def _detail(text: str):
    prefix = _PREFIX_DETAIL.fullmatch(text)
    if prefix:
        return _message("other_prefix", **prefix.groupdict())
    return _message(_DETAILS[text]) if text in _DETAILS else None


def as_message(reason):
    """An English reason as a stored message, or None when no pattern knows it."""
    if not isinstance(reason, str):
        return None
    for pattern, key in _PATTERNS:
        found = pattern.fullmatch(reason)
        if found is None:
            continue
        params = {name: value for name, value in found.groupdict().items() if value is not None}
        if key.endswith("_sum") and "count" not in params:
            key = key.removesuffix("_sum")
        elif "count" in params:
            params["count"] = int(params["count"])
        if "parts" in params:
            params["parts"] = int(params["parts"])
        if key == "invoice_number_deviating":
            details = [_detail(part) for part in params["detail"].split(", ")]
            if None in details:
                continue  # a number that contains ", "? leave it to the next pattern
            params["detail"] = details
        if key == "name_matches":
            if params["label"] not in _NAMES:
                return None
            params["label"] = _message(_NAMES[params["label"]])
        return _message(key, **params)
    return None


def _reasons(reasons: list) -> list:
    return [as_message(reason) or reason for reason in reasons]


def reasons_as_keys(apps, schema_editor):
    Match = apps.get_model("reconciliation", "Match")
    TransactionState = apps.get_model("reconciliation", "TransactionState")
    for match in Match.objects.only("reasons").iterator(chunk_size=2000):
        reasons = _reasons(match.reasons)
        if reasons != match.reasons:
            Match.objects.filter(pk=match.pk).update(reasons=reasons)
    for state in TransactionState.objects.only("suggestions", "note").iterator(chunk_size=2000):
        suggestions = [{**s, "reasons": _reasons(s.get("reasons") or [])} for s in state.suggestions]
        note = as_message(state.note)
        note = note["key"] if note and not note["params"] else state.note
        if suggestions != state.suggestions or note != state.note:
            TransactionState.objects.filter(pk=state.pk).update(suggestions=suggestions, note=note)


class Migration(migrations.Migration):

    dependencies = [
        ("reconciliation", "0002_undone_pairs_and_who_taught"),
    ]

    operations = [
        migrations.RunPython(reasons_as_keys, migrations.RunPython.noop),
    ]
