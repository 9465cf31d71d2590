"""The checks a bank applies to a credit-transfer message, all of them at once.

    problems(message, today=today)   -> [Problem, ...] (empty: the message can be sent)
    check(message, today=today)      raises SepaInvalid with all problems

Each `Problem` has the `field` (a path: "debtor.iban", "transfers[2].amount", 0-based), a
stable `code` ("iban_invalid") that the web layer translates, an English `message` naming
the field and, when a message has several transfers, the transfer's position (1-based,
also in `params["position"]`), and the values a translation needs in `params`.
Names and remittance are checked as they will be sent, after `to_sepa_text`.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from .model import CreditTransfer, Party, TransferMessage
from .text import id_problem, to_sepa_text, unsendable

CENT = Decimal("0.01")
AMOUNT_MIN = Decimal("0.01")
AMOUNT_MAX = Decimal("999999999.99")
NAME_MAX = 70
REMITTANCE_MAX = 140
CURRENCY = "EUR"
ID_MESSAGES = {
    "missing": "{label} is missing.",
    "too_long": "{label} is longer than 35 characters.",
    "charset": "{label} may only contain the letters a-z and A-Z, digits, spaces and / - ? : ( ) . , ' +.",
    "slash": "{label} must not start or end with '/' or contain '//'.",
}


@dataclasses.dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str
    params: dict = dataclasses.field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        return self.message


class SepaInvalid(Exception):
    """The message cannot be sent; `problems` says everything that is wrong with it."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(" ".join(p.message for p in self.problems))


class _Report:
    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, field: str, code: str, message: str, **params) -> None:
        self.problems.append(Problem(field, code, message.format(**params), params))


def problems(message: TransferMessage, *, today: date, dk: bool = True) -> list[Problem]:
    """Everything that keeps `message` from being sent on `today`. `dk=False` allows only the
    basic EPC characters in names and remittance (no umlauts, no &)."""
    report = _Report()
    _identifier(report, "message_id", "Message id", message.message_id)
    _identifier(report, "payment_info_id", "Payment-information id", message.payment_info_id)
    _name(report, "initiator", "Initiating party name", message.initiator, dk)
    debtor_iban = _party(report, "debtor", "Debtor", message.debtor, dk)
    if message.requested_date < today:
        report.add("requested_date", "date_past",
                   "Requested execution date {date} is in the past (today is {today}).",
                   date=message.requested_date.isoformat(), today=today.isoformat())
    if not message.transfers:
        report.add("transfers", "no_transfers", "The message has no transfers.")
    seen: dict[str, int] = {}
    for index, transfer in enumerate(message.transfers):
        position = index + 1 if message.count > 1 else None
        creditor_iban = _transfer(report, f"transfers[{index}]", position, transfer, dk)
        if creditor_iban and creditor_iban == debtor_iban:
            _add(report, f"transfers[{index}].creditor.iban", "same_account", position,
                 "Creditor IBAN{where} is the debtor's own account {iban}.", iban=creditor_iban)
        earlier = seen.setdefault(transfer.end_to_end_id, index + 1)
        if earlier != index + 1:
            _add(report, f"transfers[{index}].end_to_end_id", "id_duplicate", position,
                 "End-to-end id{where} ({value}) is already used by transfer {earlier}.",
                 value=transfer.end_to_end_id, earlier=earlier)
    return report.problems


def check(message: TransferMessage, *, today: date, dk: bool = True) -> None:
    found = problems(message, today=today, dk=dk)
    if found:
        raise SepaInvalid(found)


def _add(report: _Report, path: str, code: str, position: int | None, message: str, **params) -> None:
    """A problem of transfer `position` (None when the message has only one)."""
    where = f" of transfer {position}" if position else ""
    if position:
        params["position"] = position
    report.add(path, code, message.replace("{where}", where), **params)


def _transfer(report: _Report, path: str, position: int | None, transfer: CreditTransfer, dk: bool) -> str | None:
    _identifier(report, f"{path}.end_to_end_id", "End-to-end id", transfer.end_to_end_id, position)
    _amount(report, f"{path}.amount", position, transfer.amount)
    if transfer.currency != CURRENCY:
        _add(report, f"{path}.currency", "currency_not_eur", position,
             "Currency{where} is {currency}; SEPA transfers are in EUR only.", currency=transfer.currency)
    text = to_sepa_text(transfer.remittance, dk)
    if len(text) > REMITTANCE_MAX:
        _add(report, f"{path}.remittance", "remittance_too_long", position,
             "Remittance information{where} has {length} characters; at most {limit} are allowed.",
             length=len(text), limit=REMITTANCE_MAX)
    _charset(report, f"{path}.remittance", "Remittance information", position, text, dk)
    return _party(report, f"{path}.creditor", "Creditor", transfer.creditor, dk, position)


def _party(report: _Report, path: str, role: str, party: Party, dk: bool, position: int | None = None) -> str | None:
    """Checks name, IBAN and BIC; the IBAN in its compact form when it is valid."""
    _name(report, f"{path}.name", f"{role} name", party.name, dk, position)
    iban = _iban(report, f"{path}.iban", f"{role} IBAN", party.iban, position)
    _bic(report, f"{path}.bic", f"{role} BIC", party.bic, position)
    return iban


def _identifier(report: _Report, path: str, label: str, value: str, position: int | None = None) -> None:
    why = id_problem(value)
    if why:
        _add(report, path, f"id_{why}", position, ID_MESSAGES[why].replace("{label}", label + "{where}"))


def _name(report: _Report, path: str, label: str, value: str, dk: bool, position: int | None = None) -> None:
    text = to_sepa_text(value, dk)
    if not text:
        _add(report, path, "name_missing", position, f"{label}{{where}} is missing.")
    elif len(text) > NAME_MAX:
        _add(report, path, "name_too_long", position,
             f"{label}{{where}} has {{length}} characters; at most {{limit}} are allowed.",
             length=len(text), limit=NAME_MAX)
    _charset(report, path, label, position, text, dk)


def _charset(report: _Report, path: str, label: str, position: int | None, text: str, dk: bool) -> None:
    bad = unsendable(text, dk)
    if bad:
        code = "remittance_charset" if path.endswith("remittance") else "name_charset"
        _add(report, path, code, position,
             f"{label}{{where}} contains characters that cannot be sent: {{characters}}.",
             characters=" ".join(bad))


def _iban(report: _Report, path: str, label: str, value: str, position: int | None) -> str | None:
    if not value.strip():
        _add(report, path, "iban_missing", position, f"{label}{{where}} is missing.")
        return None
    try:
        iban = IBAN(value)
    except SchwiftyException as error:
        _add(report, path, "iban_invalid", position, f"{label}{{where}} ({{value}}) is not valid: {{reason}}.",
             value=value, reason=str(error))
        return None
    if not iban.in_sepa_zone:
        _add(report, path, "iban_not_sepa", position,
             f"{label}{{where}} ({{value}}) is from {{country}}, which is not in the SEPA area.",
             value=iban.compact, country=iban.country_code)
    return iban.compact


def _bic(report: _Report, path: str, label: str, value: str, position: int | None) -> None:
    if not (value or "").strip():
        return  # not provided (empty or None): the bank finds it from the IBAN
    try:
        BIC(value)
    except SchwiftyException as error:
        _add(report, path, "bic_invalid", position, f"{label}{{where}} ({{value}}) is not valid: {{reason}}.",
             value=value, reason=str(error))


def _amount(report: _Report, path: str, position: int | None, amount) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        _add(report, path, "amount_invalid", position, "Amount{where} ({value}) is not a Decimal.",
             value=repr(amount))
    elif not AMOUNT_MIN <= amount <= AMOUNT_MAX:
        _add(report, path, "amount_range", position, "Amount{where} ({value}) is not between {low} and {high}.",
             value=str(amount), low=str(AMOUNT_MIN), high=str(AMOUNT_MAX))
    elif amount != amount.quantize(CENT):
        _add(report, path, "amount_decimals", position, "Amount{where} ({value}) has more than two decimal places.",
             value=str(amount))
