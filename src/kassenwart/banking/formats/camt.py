"""Streaming parser for ISO 20022 camt.052 (report), camt.053 (statement) and camt.054
(notification), every version from .001.01 to .001.14.

Elements are matched on their local names, so the namespace (and with it the version) does
not matter, and a Document inside an envelope (``<message><AppHdr/><Document>``) is found
too. The file is read with ``lxml.etree.iterparse``, whose tag filter hands Python only the
message, statement and entry elements, and every processed element is removed from the tree,
so memory stays flat however large the file is. An entry is read by visiting only the elements
on the paths of the values it needs (``walk``), and made into its Entry objects (``Entries``),
both compiled (_camt_walk.pyx): it is the cost that counts in a large file.

``parse_camt`` yields, per Stmt/Rpt/Ntfctn, a ``StatementHeader`` and then that statement's
``Entry`` objects. Real-world deviations (no status, no booking date, balance without
credit/debit indicator, amount without currency, ...) do not stop the import: they become
lines in ``header.warnings``. Warnings found in entries are appended to the header object
already yielded, so read them after the statement's last entry.

With ``as_values``, entries come as tuples of their values in Entry's field order
(``Entry(*values)`` makes each): what a child interpreter sends for a large file (camt_child),
cheaper to make and to pickle than Entry objects.

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
from datetime import datetime
from decimal import Decimal
from typing import BinaryIO

from lxml import etree

from ._camt_walk import (
    CREDITOR_OTHERS,
    CREDITOR_REFERENCE,
    Entries,
    Found,
    Invalid,
    Tree,
    compact,
    credit_debit,
    currency_of,
    date_choice,
    date_of,
    datetime_at,
    decimal,
    local_name,
    walk,
)
from .statement import (
    BalanceSnapshot,
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

# Balance codes in order of preference for each header slot. A closing balance taken from
# an interim one keeps the kind "interim".
_OPENING_CODES = ("OPBD", "PRCD")
_CLOSING_CODES = ("CLBD", "ITBD")
_AVAILABLE_CODES = ("CLAV", "ITAV", "OPAV")

_VERSION = re.compile(r"camt\.(05[234])\.001\.([0-9]{2})")
_LISTED_REPEATS = 10
_AT_LINE = re.compile(r"(.+) \(line ([0-9]+)\)")  # a place as this module names it: "Ntry 3 (line 45)"


def parse_camt(source: str | os.PathLike[str] | BinaryIO, *, as_values: bool = False) -> Iterator[StatementItem]:
    """Yield a StatementHeader and then its Entry objects (with `as_values`: the tuples of
    their values), for each statement in `source` (a path or a binary file object)."""
    if isinstance(source, (str, os.PathLike)):
        source = os.fspath(source)
    yield from _Reader(as_values).read(source)


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
        self.reader: Entries | None = None  # made with the header
        self.entries = 0  # Ntry elements seen so far


class _Reader:
    def __init__(self, as_values: bool = False) -> None:
        self.as_values = as_values
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
        except Invalid as exc:
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
                self.group_created = datetime_at(walk(element, _GROUP_HEADER), "CreDtTm")
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
            statement.reader = Entries(statement.header, statement.warnings, self.version, self.format,
                                       _ENTRY, _TRANSACTION, self.as_values)
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
        header.created_at = datetime_at(stmt, "CreDtTm") or self.group_created
        header.period_from = date_of(stmt, "FrToDt/FrDtTm")
        header.period_to = date_of(stmt, "FrToDt/ToDtTm")
        header.currency = stmt.text("Acct/Ccy") or currency_of(stmt.first("Bal/Amt"))
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
            amount=decimal(bal, "Amt") * self._sign(bal, where, "balance", warnings),
            currency=self._currency(amount, currency, where, warnings),
            date=date_choice(bal, "Dt/Dt", "Dt/DtTm"),
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
                return decimal(stmt, net, signed=True) * direction
        credits, debits = "TxsSummry/TtlCdtNtries/Sum", "TxsSummry/TtlDbtNtries/Sum"
        if credits not in stmt.texts_at or debits not in stmt.texts_at:
            return None
        return decimal(stmt, credits, signed=True) - decimal(stmt, debits, signed=True)

    # -- entries ----------------------------------------------------------------------------

    def _entries(self, element: etree._Element) -> list:
        """The items of an Ntry of the current statement (read by the compiled Entries)."""
        statement = self.current
        return statement.reader.read(element, statement.entries)

    # -- helpers that warn or locate ----------------------------------------------------------

    @staticmethod
    def _sign(holder: Found, where: str, what: str, warnings: _Warnings) -> int:
        indicator = credit_debit(holder)
        if indicator is None:
            warnings.add(where, f"camt_{what}_no_indicator")
            return 1
        return indicator

    @staticmethod
    def _currency(amount: etree._Element, fallback: str, where: str, warnings: _Warnings) -> str:
        currency = currency_of(amount)
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
