"""Streaming parser for ISO 20022 camt.052 (report), camt.053 (statement) and camt.054
(notification), every version from .001.01 to .001.14.

Elements are matched on their local names, so the namespace (and with it the version) does
not matter, and a Document inside an envelope (``<message><AppHdr/><Document>``) is found
too. The file is read with ``lxml.etree.iterparse``, whose tag filter hands Python only the
message, statement and entry elements, and every processed element is removed from the tree,
so memory stays flat however large the file is. An entry is read by visiting only the elements
on the paths of the values it needs (``walk``, compiled: _camt_walk.pyx); it is the cost that
counts in a large file.

``parse_camt`` yields, per Stmt/Rpt/Ntfctn, a ``StatementHeader`` and then that statement's
``Entry`` objects. Real-world deviations (no status, no booking date, balance without
credit/debit indicator, amount without currency, ...) do not stop the import: they become
lines in ``header.warnings``. Warnings found in entries are appended to the header object
already yielded, so read them after the statement's last entry.

Refused with ``StatementFormatError`` (``where`` = line and element path): anything that is
not well-formed XML, documents with a DOCTYPE (no DTDs, no entities), files without a camt
message or without a statement in it, an Ntry without an amount or credit/debit indicator,
and amounts or dates that cannot be read. Such an error can come after items of the same
file were yielded: an importer takes a file as a whole or not at all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import BinaryIO

from lxml import etree

from kassenwart.core.money import LARGEST, to_money

from ._camt_walk import (
    CREDITOR_OTHERS,
    CREDITOR_REFERENCE,
    Found,
    Tree,
    compact,
    dk_code,
    domain_code,
    local_name,
    transaction_entry,
    walk,
)
from .statement import (
    BOOKED,
    PENDING,
    BalanceSnapshot,
    Entry,
    Note,
    StatementFormatError,
    StatementHeader,
    StatementItem,
    note,
)

# Message element -> message type (version 1 names it ...V01); each of its Rpt/Stmt/Ntfctn
# children is one statement.
_TYPES = {"BkToCstmrAcctRpt": "052", "BkToCstmrStmt": "053", "BkToCstmrDbtCdtNtfctn": "054"}
MESSAGES = {**_TYPES, **{f"{name}V01": code for name, code in _TYPES.items()}}
STATEMENTS = {"Rpt", "Stmt", "Ntfctn"}
_WATCHED = [f"{{*}}{name}" for name in (*MESSAGES, *STATEMENTS, "Document", "GrpHdr", "Ntry")]

# No DTD, no entities, no network; a DOCTYPE is refused outright (see _refuse_doctype).
_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "remove_comments": True,
    "remove_pis": True,
}

_STATUS = {"BOOK": BOOKED, "PDNG": PENDING, "INFO": PENDING, "FUTR": PENDING}
# Balance codes in order of preference for each header slot. A closing balance taken from
# an interim one keeps the kind "interim".
_OPENING_CODES = ("OPBD", "PRCD")
_CLOSING_CODES = ("CLBD", "ITBD")
_AVAILABLE_CODES = ("CLAV", "ITAV", "OPAV")
# Sts became a choice (<Sts><Cd>BOOK</Cd></Sts>) in version 7; older versions use text.
_STATUS_CHOICE_SINCE = 7

_VERSION = re.compile(r"camt\.(05[234])\.001\.([0-9]{2})")
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")
_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?")
_COUNT = re.compile(r"[0-9]{1,15}")
_WHOLE_DIGITS = len(str(int(LARGEST)))  # an amount with no more digits before the point fits
_LISTED_REPEATS = 10
_AT_LINE = re.compile(r"(.+) \(line ([0-9]+)\)")  # a place as this module names it: "Ntry 3 (line 45)"


def parse_camt(source: str | os.PathLike[str] | BinaryIO) -> Iterator[StatementItem]:
    """Yield a StatementHeader and then its Entry objects, for each statement in `source`
    (a path or a binary file object)."""
    if isinstance(source, (str, os.PathLike)):
        source = os.fspath(source)
    yield from _Reader().read(source)


class _Invalid(Exception):
    """Raised by the value helpers; the reader turns it into a located StatementFormatError."""

    def __init__(self, message: str, element: etree._Element):
        super().__init__(message)
        self.message = message
        self.element = element


def _account_paths(*holders: str) -> list[str]:
    return [f"{holder}/Id/{ending}" for holder in holders for ending in ("IBAN", "Othr/Id", "PrtryAcct/Id")]


def _agent_paths(*holders: str) -> list[str]:
    return [f"{holder}/FinInstnId/{bic}" for holder in holders for bic in ("BICFI", "BIC")]


def _code_paths() -> list[str]:
    return [f"BkTxCd/{code}" for code in ("Domn/Cd", "Domn/Fmly/Cd", "Domn/Fmly/SubFmlyCd", "Prtry/Cd")]


# What each reader looks up, by element, and of which paths it keeps the elements (see _camt_walk).
_GROUP_HEADER = Tree(["CreDtTm"])
_STATEMENT = Tree([
    *_account_paths("Acct"), *_agent_paths("Acct/Svcr"), "Acct/Svcr/FinInstnId/ClrSysMmbId/MmbId",
    "Acct/Nm", "Acct/Ownr/Nm", "Acct/Ownr/Pty/Nm", "Acct/Ccy", "Id", "ElctrncSeqNb", "LglSeqNb",
    "CreDtTm", "FrToDt/FrDtTm", "FrToDt/ToDtTm", "Bal", "Bal/Amt",
    "TxsSummry/TtlNtries/TtlNetNtry", "TxsSummry/TtlNtries/TtlNetNtry/Amt", "TxsSummry/TtlNtries",
    "TxsSummry/TtlNtries/TtlNetNtryAmt", "TxsSummry/TtlCdtNtries/Sum", "TxsSummry/TtlDbtNtries/Sum",
], kept=["Bal", "Bal/Amt", "TxsSummry/TtlNtries/TtlNetNtry", "TxsSummry/TtlNtries"])
_BALANCE = Tree(["Tp/CdOrPrtry/Cd", "Tp/Cd", "Amt", "CdtDbtInd", "Dt/Dt", "Dt/DtTm"], kept=["Amt"])
_TOTALS = Tree(["CdtDbtInd"])
_ENTRY = Tree([
    "Amt", "CdtDbtInd", "RvslInd", "Sts", "Sts/Cd", "Sts/Prtry", "BookgDt/Dt", "BookgDt/DtTm",
    "ValDt/Dt", "ValDt/DtTm", "AcctSvcrRef", "NtryRef", *_code_paths(),
    "NtryDtls/TxDtls", "NtryDtls/Btch/NbOfTxs", "TxDtls", "Btch/NbOfTxs",  # TxDtls, Btch: version 1
], kept=["Amt", "NtryDtls/TxDtls", "TxDtls"])
_PARTIES = ("RltdPties/Dbtr", "RltdPties/Cdtr", "RltdPties/UltmtDbtr", "RltdPties/UltmtCdtr")
_TRANSACTION = Tree([
    "Amt", "AmtDtls/TxAmt/Amt", "CdtDbtInd", *_code_paths(),
    *(f"{party}/{name}" for party in _PARTIES for name in ("Pty/Nm", "Nm")),
    *_account_paths("RltdPties/DbtrAcct", "RltdPties/CdtrAcct"),
    *_agent_paths("RltdAgts/DbtrAgt", "RltdAgts/CdtrAgt"),
    *CREDITOR_OTHERS, "RmtInf/Ustrd", CREDITOR_REFERENCE, "Refs/EndToEndId", "Refs/MndtId",
    "Refs/AcctSvcrRef", "Purp/Cd", "Purp/Prtry", "RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry",
], kept=["Amt", "AmtDtls/TxAmt/Amt", *CREDITOR_OTHERS])


class _Warnings:
    """A statement's warnings: one line per kind of problem (a Note, its code the kind),
    naming where it happened first and counting (and listing the first few of) the places it
    happened again."""

    def __init__(self, lines: list[str]):
        self._lines = lines
        self._kinds: dict[str, tuple[int, Note, list[Note], int]] = {}

    def add(self, where: str, code: str, **params) -> None:
        if code not in self._kinds:
            first = note(code, place=_place(where), **params)
            self._kinds[code] = (len(self._lines), first, [], 0)
            self._lines.append(first)
            return
        position, first, listed, count = self._kinds[code]
        if len(listed) < _LISTED_REPEATS:
            listed.append(_place(where))
        count += 1
        self._kinds[code] = (position, first, listed, count)
        if count > len(listed):
            self._lines[position] = note("repeated_more", first=first, places=listed, more=count - len(listed))
        else:
            self._lines[position] = note("repeated", first=first, places=listed)


def _place(where: str) -> Note | str:
    """ "Ntry 3 (line 45)" (how this module names a place) as a note, so that "line" is worded
    in the reader's language; a place without a line ("TxsSummry") is an element name."""
    found = _AT_LINE.fullmatch(where)
    if found is None:
        return where
    return note("at_line", element=found[1], line=int(found[2]))


class _Statement:
    """Reading state of one Stmt/Rpt/Ntfctn."""

    def __init__(self, element: etree._Element):
        self.element = element
        self.header: StatementHeader | None = None
        self.warnings: _Warnings | None = None
        self.entries = 0  # Ntry elements seen so far


class _Reader:
    def __init__(self) -> None:
        self.format = ""
        self.version = 0
        self.document = ""  # namespace of the last Document seen
        self.group_created: datetime | None = None
        self.statements = 0
        self.current: _Statement | None = None
        self.line = 0

    def read(self, source: str | BinaryIO) -> Iterator[StatementItem]:
        try:
            yield from self._events(source)
        except StatementFormatError:
            raise
        except _Invalid as exc:
            raise StatementFormatError(exc.message, self._where(exc.element)) from exc
        except etree.XMLSyntaxError as exc:
            where = f"line {exc.lineno}"
            raise StatementFormatError(f"not well-formed XML: {exc.msg}", where) from exc
        except OSError:  # a missing or unreadable file is no format problem
            raise
        except Exception as exc:  # malformed input must never surface as anything else
            raise StatementFormatError(
                f"cannot read as camt: {type(exc).__name__}: {exc}", f"line {self.line}"
            ) from exc

    def _events(self, source: str | BinaryIO) -> Iterator[StatementItem]:
        events = etree.iterparse(source, events=("start", "end"), tag=_WATCHED, **_PARSER_OPTIONS)
        for event, element in events:
            if not self.line:  # the prolog, DOCTYPE included, is read before the first event
                _refuse_doctype(element)
            self.line = element.sourceline or self.line
            name = local_name(element)
            if name != "Ntry":
                yield from self._handle(event, name, element)
            elif self.current is not None and element.getparent() is self.current.element:
                if event == "end":
                    yield from self._entries(element)
                    _release(element)
                else:  # everything before the first Ntry (Acct, Bal, TxsSummry) is complete
                    if self.current.header is None:
                        yield from self._header_once()
                    self.current.entries += 1
        if events.root is not None:
            _refuse_doctype(events.root)
        if not self.format:
            namespace = self.document or "no namespace"
            found = f"a Document ({namespace}) without" if self.document else "no"
            raise StatementFormatError(
                f"not a camt.052/053/054 file: {found} "
                "BkToCstmrStmt, BkToCstmrAcctRpt or BkToCstmrDbtCdtNtfctn"
            )
        if not self.statements:
            raise StatementFormatError(f"{self.format} document without any Stmt, Rpt or Ntfctn")

    def _handle(self, event: str, name: str, element: etree._Element) -> Iterator[StatementItem]:
        """Any watched element but an Ntry."""
        parent = element.getparent()
        in_message = parent is not None and local_name(parent) in MESSAGES
        if name == "Document":
            self.document = etree.QName(element).namespace or ""
        elif name in MESSAGES:
            if event == "start":
                self._begin_message(element, name)
        elif in_message and name == "GrpHdr":
            if event == "end":
                self.group_created = _datetime(walk(element, _GROUP_HEADER), "CreDtTm")
        elif in_message and name in STATEMENTS:
            yield from self._statement(event, element)

    def _begin_message(self, element: etree._Element, name: str) -> None:
        match = _VERSION.search(etree.QName(element).namespace or "")
        if match and match[1] == MESSAGES[name]:
            self.format, self.version = match[0], int(match[2])
        else:
            self.format, self.version = f"camt.{MESSAGES[name]}", 0

    def _statement(self, event: str, element: etree._Element) -> Iterator[StatementItem]:
        if event == "start":
            self.statements += 1
            self.current = _Statement(element)
            return
        yield from self._header_once()
        _release(element)
        self.current = None

    def _header_once(self) -> Iterator[StatementHeader]:
        statement = self.current
        if statement.header is None:
            statement.header = StatementHeader(format=self.format)
            statement.warnings = _Warnings(statement.header.warnings)
            before_entries = walk(statement.element, _STATEMENT)
            self._fill_header(statement.header, before_entries, statement.warnings)
            yield statement.header

    # -- header ---------------------------------------------------------------------------

    def _fill_header(self, header: StatementHeader, stmt: Found, warnings: _Warnings) -> None:
        header.account_iban = compact(stmt.text("Acct/Id/IBAN"))
        header.account_number = stmt.text("Acct/Id/Othr/Id") or stmt.text("Acct/Id/PrtryAcct/Id")
        header.bank_code = stmt.text("Acct/Svcr/FinInstnId/ClrSysMmbId/MmbId")
        header.account_bic = stmt.first_text(("Acct/Svcr/FinInstnId/BICFI", "Acct/Svcr/FinInstnId/BIC"))
        header.account_name = stmt.text("Acct/Nm")
        header.account_owner = stmt.text("Acct/Ownr/Nm") or stmt.text("Acct/Ownr/Pty/Nm")
        header.statement_id = stmt.text("Id")
        header.sequence = stmt.text("ElctrncSeqNb") or stmt.text("LglSeqNb")
        header.created_at = _datetime(stmt, "CreDtTm") or self.group_created
        header.period_from = _date_of(stmt, "FrToDt/FrDtTm")
        header.period_to = _date_of(stmt, "FrToDt/ToDtTm")
        header.currency = stmt.text("Acct/Ccy") or _currency_of(stmt.first("Bal/Amt"))
        balances: dict[str, BalanceSnapshot] = {}
        for bal in stmt.all("Bal"):
            self._collect_balance(walk(bal, _BALANCE), header.currency, balances, warnings)
        header.opening = _pick(balances, _OPENING_CODES, "opening")
        header.closing = _pick(balances, _CLOSING_CODES, "closing")
        header.available = _pick(balances, _AVAILABLE_CODES, "available")
        header.reported_total = self._reported_total(stmt, warnings)

    def _collect_balance(
        self, bal: Found, currency: str, found: dict[str, BalanceSnapshot], warnings: _Warnings
    ) -> None:
        code = (bal.text("Tp/CdOrPrtry/Cd") or bal.text("Tp/Cd")).upper()  # Tp/Cd: version 1
        amount = bal.first("Amt")
        if not code or amount is None:
            return
        where = f"Bal {code} (line {bal.root.sourceline})"
        snapshot = BalanceSnapshot(
            amount=_decimal(bal, "Amt") * self._sign(bal, where, "balance", warnings),
            currency=self._currency(amount, currency, where, warnings),
            date=_date_choice(bal, ("Dt/Dt", "Dt/DtTm")),
            kind="",  # set by _pick, after the slot the balance fills
        )
        if code in _OPENING_CODES:
            found.setdefault(code, snapshot)
        else:
            found[code] = snapshot

    def _reported_total(self, stmt: Found, warnings: _Warnings) -> Decimal | None:
        # The net of all entries: TtlNetNtry/Amt since version 3, TtlNetNtryAmt before; each
        # has a CdtDbtInd beside it. Else credits minus debits, when both are given.
        for holder, amount in (("TtlNtries/TtlNetNtry", "Amt"), ("TtlNtries", "TtlNetNtryAmt")):
            net = f"TxsSummry/{holder}/{amount}"
            if net in stmt.texts_at:
                totals = walk(stmt.first(f"TxsSummry/{holder}"), _TOTALS)
                direction = self._sign(totals, "TxsSummry", "net_total", warnings)
                return _decimal(stmt, net, signed=True) * direction
        credits, debits = "TxsSummry/TtlCdtNtries/Sum", "TxsSummry/TtlDbtNtries/Sum"
        if credits not in stmt.texts_at or debits not in stmt.texts_at:
            return None
        return _decimal(stmt, credits, signed=True) - _decimal(stmt, debits, signed=True)

    # -- entries ----------------------------------------------------------------------------

    def _entries(self, element: etree._Element) -> Iterator[Entry]:
        statement = self.current
        header, warnings = statement.header, statement.warnings
        ntry = walk(element, _ENTRY)
        where = f"Ntry {statement.entries} (line {element.sourceline})"
        amount_element = ntry.first("Amt")
        if amount_element is None:
            raise _Invalid("Ntry without Amt", element)
        indicator = _credit_debit(ntry)
        if indicator is None:
            raise _Invalid("Ntry without CdtDbtInd: the sign of the amount is unknown", element)
        # Each value is read once, in this order (that of the warnings), and each Entry is
        # made once: dataclasses.replace costs more than reading an entry.
        amount = _decimal(ntry, "Amt") * indicator
        common = {  # what every transaction of the entry has
            "currency": self._currency(amount_element, header.currency, where, warnings),
            "booking_date": _date_choice(ntry, _BOOKING_DATE),
            "value_date": _date_choice(ntry, _VALUE_DATE),
            "status": self._status(ntry, where, warnings),
            "reversal": ntry.text("RvslInd").lower() in ("true", "1"),
        }
        # the entry's own reference and codes (bank reference, transaction code, DK code); its
        # TxDtls may have their own
        codes = (ntry.text("AcctSvcrRef"), domain_code(ntry.texts_at), dk_code(ntry.texts_at))
        if common["booking_date"] is None and common["status"] == BOOKED:  # pending: not booked yet
            warnings.add(where, "camt_no_booking_date")
        # Version 1 has no NtryDtls: its TxDtls are children of the Ntry.
        details = [walk(tx, _TRANSACTION) for tx in ntry.all("NtryDtls/TxDtls") or ntry.all("TxDtls")]
        batch_size = max(len(details), _batch_count(ntry))
        if batch_size > 1:
            generated = f"{header.statement_id}/{statement.entries}"
            common["batch_reference"] = codes[0] or ntry.text("NtryRef") or generated
            common["batch_size"] = batch_size
        amounts = _split(details, amount, common["currency"]) if len(details) > 1 else None
        if len(details) > 1 and amounts is None:
            warnings.add(where, "camt_batch_sum", count=len(details))
        if amounts is None:
            if not details:
                yield Entry(amount=amount, source=where, bank_reference=codes[0], transaction_code=codes[1],
                            dk_code=codes[2], **common)
                return
            yield _transaction(details[0], amount, where, common, codes, header.account_iban)
            return
        for number, (transaction, part) in enumerate(zip(details, amounts), start=1):
            source = f"Ntry {statement.entries} TxDtls {number} (line {transaction.root.sourceline})"
            yield _transaction(transaction, part, source, common, codes, header.account_iban)

    def _status(self, ntry: Found, where: str, warnings: _Warnings) -> str:
        if "Sts" not in ntry.texts_at:
            warnings.add(where, "camt_no_status")
            return BOOKED
        code = ntry.text("Sts/Cd") or ntry.text("Sts/Prtry")
        if not code:
            code = ntry.text("Sts")
            if self.version >= _STATUS_CHOICE_SINCE:
                warnings.add(where, "camt_text_status", status=repr(code), format=self.format)
        known = _STATUS.get(code.upper())
        if known is None:
            warnings.add(where, "camt_unknown_status", status=repr(code))
            return PENDING
        return known

    # -- helpers that warn or locate ----------------------------------------------------------

    @staticmethod
    def _sign(holder: Found, where: str, what: str, warnings: _Warnings) -> int:
        indicator = _credit_debit(holder)
        if indicator is None:
            warnings.add(where, f"camt_{what}_no_indicator")
            return 1
        return indicator

    @staticmethod
    def _currency(amount: etree._Element, fallback: str, where: str, warnings: _Warnings) -> str:
        currency = _currency_of(amount)
        if not currency:
            warnings.add(where, "camt_no_currency", currency=repr(fallback))
        return currency or fallback

    def _where(self, element: etree._Element) -> str:
        parts = []
        for node in (element, *element.iterancestors()):
            name = local_name(node)
            parent = node.getparent()
            if name == "Ntry" and self.current is not None:
                name += f"[{self.current.entries}]"
            elif name in STATEMENTS and parent is not None and local_name(parent) in MESSAGES:
                name += f"[{self.statements}]"
            elif name == "TxDtls":
                name += f"[{sum(1 for _ in node.itersiblings(node.tag, preceding=True)) + 1}]"
            parts.append(name)
        return f"line {element.sourceline}, {'/'.join(reversed(parts))}"


# -- entry details ----------------------------------------------------------------------------


def _split(details: list[Found], total: Decimal, currency: str) -> list[Decimal] | None:
    """The signed amount of each TxDtls, or None when one is missing, in another currency,
    or they do not add up to the entry's amount."""
    amounts = []
    for transaction in details:
        path = "Amt" if "Amt" in transaction.texts_at else "AmtDtls/TxAmt/Amt"
        element = transaction.first(path)
        if element is None or (_currency_of(element) or currency) != currency:
            return None
        indicator = _credit_debit(transaction)
        # Without its own indicator a transaction goes the entry's way.
        direction = indicator if indicator is not None else (1 if total >= 0 else -1)
        amounts.append(_decimal(transaction, path) * direction)
    return amounts if sum(amounts) == total else None


def _transaction(
    transaction: Found, amount: Decimal, source: str, common: dict, entry: tuple[str, str, str], own_iban: str
) -> Entry:
    """The Entry of one TxDtls of `amount`: what the TxDtls tells, the entry's values
    (`common`), and the entry's reference and codes where the TxDtls is silent (made by the
    compiled transaction_entry, see _camt_walk)."""
    indicator = _credit_debit(transaction)
    credit = indicator > 0 if indicator is not None else amount >= 0
    return transaction_entry(transaction, credit, own_iban, entry, common, amount, source)


_BOOKING_DATE, _VALUE_DATE = ("BookgDt/Dt", "BookgDt/DtTm"), ("ValDt/Dt", "ValDt/DtTm")


def _batch_count(ntry: Found) -> int:
    texts = ntry.texts("NtryDtls/Btch/NbOfTxs") + ntry.texts("Btch/NbOfTxs")  # Btch: version 1
    if not texts:  # the usual case
        return 1
    return max((int(text) for text in texts if _COUNT.fullmatch(text)), default=1)


# -- values -----------------------------------------------------------------------------------


def _currency_of(amount: etree._Element | None) -> str:
    return (amount.get("Ccy") or "").strip().upper() if amount is not None else ""


def _credit_debit(holder: Found) -> int | None:
    """+1 for CRDT, -1 for DBIT, None when the holder has no CdtDbtInd."""
    text = holder.texts_at.get("CdtDbtInd")
    if text is None:
        return None
    code = text.upper()
    if code not in ("CRDT", "DBIT"):
        raise _Invalid(f"CdtDbtInd {code!r} is neither CRDT nor DBIT", holder.element("CdtDbtInd"))
    return 1 if code == "CRDT" else -1


def _decimal(holder: Found, path: str, signed: bool = False) -> Decimal:
    """The amount at `path`, exactly as written; only summary sums (xs:decimal) may carry a sign."""
    text = holder.texts_at.get(path, "")
    digits = text[1:] if signed and text[:1] in ("+", "-") else text
    if not _AMOUNT.fullmatch(digits):
        raise _Invalid(f"amount {text!r} is not a decimal number", holder.element(path))
    whole, _point, fraction = digits.partition(".")
    if len(fraction) > 2 or len(whole) > _WHOLE_DIGITS:  # else it fits the books as written
        try:
            to_money(text)  # a sub-cent or oversized amount is refused, never rounded
        except ValueError as error:
            raise _Invalid(f"amount {error}", holder.element(path)) from error
    return Decimal(text)


def _date_value(holder: Found, path: str) -> date:
    text = holder.texts_at[path]
    day = _iso_date(text)
    if day is None:
        raise _Invalid(f"date {text!r} is not an ISO date (YYYY-MM-DD)", holder.element(path))
    return day


@lru_cache(maxsize=4096)  # a large statement has many entries and few days
def _iso_date(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if match:
        try:
            return date.fromisoformat(match[1])
        except ValueError:
            pass
    return None


def _datetime(holder: Found, path: str) -> datetime | None:
    """The date and time at `path`, None when there is none."""
    text = holder.texts_at.get(path)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise _Invalid(f"date and time {text!r} is not ISO 8601", holder.element(path)) from None


def _date_of(holder: Found, path: str) -> date | None:
    moment = _datetime(holder, path)
    return moment.date() if moment else None


def _date_choice(holder: Found, paths: tuple[str, str]) -> date | None:
    """The date of a date-or-date-time choice (the paths of its <Dt> and <DtTm>), None
    when absent."""
    day_path, moment_path = paths
    if day_path in holder.texts_at:
        return _date_value(holder, day_path)
    return _date_of(holder, moment_path)


def _pick(
    found: dict[str, BalanceSnapshot], codes: tuple[str, ...], kind: str
) -> BalanceSnapshot | None:
    for code in codes:
        if code in found:
            return replace(found[code], kind="interim" if code == "ITBD" else kind)
    return None


def _release(element: etree._Element) -> None:
    """Free a processed element and everything before it in its parent."""
    element.clear()
    while element.getprevious() is not None:
        del element.getparent()[0]


def _refuse_doctype(element: etree._Element) -> None:
    if element.getroottree().docinfo.doctype:
        raise StatementFormatError("documents with a DOCTYPE (DTD, entities) are refused", "prolog")
