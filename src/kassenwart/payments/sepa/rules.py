"""The checks a bank applies to a SEPA message, all of them at once: credit transfers
(pain.001) and direct debits (pain.008).

    problems(message, today=today)   -> [Problem, ...] (empty: the message can be sent)
    check(message, today=today)      raises SepaInvalid with all problems
    sendable(message, today=today)   -> the message as it will be written, or SepaInvalid

`sendable` returns a copy of the same type with every value in the form it is sent in:
names and remittance transliterated (`to_sepa_text`), IBANs and BICs compact and upper
case, creditor ids without spaces. The builders write that copy as it is, so each value is
checked and converted once, also in a file of 100,000 payments. Two answers are kept per
process because a file asks them again and again: whether a BIC is valid, and whether a
country is in the SEPA area.

Each `Problem` has the `field` (a path: "debtor.iban", "transfers[2].amount",
"debits[0].mandate.reference", 0-based), a stable `code` ("iban_invalid") that the web
layer translates, an English `message` naming the field and, when a message has several
payments, the payment's position (1-based, also in `params["position"]`), and the values a
translation needs in `params`. Names and remittance are checked as they will be sent.

Direct debits add, as the DK (DFÜ-Abkommen Anlage 3, pain.008.001.08_GBIC_4) and the EPC
rulebooks ask: a creditor id with valid check digits (`creditor_id_problems`, also for the
settings form); scheme CORE or B2B; one sequence type for the whole message; a mandate
reference of at most 35 characters of the basic set; a signature date not in the future;
and amendments that carry the original values and differ from the current ones: an old IBAN
only for a new account at the same bank, a move to another bank as SMNDA without one.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from datetime import date
from decimal import Decimal
from typing import TypeVar

from schwifty import BIC, IBAN, registry
from schwifty.exceptions import SchwiftyException
from stdnum.eu import at_02
from stdnum.exceptions import ValidationError

from .model import (
    SCHEMES,
    SEQUENCE_TYPES,
    CreditTransfer,
    DirectDebit,
    DirectDebitMessage,
    MandateAmendment,
    MandateRelatedInfo,
    Party,
    TransferMessage,
)
from .text import id_problem, sendable_text

Message = TypeVar("Message", TransferMessage, DirectDebitMessage)

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
# The DK schema's pattern for a creditor id, after spaces are removed and letters raised:
# country, check digits, business code (ZZZ when there is none), national identifier.
CREDITOR_ID_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}")
CREDITOR_ID_MESSAGES = {
    "missing": "{label}{where} is missing.",
    "format": "{label}{where} ({value}) is not a SEPA creditor id: two letters for the country, two check "
              "digits, a three-character business code and the national identifier.",
    "country": "{label}{where} ({value}) is from {country}, which is not in the SEPA area.",
    "checksum": "{label}{where} ({value}) has wrong check digits.",
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


FieldPath = str | tuple  # a field's path; a tuple of parts is joined only when a problem names it


def _joined(path: FieldPath) -> str:
    return path if isinstance(path, str) else "".join(_joined(part) for part in path)


class _Report:
    def __init__(self, item: str = "transfer"):
        self.problems: list[Problem] = []
        self.item = item  # what a position counts: "transfer 2", "debit 2"

    def add(self, field: str, code: str, message: str, **params) -> None:
        self.problems.append(Problem(field, code, message.format(**params), params))


def problems(message: TransferMessage | DirectDebitMessage, *, today: date, dk: bool = True) -> list[Problem]:
    """Everything that keeps `message` from being sent on `today`. `dk=False` allows only the
    basic EPC characters in names and remittance (no umlauts, no &)."""
    return _review(message, today, dk)[0]


def check(message: TransferMessage | DirectDebitMessage, *, today: date, dk: bool = True) -> None:
    found = problems(message, today=today, dk=dk)
    if found:
        raise SepaInvalid(found)


def sendable(message: Message, *, today: date, dk: bool = True) -> Message:
    """`message` with its values as they are sent; SepaInvalid with all problems otherwise."""
    found, ready = _review(message, today, dk)
    if found:
        raise SepaInvalid(found)
    return ready


def creditor_id_problems(text: str, field: str = "creditor_id") -> list[Problem]:
    """Why `text` cannot be the creditor id (Gläubiger-Identifikationsnummer) of a SEPA
    direct debit; spaces are allowed and letters may be lower case."""
    report = _Report()
    _creditor_id(report, field, "Creditor id", text, None)
    return report.problems


def creditor_id_valid(text: str) -> bool:
    return not creditor_id_problems(text)


def mandate_reference_valid(text: str) -> bool:
    """True when `text` can be sent as a mandate reference (at most 35 characters of the
    basic SEPA set, no leading, trailing or double slash)."""
    return id_problem(text) is None


def _review(message, today: date, dk: bool) -> tuple[list[Problem], object]:
    if isinstance(message, TransferMessage):
        return _review_transfers(message, today, dk)
    if isinstance(message, DirectDebitMessage):
        return _review_debits(message, today, dk)
    raise TypeError(f"not a SEPA message: {type(message).__name__}")


# -- credit transfers ---------------------------------------------------------------------
def _review_transfers(message: TransferMessage, today: date, dk: bool) -> tuple[list[Problem], TransferMessage]:
    report = _Report("transfer")
    _identifier(report, "message_id", "Message id", message.message_id)
    _identifier(report, "payment_info_id", "Payment-information id", message.payment_info_id)
    initiator = _name(report, "initiator", "Initiating party name", message.initiator, dk)
    debtor = _party(report, "debtor", "Debtor", message.debtor, dk)
    if message.requested_date < today:
        report.add("requested_date", "date_past",
                   "Requested execution date {date} is in the past (today is {today}).",
                   date=message.requested_date.isoformat(), today=today.isoformat())
    if not message.transfers:
        report.add("transfers", "no_transfers", "The message has no transfers.")
    seen: dict[str, int] = {}
    several = message.count > 1
    ready = []
    for index, transfer in enumerate(message.transfers):
        position = index + 1 if several else None
        path = f"transfers[{index}]"
        sent = _transfer(report, path, position, transfer, dk)
        if debtor.iban and sent.creditor.iban == debtor.iban:
            _add(report, (path, ".creditor.iban"), "same_account", position,
                 "Creditor IBAN{where} is the debtor's own account {iban}.", iban=debtor.iban)
        earlier = seen.setdefault(transfer.end_to_end_id, index + 1)
        if earlier != index + 1:
            _add(report, (path, ".end_to_end_id"), "id_duplicate", position,
                 "End-to-end id{where} ({value}) is already used by transfer {earlier}.",
                 value=transfer.end_to_end_id, earlier=earlier)
        ready.append(sent)
    return report.problems, dataclasses.replace(message, initiator=initiator, debtor=debtor, transfers=tuple(ready))


def _transfer(report: _Report, path: str, position: int | None, transfer: CreditTransfer,
              dk: bool) -> CreditTransfer:
    _identifier(report, (path, ".end_to_end_id"), "End-to-end id", transfer.end_to_end_id, position)
    _amount(report, (path, ".amount"), position, transfer.amount)
    _currency(report, (path, ".currency"), position, transfer.currency, "SEPA transfers")
    remittance = _remittance(report, (path, ".remittance"), position, transfer.remittance, dk)
    creditor = _party(report, (path, ".creditor"), "Creditor", transfer.creditor, dk, position)
    if creditor is transfer.creditor and remittance == transfer.remittance:
        return transfer  # already as it is sent
    return CreditTransfer(transfer.end_to_end_id, transfer.amount, creditor, remittance, transfer.currency)


# -- direct debits ------------------------------------------------------------------------
def _review_debits(message: DirectDebitMessage, today: date,
                   dk: bool) -> tuple[list[Problem], DirectDebitMessage]:
    report = _Report("debit")
    _identifier(report, "message_id", "Message id", message.message_id)
    _identifier(report, "payment_info_id", "Payment-information id", message.payment_info_id)
    initiator = _name(report, "initiator", "Initiating party name", message.initiator, dk)
    creditor = _party(report, "creditor", "Creditor", message.creditor, dk)
    creditor_id = _creditor_id(report, "creditor_id", "Creditor id", message.creditor_id, None)
    if message.scheme not in SCHEMES:
        report.add("scheme", "scheme_invalid", "Scheme {value} is neither CORE nor B2B.", value=message.scheme)
    if message.sequence_type not in SEQUENCE_TYPES:
        report.add("sequence_type", "sequence_type_invalid",
                   "Sequence type {value} is not one of FRST, RCUR, OOFF and FNAL.", value=message.sequence_type)
    if message.collection_date < today:
        report.add("collection_date", "date_past",
                   "Requested collection date {date} is in the past (today is {today}).",
                   date=message.collection_date.isoformat(), today=today.isoformat())
    if not message.debits:
        report.add("debits", "no_debits", "The message has no debits.")
    seen: dict[str, int] = {}
    several = message.count > 1
    ready = []
    for index, debit in enumerate(message.debits):
        position = index + 1 if several else None
        path = f"debits[{index}]"
        sent = _debit(report, path, position, debit, message, creditor, creditor_id, today, dk)
        if creditor.iban and sent.debtor.iban == creditor.iban:
            _add(report, (path, ".debtor.iban"), "same_account", position,
                 "Debtor IBAN{where} is the creditor's own account {iban}.", iban=creditor.iban)
        earlier = seen.setdefault(debit.end_to_end_id, index + 1)
        if earlier != index + 1:
            _add(report, (path, ".end_to_end_id"), "id_duplicate", position,
                 "End-to-end id{where} ({value}) is already used by debit {earlier}.",
                 value=debit.end_to_end_id, earlier=earlier)
        ready.append(sent)
    return report.problems, dataclasses.replace(message, initiator=initiator, creditor=creditor,
                                                creditor_id=creditor_id or message.creditor_id, debits=tuple(ready))


def _debit(report: _Report, path: str, position: int | None, debit: DirectDebit, message: DirectDebitMessage,
           creditor: Party, creditor_id: str | None, today: date, dk: bool) -> DirectDebit:
    _identifier(report, (path, ".end_to_end_id"), "End-to-end id", debit.end_to_end_id, position)
    _amount(report, (path, ".amount"), position, debit.amount)
    _currency(report, (path, ".currency"), position, debit.currency, "SEPA direct debits")
    if debit.sequence_type is not None and debit.sequence_type != message.sequence_type:
        _add(report, (path, ".sequence_type"), "sequence_mixed", position,
             "Sequence type{where} is {value}, the message's is {expected}; banks take one sequence type per "
             "message.", value=debit.sequence_type, expected=message.sequence_type)
    remittance = _remittance(report, (path, ".remittance"), position, debit.remittance, dk)
    debtor = _party(report, (path, ".debtor"), "Debtor", debit.debtor, dk, position)
    mandate = debit.mandate
    _identifier(report, (path, ".mandate.reference"), "Mandate reference", mandate.reference, position)
    if mandate.signature_date > today:
        _add(report, (path, ".mandate.signature_date"), "signature_future", position,
             "Mandate signature date{where} {date} is in the future (today is {today}).",
             date=mandate.signature_date.isoformat(), today=today.isoformat())
    if mandate.amendment is not None:
        amendment = _amendment(report, f"{path}.mandate.amendment", position, mandate.amendment, mandate.reference,
                               creditor, creditor_id, debtor.iban, dk)
        mandate = MandateRelatedInfo(mandate.reference, mandate.signature_date, amendment)
    if debtor is debit.debtor and mandate is debit.mandate and remittance == debit.remittance:
        return debit  # already as it is sent
    return DirectDebit(debit.end_to_end_id, debit.amount, debtor, mandate, remittance, debit.currency,
                       debit.sequence_type)


def _amendment(report: _Report, path: FieldPath, position: int | None, amendment: MandateAmendment, reference: str,
               creditor: Party, creditor_id: str | None, debtor_iban: str, dk: bool) -> MandateAmendment:
    """The original values of an amended mandate; each must differ from the current one."""
    if not (amendment.original_reference or amendment.original_creditor_id or amendment.original_creditor_name
            or amendment.original_debtor_iban or amendment.new_debtor_bank):
        _add(report, path, "amendment_empty", position, "Mandate amendment{where} gives no original value.")
    unchanged = "{label}{where} is the current value too ({value}); an amendment names what changed."
    if amendment.original_reference:
        _identifier(report, f"{path}.original_reference", "Original mandate reference",
                    amendment.original_reference, position)
        if amendment.original_reference == reference:
            _add(report, f"{path}.original_reference", "amendment_unchanged", position, unchanged,
                 label="Original mandate reference", value=reference)
    original_id = ""
    if amendment.original_creditor_id:
        original_id = _creditor_id(report, f"{path}.original_creditor_id", "Original creditor id",
                                   amendment.original_creditor_id, position) or amendment.original_creditor_id
        if original_id == creditor_id:
            _add(report, f"{path}.original_creditor_id", "amendment_unchanged", position, unchanged,
                 label="Original creditor id", value=creditor_id)
    original_name = ""
    if amendment.original_creditor_name:
        original_name = _name(report, f"{path}.original_creditor_name", "Original creditor name",
                              amendment.original_creditor_name, dk, position)
        if original_name == creditor.name:
            _add(report, f"{path}.original_creditor_name", "amendment_unchanged", position, unchanged,
                 label="Original creditor name", value=creditor.name)
    original_iban = ""
    if amendment.original_debtor_iban:
        if amendment.new_debtor_bank:
            _add(report, f"{path}.original_debtor_iban", "amendment_account_conflict", position,
                 "Mandate amendment{where} gives the original debtor IBAN and a move to another bank; the old "
                 "IBAN is sent only for a new account at the same bank, a move as SMNDA without it.")
        original_iban = _iban(report, f"{path}.original_debtor_iban", "Original debtor IBAN",
                              amendment.original_debtor_iban, position) or ""
        if original_iban and original_iban == debtor_iban:
            _add(report, f"{path}.original_debtor_iban", "amendment_unchanged", position, unchanged,
                 label="Original debtor IBAN", value=debtor_iban)
        elif original_iban and debtor_iban and not amendment.new_debtor_bank and \
                not _same_bank(original_iban, debtor_iban):
            # DK usage rule for OrgnlDbtrAcct: an IBAN "in case of an account change within the same PSP"
            _add(report, f"{path}.original_debtor_iban", "amendment_other_bank", position,
                 "Original debtor IBAN{where} ({value}) is at another bank than {iban}; a move to another bank is "
                 "sent as SMNDA (new_debtor_bank) without the old IBAN.", value=original_iban, iban=debtor_iban)
    return MandateAmendment(amendment.original_reference, original_id, original_name, original_iban,
                            amendment.new_debtor_bank)


def _same_bank(first: str, second: str) -> bool:
    """True unless the two (valid, compact) IBANs are provably at different banks."""
    a, b = IBAN(first), IBAN(second)
    if a.country_code != b.country_code:
        return False
    return not (a.bank_code and b.bank_code) or a.bank_code == b.bank_code


def _creditor_id(report: _Report, path: FieldPath, label: str, value: str, position: int | None) -> str | None:
    """Checks a creditor id; its compact form (no spaces, upper case) when it is valid."""
    compact = "".join(value.split()).upper()
    why, params = None, {}
    if not compact:
        why = "missing"
    elif not CREDITOR_ID_SHAPE.fullmatch(compact):
        why = "format"
    elif not _sepa_country(compact[:2]):
        why, params = "country", {"country": compact[:2]}
    else:
        try:
            at_02.validate(compact)
        except ValidationError:
            why = "checksum"
    if why is None:
        return compact
    if why != "missing":
        params["value"] = value
    _add(report, path, f"creditor_id_{why}", position, CREDITOR_ID_MESSAGES[why].replace("{label}", label),
         **params)
    return None


@functools.lru_cache(maxsize=512)
def _sepa_country(country: str) -> bool:
    try:
        return registry.get_iban_spec(country).in_sepa_zone
    except SchwiftyException:
        return False


# -- shared by both -----------------------------------------------------------------------
def _add(report: _Report, path: FieldPath, code: str, position: int | None, message: str, **params) -> None:
    """A problem of payment `position` (None when the message has only one)."""
    path = _joined(path)
    where = f" of {report.item} {position}" if position else ""
    if position:
        params["position"] = position
    report.add(path, code, message.replace("{where}", where), **params)


def _party(report: _Report, path: FieldPath, role: str, party: Party, dk: bool, position: int | None = None) -> Party:
    """Checks name, IBAN and BIC; the party as it is sent (IBAN "" when it is not valid)."""
    name = _name(report, (path, ".name"), f"{role} name", party.name, dk, position)
    iban = _iban(report, (path, ".iban"), f"{role} IBAN", party.iban, position) or ""
    bic = _bic(report, (path, ".bic"), f"{role} BIC", party.bic, position)
    if name == party.name and iban == party.iban and bic == party.bic:
        return party  # already as it is sent: most are, and a copy of each costs time in a large file
    return Party(name, iban, bic)


def _identifier(report: _Report, path: FieldPath, label: str, value: str, position: int | None = None) -> None:
    why = id_problem(value)
    if why:
        _add(report, path, f"id_{why}", position, ID_MESSAGES[why].replace("{label}", label + "{where}"))


def _name(report: _Report, path: FieldPath, label: str, value: str, dk: bool, position: int | None = None) -> str:
    text, bad = sendable_text(value, dk)
    if not text:
        _add(report, path, "name_missing", position, f"{label}{{where}} is missing.")
    elif len(text) > NAME_MAX:
        _add(report, path, "name_too_long", position,
             f"{label}{{where}} has {{length}} characters; at most {{limit}} are allowed.",
             length=len(text), limit=NAME_MAX)
    if bad:
        _charset(report, path, "name_charset", label, position, bad)
    return text


def _remittance(report: _Report, path: FieldPath, position: int | None, value: str, dk: bool) -> str:
    text, bad = sendable_text(value, dk)
    if len(text) > REMITTANCE_MAX:
        _add(report, path, "remittance_too_long", position,
             "Remittance information{where} has {length} characters; at most {limit} are allowed.",
             length=len(text), limit=REMITTANCE_MAX)
    if bad:
        _charset(report, path, "remittance_charset", "Remittance information", position, bad)
    return text


def _charset(report: _Report, path: FieldPath, code: str, label: str, position: int | None, bad: list[str]) -> None:
    _add(report, path, code, position, f"{label}{{where}} contains characters that cannot be sent: {{characters}}.",
         characters=" ".join(bad))


def _iban(report: _Report, path: FieldPath, label: str, value: str, position: int | None) -> str | None:
    if not value.strip():
        _add(report, path, "iban_missing", position, f"{label}{{where}} is missing.")
        return None
    try:
        iban = IBAN(value)
    except SchwiftyException as error:
        _add(report, path, "iban_invalid", position, f"{label}{{where}} ({{value}}) is not valid: {{reason}}.",
             value=value, reason=str(error))
        return None
    compact = str(iban)
    if not _sepa_country(compact[:2]):
        _add(report, path, "iban_not_sepa", position,
             f"{label}{{where}} ({{value}}) is from {{country}}, which is not in the SEPA area.",
             value=compact, country=compact[:2])
    return compact


def _bic(report: _Report, path: FieldPath, label: str, value: str | None, position: int | None) -> str:
    """The compact BIC, or "" when it is not provided (empty or None: the bank finds it from
    the IBAN) or not valid."""
    if not (value or "").strip():
        return ""
    try:
        return _bic_compact(value)
    except SchwiftyException as error:
        _add(report, path, "bic_invalid", position, f"{label}{{where}} ({{value}}) is not valid: {{reason}}.",
             value=value, reason=str(error))
        return ""


@functools.lru_cache(maxsize=4096)
def _bic_compact(value: str) -> str:
    """A valid BIC, compact; kept, as a file names the same few hundred banks again and again
    and checking a BIC's country takes longer than the rest of a payment's checks."""
    return BIC(value).compact


def _currency(report: _Report, path: FieldPath, position: int | None, currency: str, what: str) -> None:
    if currency != CURRENCY:
        _add(report, path, "currency_not_eur", position,
             "Currency{where} is {currency}; " + what + " are in EUR only.", currency=currency)


def _amount(report: _Report, path: FieldPath, position: int | None, amount) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        _add(report, path, "amount_invalid", position, "Amount{where} ({value}) is not a Decimal.",
             value=repr(amount))
    elif not AMOUNT_MIN <= amount <= AMOUNT_MAX:
        _add(report, path, "amount_range", position, "Amount{where} ({value}) is not between {low} and {high}.",
             value=str(amount), low=str(AMOUNT_MIN), high=str(AMOUNT_MAX))
    elif amount != amount.quantize(CENT):
        _add(report, path, "amount_decimals", position, "Amount{where} ({value}) has more than two decimal places.",
             value=str(amount))
