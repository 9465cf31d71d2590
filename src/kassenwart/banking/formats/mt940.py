"""MT940 (statement) and MT942 (interim report) files -> statement stream, via ``mt-940``.

The library runs with every option of ``mt940.Options`` on, its default processors (value
date fix-up for 29/30 February, date clean-up, the German DK ``:86:`` sub-fields ?00..?63 and
the SEPA keywords EREF+/KREF+/MREF+/CRED+/SVWZ+/ABWA+/ABWE+/PURP+ in them). The ``:61:`` tag is
matched here, as the library's pattern would, falling back to its long-customer-reference
variant (``StatementGLS``, as GLS and ASN send) when the SWIFT pattern does not match; but in
time linear in the line's length, where the library's patterns backtrack (see _Statement). Not used, on purpose: the mBank processors
(``mBank_set_transaction_code`` fails on every other bank's ``:86:``; IPH id and TNR are
mBank-only) and ``add_currency_pre_processor`` (it would override the balance currency the
library already gives each ``:61:``; without balances the header currency is used here).

Around the library this module:

* decodes UTF-8, else cp1252, else latin-1, and reads CRLF, CR and LF alike;
* drops SWIFT envelopes (``{1:..}{2:..}{3:..}{4:`` .. ``-}{5:..}``) line by line, so line
  numbers stay those of the file, and takes MT940/MT942 from block 2 when there is one;
* cuts the file into statements at ``:20:`` and feeds the library one tag at a time, so
  every entry knows its ``:61:`` line and every error its line;
* repairs what banks get wrong: an amount with a decimal point (old Rabobank exports), a day
  past the month's end (31 November, with a warning), a balance without currency (it is read
  in the currency of the statement's opening balance, else of another of its balances, with a
  warning).

A file without any SWIFT field is not MT940 and is refused; so is a statement whose balances,
``:61:`` or ``:86:`` cannot be read, or whose opening or closing balance the books cannot hold
as written (more than two decimal places, too large); every refusal names its line. Fields
before the first ``:20:`` (a snippet) make a statement without reference; the first ``:25:`` of
a statement names its account; a missing or repeated field is a header warning. So is an
informational tag that cannot be read (``:13D:``, ``:21:``, ``:28C:``, ``:34F:``, ``:64:``,
``:65:``, ``:90D/C:``, ``:NS:``; an available balance the books cannot hold among them).
Statements are parsed completely before the first one is yielded, so a broken file yields
nothing.
"""

from __future__ import annotations

import bisect
import calendar
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import mt940
from schwifty import IBAN, checksum
from schwifty.exceptions import SchwiftyException

from kassenwart.core.money import quantize, to_money

from .statement import (
    BOOKED,
    PENDING,
    BalanceSnapshot,
    Entry,
    StatementFormatError,
    StatementHeader,
    exact_amount,
    note,
)

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")

# The library logs every value it reads at DEBUG and every value it cannot read in full at
# ERROR: names and remittance texts would reach the server's log (a 2-minute fuzz run wrote
# 10 MB). What it could say, the refusal or warning here says with the line. Its tags log to
# children of this logger, which take their level from it; and each of its loggers drops
# every record, so that a level an operator sets on one of them lets nothing through either.
logging.getLogger("mt940").setLevel(logging.CRITICAL + 1)
for _name in [name for name in logging.Logger.manager.loggerDict if name.split(".")[0] == "mt940"]:
    logging.getLogger(_name).addFilter(lambda record: False)

# A tag at the start of a line; ":\n86:" (colon alone on a line) occurs too.
_TAG = re.compile(r"^:\n?(?P<full>(?P<id>\d{2}|NS)[A-Z]?):", re.MULTILINE)
# Envelope blocks before the text block {4:, or the end "-}" of one and what follows it.
_ENVELOPE = re.compile(r"^(?:-\})?(?:\{[1-5]:(?:[^{}]|\{[^{}]*\})*\})*(?:\{4:)?")
_MESSAGE_TYPE = re.compile(r"\{2:[IO](\d{3})")
# Amounts written 1234.56 instead of 1234,56, in :61: and in balances.
_POINT_IN_STATEMENT_LINE = re.compile(
    r"^(\d{6}(?:\d{4}|\s{4})?R?[CD][A-Z]?\n?\d+)\.(\d{0,2}[A-Z])", re.IGNORECASE
)
_POINT_IN_BALANCE = re.compile(r"^([CD]\d{6}[A-Z]{3}\d+)\.(\d{0,2})$", re.IGNORECASE)
_BALANCE = re.compile(r"^[CD]\d{6}[A-Z]{3}\d+(,\d*)?$", re.IGNORECASE)
_CURRENCY_OF_BALANCE = re.compile(r"^[CD]\d{6}([A-Z]{3})", re.IGNORECASE)
_BALANCE_WITHOUT_CURRENCY = re.compile(r"^([CD]\d{6})(\d+(?:[,.]\d*)?)$", re.IGNORECASE)
_DATE_TIME = re.compile(r"^\d{10}(?:[+-](?:[01]\d|2[0-3])[0-5]\d)?$")  # :13D: YYMMDDhhmm+hhmm
_STRUCTURED_DETAILS = re.compile(r"^\d{3}\?\d{2}")
_SUBFIELD = re.compile(r"\?(\d{2})")
_PURPOSE_FIELDS = {str(n) for n in (*range(20, 30), *range(60, 64))}  # ?20..?29, ?60..?63
_SEPA_KEYWORD = re.compile(
    "|".join(re.escape(key) + r"\+" for key in mt940.processors.GVC_KEYS if key)
)
_RETURN_CODE = re.compile(r"^9\d\d$")  # DK "Textschlüsselergänzung" of a SEPA return
_RTRN = re.compile(r"/RTRN/([A-Z0-9]{4})/")  # SWIFT-structured :86: (/RTRN/AC04/)
_BLZ_ACCOUNT = re.compile(r"^(?P<bank>[A-Z0-9]{8,11})/(?P<account>[A-Z0-9]+?)(?P<ccy>[A-Z]{3})?$")
_OTHER_ACCOUNT = re.compile(r"^(?P<account>.*?\d)(?P<ccy>[A-Z]{3})?$")
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
_BLZ = re.compile(r"^\d{8}$")
_DK_CODE_IN_TYPE = re.compile(r"^N(\d{3})$")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # e.g. Ctrl-Z, SOH/ETX of a transfer
_TRANSACTION_SCOPED = {"86", "NS"}
_INFORMATIONAL = {"13", "21", "28", "34", "64", "65", "90", "NS"}
_BALANCES = ("60", "62", "64", "65")  # in the order a missing currency is taken from
_BOOKS_BALANCES = {"60", "62", "64"}  # read into the header: their amounts must fit the books
_OPENING = ("final_opening_balance", "intermediate_opening_balance", "opening_balance")
_CLOSING = ("final_closing_balance", "intermediate_closing_balance", "closing_balance")


def _statement_line(customer_reference: str) -> re.Pattern:
    """A ``:61:`` pattern that matches what the library's pattern of the same fields matches,
    and gives the same fields, in time linear in the value's length.

    The library's pattern ends in ``(//bank)?(\\n?(?P<extra_details>.*))?$``. That tail accepts
    exactly a rest of at most one further line, however amount, type and customer reference
    divide the first line; and the greedy division consumes the most of the first line. So
    when the greedy division fails, every other one fails too, and the engine need not try
    them: the atomic group (?>...) forbids it. Without it a value of n characters followed by
    two lines costs n² steps (an 8 KB :61: took 16 s with the long-reference variant)."""
    return re.compile(
        rf"""
        (?P<year>\d{{2}})(?P<month>\d{{2}})(?P<day>\d{{2}})  # 6!n value date
        (?P<entry_month>\d{{2}}|\s{{2}})?(?P<entry_day>\d{{2}}|\s{{2}})?  # [4!n] entry date
        (?P<status>R?[DC])(?P<funds_code>[A-Z])?  # 2a mark, [1!a] funds code
        [\n ]?
        (?>
          (?P<amount>[\d,]{{1,15}})  # 15d
          (?P<id>[A-Z][A-Z0-9 ]{{3}})?  # 1!a3!c type
          (?P<customer_reference>{customer_reference})
          (?://(?P<bank_reference>[^\n]{{0,23}}))?
          (?:\n?(?P<extra_details>[^\n]*))?
        )
        \n?\Z
        """,
        re.IGNORECASE | re.VERBOSE | re.UNICODE,
    )


class _Statement(mt940.tags.Statement):
    """``:61:`` by the SWIFT pattern (customer reference 16x), else with a customer reference
    of any length up to the ``//`` of the bank reference, as GLS and ASN send it (the library's
    ``StatementGLS``). Both in linear time: see _statement_line."""

    patterns = (
        _statement_line(r"(?:(?!//)[^\n]){0,16}"),
        _statement_line(r"(?:(?!//)[^\n])*"),
    )

    def parse(self, transactions: mt940.models.Transactions, value: str) -> dict[str, Any]:
        for pattern in self.patterns:
            if found := pattern.match(value):
                return found.groupdict()
        raise _Unreadable("not a statement line: value date, mark, amount, type, references")


def _keep_details(transactions, tag, tag_dict: dict, result: dict) -> dict:
    """Post-processor: keep the raw :86: text; the library's details processor consumes it."""
    result["raw_details"] = tag_dict["transaction_details"]
    return result


_STATEMENT_TAG = _Statement()
_TAGS = {_STATEMENT_TAG.id: _STATEMENT_TAG}
_PROCESSORS = {
    "post_transaction_details": [
        _keep_details,
        mt940.processors.transaction_details_post_processor,
    ],
}
_OPTIONS = mt940.Options.all()


@dataclass(frozen=True, slots=True)
class _Tag:
    line: int
    full: str  # as written: "61", "60F", "28C", "NS"
    value: str

    @property
    def name(self) -> str:
        """The tag without its letter: "61", "60", "28", "NS"."""
        return self.full[:2]


def parse_mt940(data: bytes) -> Iterator[StatementHeader | Entry]:
    """Parse an MT940/MT942 file into a stream of headers and their entries."""
    for header, entries in _read_file(data):
        yield header
        yield from entries


def _read_file(data: bytes) -> list[tuple[StatementHeader, list[Entry]]]:
    try:
        return [_read_statement(tags, kind) for tags, kind in _statements(data)]
    except StatementFormatError:
        raise
    except Exception as error:  # a defect no check above foresaw is still the file's
        raise StatementFormatError(f"cannot be read ({error.__class__.__name__}: {error})") from error


# -- file -> statements of tags ------------------------------------------------------------
def _statements(data: bytes) -> list[tuple[list[_Tag], str]]:
    lines, message_types = _unwrap(_LINE_BREAK.split(_CONTROL.sub("", _decode(data))))
    tags = _tags("\n".join(lines))
    if all(tag.name == "NS" for tag in tags):
        raise StatementFormatError("not an MT940/MT942 file: no SWIFT fields", "line 1")
    bounds = sorted({0, *(i for i, tag in enumerate(tags) if tag.name == "20"), len(tags)})
    blocks = [tags[start:end] for start, end in zip(bounds, bounds[1:])]
    lines_with_type = list(message_types)  # ascending
    return [(block, _kind(block, lines_with_type, message_types)) for block in blocks]


def _decode(data: bytes) -> str:
    *strict, last_resort = ENCODINGS
    for encoding in strict:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode(last_resort)  # latin-1 maps every byte


def _unwrap(lines: list[str]) -> tuple[list[str], dict[int, str]]:
    """Remove SWIFT envelope blocks; return the lines and the message type seen per line."""
    message_types = {}
    for number, line in enumerate(lines, start=1):
        if line.startswith(("{", "-}")):
            envelope = _ENVELOPE.match(line).group()
            if found := _MESSAGE_TYPE.search(envelope):
                message_types[number] = found.group(1)
            lines[number - 1] = line[len(envelope) :]
    return lines, message_types


def _tags(text: str) -> list[_Tag]:
    matches = [m for m in _TAG.finditer(text) if _known(m)]
    ends = [m.start() for m in matches[1:]] + [len(text)]
    tags, line, counted = [], 1, 0
    for match, end in zip(matches, ends):
        line += text.count("\n", counted, match.start())  # from the tag before: linear in all
        counted = match.start()
        tags.append(_Tag(line=line, full=match.group("full"), value=_tag_text(text[match.end() : end])))
    return tags


def _tag_text(text: str) -> str:
    """Without blank lines and "-" separators, as the library cleans it."""
    lines = (line.rstrip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line.strip() not in ("", "-"))


def _known(match: re.Match) -> bool:
    """A tag the library does not know is text of the tag before, as the library reads it."""
    tag_id = match.group("id")
    return (
        match.group("full") in mt940.tags.TAG_BY_ID
        or (int(tag_id) if tag_id.isdigit() else tag_id) in mt940.tags.TAG_BY_ID
    )


def _kind(block: list[_Tag], lines_with_type: list[int], message_types: dict[int, str]) -> str:
    """MT942 or MT940: as the last envelope before the block says, else by its tags."""
    before = bisect.bisect_right(lines_with_type, block[0].line)
    envelope = message_types[lines_with_type[before - 1]] if before else ""
    if envelope in ("940", "942"):
        return f"mt{envelope}"
    return "mt942" if any(tag.name == "34" for tag in block) else "mt940"


# -- one statement -------------------------------------------------------------------------
def _read_statement(tags: list[_Tag], kind: str) -> tuple[StatementHeader, list[Entry]]:
    state = mt940.models.Transactions(processors=_PROCESSORS, tags=_TAGS, options=_OPTIONS)
    warnings: list[str] = []
    currency = _balance_currency(tags)
    lines: list[int] = []  # the :61: line of each transaction state holds
    raw_entries: list[tuple[dict, int]] = []
    for tag in tags:
        if tag.name not in _TRANSACTION_SCOPED:
            raw_entries.extend(_take_transactions(state, lines))
        if _feed(state, tag, warnings, currency) and tag.name == "61":
            lines.append(tag.line)
    raw_entries.extend(_take_transactions(state, lines))
    header = _header(state.data, kind, tags, warnings)
    status = PENDING if kind == "mt942" else BOOKED
    entries = [_entry(data, line, header.currency, status) for data, line in raw_entries]
    return header, entries


def _take_transactions(state: mt940.models.Transactions, lines: list[int]):
    taken = [(transaction.data, line) for transaction, line in zip(state.transactions, lines)]
    state.transactions.clear()
    lines.clear()
    return taken


def _feed(state: mt940.models.Transactions, tag: _Tag, warnings: list[str], currency: _Currency | None) -> bool:
    """Give one tag to the library; False when an informational tag was skipped."""
    try:
        value = _repaired(tag, warnings, currency)
        if tag.name in _BOOKS_BALANCES:
            _balance_amount(value)
        state.parse(f":{tag.full}:{value}")
    except _Unreadable as error:  # a value the library would take, or fail on without saying why
        message = f":{tag.full}: {error}"
        if tag.name in _INFORMATIONAL:
            warnings.append(f"line {tag.line}: {message}; ignored")
            return False
        raise StatementFormatError(message, f"line {tag.line}") from error
    except Exception as error:  # the library raises RuntimeError, ValueError, InvalidOperation
        message = f":{tag.full}: cannot be read: {tag.value[:80]!r} ({error.__class__.__name__})"
        if tag.name in _INFORMATIONAL:
            warnings.append(f"line {tag.line}: {message}; ignored")
            return False
        raise StatementFormatError(message, f"line {tag.line}") from error
    return True


class _Unreadable(ValueError):
    """A value of a tag that cannot be read, and why: a balance amount the books cannot hold
    as written (sub-cent, too large), a date that does not exist."""


def _balance_amount(value: str) -> None:
    """Refuse a balance amount the money columns cannot hold exactly, before the library
    reads it: the refusal then names the tag and its line."""
    amount = value.split("\n", 1)[0][10:].replace(",", ".")
    try:
        to_money(amount)
    except ValueError as error:
        raise _Unreadable(f"amount {error}") from error


@dataclass(frozen=True, slots=True)
class _Currency:
    code: str
    tag: _Tag  # the balance it is written in


def _balance_currency(tags: list[_Tag]) -> _Currency | None:
    """The currency of the statement's balances: that of the opening balance, else of the
    first other balance that names one."""
    for name in _BALANCES:
        for tag in tags:
            found = _CURRENCY_OF_BALANCE.match(tag.value) if tag.name == name else None
            if found:
                return _Currency(found.group(1).upper(), tag)
    return None


def _repaired(tag: _Tag, warnings: list[str], currency: _Currency | None) -> str:
    """The tag text with a decimal point read as comma, a day past the month's end (31
    November) moved to its last day, and a balance without currency given that of the
    statement's other balances; a date that cannot be one (month 13, day 0) raises
    _Unreadable, a balance that still does not fit raises ValueError."""
    if tag.name == "61":
        return _last_day(tag, _POINT_IN_STATEMENT_LINE.sub(r"\1,\2", tag.value), 0, warnings)
    if tag.name == "13" and not _DATE_TIME.match(tag.value):
        raise ValueError("not a date and time YYMMDDhhmm[+hhmm]")
    if tag.name not in _BALANCES:
        return tag.value
    first, *rest = tag.value.split("\n")
    missing = _BALANCE_WITHOUT_CURRENCY.match(first)
    if missing and currency is not None:
        first = f"{missing.group(1)}{currency.code}{missing.group(2)}"
        warnings.append(note("balance_without_currency", line=tag.line, tag=tag.full, currency=currency.code,
                             other_tag=currency.tag.full, other_line=currency.tag.line))
    first = _last_day(tag, _POINT_IN_BALANCE.sub(r"\1,\2", first), 1, warnings)
    if not _BALANCE.match(first):
        raise ValueError("not a balance: mark, YYMMDD, currency, amount")
    return "\n".join([first, *rest])


def _last_day(tag: _Tag, text: str, at: int, warnings: list[str]) -> str:
    digits = text[at : at + 6]
    if not digits.isdigit():
        return text  # the library says what it misses
    if not 1 <= int(digits[2:4]) <= 12 or not 1 <= int(digits[4:]) <= 31:
        raise _Unreadable(f"date {digits} does not exist (YYMMDD)")
    year, month, day = 2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:])
    last = calendar.monthrange(year, month)[1]
    if day <= last:
        return text
    warnings.append(note("day_after_month_end", line=tag.line, tag=tag.full, date=digits, day=last))
    return f"{text[:at + 4]}{last:02d}{text[at + 6 :]}"


# -- header --------------------------------------------------------------------------------
def _header(data: dict, kind: str, tags: list[_Tag], warnings: list[str]) -> StatementHeader:
    opening = _balance(data, _OPENING, "opening")
    closing = _balance(data, _CLOSING, "closing")
    available = _balance(data, ("available_balance",), "available")
    accounts = [tag for tag in tags if tag.name == "25"]
    header = StatementHeader(
        format=kind,
        statement_id=(data.get("transaction_reference") or "").strip(),
        sequence=_sequence(data),
        created_at=_created_at(data.get("date")),
        opening=opening,
        closing=closing,
        available=available,
        reported_total=_reported_total(data),
        warnings=warnings,
    )
    _set_account(header, accounts[0].value.split("\n")[0] if accounts else "")
    header.currency = next(
        (b.currency for b in (opening, closing, available) if b and b.currency),
        header.currency or _floor_limit_currency(data),
    )
    if tags[0].name != "20":
        warnings.append(note("no_reference", line=tags[0].line))
    if not accounts:
        warnings.append(note("no_account", line=tags[0].line))
    warnings.extend(
        note("second_account", line=tag.line)
        for tag in accounts[1:]
        if tag.value != accounts[0].value
    )
    return header


def _balance(data: dict, keys: tuple[str, ...], kind: str) -> BalanceSnapshot | None:
    balance = next((data[key] for key in keys if data.get(key) is not None), None)
    if balance is None:
        return None
    return BalanceSnapshot(
        amount=exact_amount(balance.amount.amount, "balance"),
        currency=balance.amount.currency or "",
        date=_plain_date(balance.date),
        kind=kind,
    )


def _sequence(data: dict) -> str:
    number, page = data.get("statement_number"), data.get("sequence_number")
    return f"{number}/{page}" if number and page else number or ""


def _created_at(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    offset = value.utcoffset()
    zone = timezone(offset) if offset is not None else None
    return datetime(value.year, value.month, value.day, value.hour, value.minute, tzinfo=zone)


def _reported_total(data: dict) -> Decimal | None:
    sums = [data[key].amount for key in ("sum_credit_entries", "sum_debit_entries") if key in data]
    return quantize(sum(sums)) if sums else None


def _floor_limit_currency(data: dict) -> str:
    limit = data.get("d_floor_limit") or data.get("c_floor_limit")
    return (limit.currency or "") if limit else ""


def _set_account(header: StatementHeader, value: str) -> None:
    """:25: is an IBAN (maybe + currency), BLZ or BIC / account number (+ currency), or free."""
    compact = value.replace(" ", "").upper()
    iban = _iban(compact) or (_iban(compact[:-3]) if compact[-3:].isalpha() else "")
    if iban:
        header.account_iban = iban
        header.currency = compact[len(iban) :]
        return
    found = _BLZ_ACCOUNT.match(compact)
    if found is None:
        other = _OTHER_ACCOUNT.match(compact)
        header.account_number = other.group("account") if other else compact
        header.currency = (other and other.group("ccy")) or ""
        return
    bank, account = found.group("bank"), found.group("account")
    header.currency = found.group("ccy") or ""
    if _BIC.match(bank):
        header.account_bic = bank
    elif _BLZ.match(bank):
        header.bank_code = bank
    header.account_iban = _iban(account) or _german_iban(header.bank_code, account)
    header.account_number = "" if header.account_iban == account else account


def _iban(value: str) -> str:
    try:
        return IBAN(value).compact if value else ""
    except SchwiftyException:
        return ""


def _german_iban(bank_code: str, account: str) -> str:
    """The IBAN of a German BLZ/account number when that is unambiguous: the bank is known
    and the account number passes the bank's check digit method; else ""."""
    if not bank_code or not account.isdigit() or len(account) > 10:
        return ""
    try:
        iban = IBAN(IBAN.generate("DE", bank_code, account).compact, validate_bban=True)
    except SchwiftyException:
        return ""
    method = iban.bank and f"DE:{iban.bank.checksum_algo}"
    return iban.compact if method in checksum.algorithms else ""


# -- entries -------------------------------------------------------------------------------
def _entry(data: dict, line: int, currency: str, status: str) -> Entry:
    mark = (data.get("status") or "").upper()
    details = data.get("raw_details") or ""
    return Entry(
        amount=exact_amount(data["amount"].amount, f"line {line}"),
        currency=data["amount"].currency or currency,
        booking_date=_plain_date(data.get("entry_date") or data["date"]),
        value_date=_plain_date(data["date"]),
        status=status,
        counterparty_name=_text(data, "applicant_name"),
        counterparty_iban=_text(data, "applicant_iban", "gvc_applicant_iban").replace(" ", "").upper(),
        counterparty_bic=_bic(_text(data, "applicant_bin", "gvc_applicant_bin")),
        ultimate_debtor=_text(data, "deviate_applicant"),
        ultimate_creditor=_text(data, "deviate_recipient"),
        remittance=_remittance(details),
        end_to_end_id=_without(_text(data, "end_to_end_reference"), "NOTPROVIDED"),
        mandate_id=_text(data, "additional_position_reference"),
        creditor_id=_text(data, "applicant_creditor_id"),
        purpose_code=_text(data, "purpose_code"),
        bank_reference=_text(data, "bank_reference")
        or _without(_text(data, "customer_reference"), "NONREF"),
        dk_code=_dk_code(data, details),
        return_reason=_return_reason(data, details),
        reversal=mark in ("RC", "RD"),
        source=f"line {line}",
    )


def _text(data: dict, *keys: str) -> str:
    return next((str(data[key]).strip() for key in keys if data.get(key)), "")


def _without(value: str, placeholder: str) -> str:
    return "" if value.upper() == placeholder else value


def _bic(value: str) -> str:
    compact = value.replace(" ", "").upper()
    return compact if _BIC.match(compact) else ""


def _dk_code(data: dict, details: str) -> str:
    if _STRUCTURED_DETAILS.match(joined := _joined(details)):
        return joined[:3]
    found = _DK_CODE_IN_TYPE.match((data.get("id") or "").upper())
    return found.group(1) if found else ""


def _return_reason(data: dict, details: str) -> str:
    code = _text(data, "return_debit_notes")
    if _RETURN_CODE.match(code):
        return code
    found = _RTRN.search(_joined(details))
    return found.group(1) if found else ""


def _remittance(details: str) -> str:
    """SVWZ+ text (else the text before the first SEPA keyword, else all purpose lines) of a
    structured :86:, its ?20..?29/?60..?63 lines joined with "\\n"; the text of any other."""
    joined = _joined(details)
    if not _STRUCTURED_DETAILS.match(joined):
        return "\n".join(line.strip() for line in details.split("\n") if line.strip())
    parts = _SUBFIELD.split(joined)
    purpose = [text for key, text in zip(parts[1::2], parts[2::2]) if key in _PURPOSE_FIELDS]
    start, end = _purpose_span("".join(purpose))
    return _cut(purpose, start, end)


def _joined(details: str) -> str:
    """The :86: lines put together again, as the library does before reading sub-fields."""
    return details.replace("\n", "")


def _purpose_span(text: str) -> tuple[int, int]:
    marks = list(_SEPA_KEYWORD.finditer(text))
    if not marks:
        return 0, len(text)
    svwz = next((i for i, mark in enumerate(marks) if mark.group() == "SVWZ+"), None)
    if svwz is None:
        return 0, marks[0].start()
    end = marks[svwz + 1].start() if svwz + 1 < len(marks) else len(text)
    return marks[svwz].end(), end


def _cut(lines: list[str], start: int, end: int) -> str:
    """text[start:end] of the joined lines, with "\\n" where one line ended."""
    pieces, offset = [], 0
    for line in lines:
        piece = line[max(start - offset, 0) : max(end - offset, 0)].strip()
        offset += len(line)
        if piece:
            pieces.append(piece)
    return "\n".join(pieces)


def _plain_date(value: date | None) -> date | None:
    return date(value.year, value.month, value.day) if value is not None else None
