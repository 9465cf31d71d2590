"""Write a statement as camt.053.001.08 (or camt.052.001.08), streaming.

    with open("statement.xml", "wb") as out:
        write_camt(out, header, entries)                 # camt.053.001.08
        write_camt(out, header, entries, message="052")  # camt.052.001.08

Entries are written one Ntry at a time through lxml's incremental writer, so a generator of
any number of entries needs no memory. Consecutive entries with the same non-empty
``batch_reference`` become one Ntry (amount: their sum; status, dates and reversal: the
first entry's; AcctSvcrRef: the batch reference) with one TxDtls each. What
``parse_camt`` reads back equals what was written, with these exceptions: text longer than
the schema allows is cut (names at 140 characters, references at 35, account names at 70;
remittance lines longer than 140 are split), a balance without a date gets the statement
period's (or creation) date, a non-numeric ``sequence`` is left out, and an entry in a batch
without a bank reference reads back with the batch reference.

Values that have a fixed format must be valid: amounts with at most 5 decimals and 18
digits, three-letter currencies, BICs, ISO transaction codes "DOMN/FMLY/SUBF", three-digit
DK codes; otherwise ValueError. camt.053 requires at least one balance. CreDtTm is the
header's ``created_at``, or now when it has none.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import BinaryIO

from lxml import etree

from .statement import BOOKED, BalanceSnapshot, Entry, StatementHeader

# message -> (message element, statement element)
_MESSAGES = {"053": ("BkToCstmrStmt", "Stmt"), "052": ("BkToCstmrAcctRpt", "Rpt")}
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}")
_BIC = re.compile(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_CODE = re.compile(r"[A-Za-z0-9]{1,4}")
_DK_CODE = re.compile(r"[0-9]{3}")
_SEQUENCE = re.compile(r"[0-9]{1,18}")
_MAX_DIGITS, _MAX_DECIMALS = 18, 5
_REMITTANCE_LINE = 140


def write_camt(
    out: BinaryIO | str | os.PathLike[str],
    header: StatementHeader,
    entries: Iterable[Entry],
    message: str = "053",
) -> None:
    """Write one statement (message "053") or account report ("052"), version .001.08,
    to a binary file object or a path."""
    if message not in _MESSAGES:
        raise ValueError(f"message must be one of {sorted(_MESSAGES)}, not {message!r}")
    root, statement = _MESSAGES[message]
    if isinstance(out, os.PathLike):
        out = os.fspath(out)
    namespace = f"urn:iso:std:iso:20022:tech:xsd:camt.{message}.001.08"
    created = header.created_at or datetime.now(UTC).replace(microsecond=0)
    balances = _balances(header, created)
    if message == "053" and not balances:
        raise ValueError("a camt.053 statement needs a balance: opening, closing or available")
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{namespace}}}Document", nsmap={None: namespace}):
            # The parts below are built without a namespace: serialized inside Document they
            # inherit its default namespace, with no prefix or declaration of their own.
            with xf.element(f"{{{namespace}}}{root}"):
                _emit(xf, _group_header(header, created))
                with xf.element(f"{{{namespace}}}{statement}"):
                    for part in (*_statement_head(header, created), _account(header), *balances):
                        _emit(xf, part)
                    if header.reported_total is not None:
                        _emit(xf, _summary(header.reported_total))
                    for batch in _batches(entries):
                        _emit(xf, _ntry(batch))


def _emit(xf: etree.xmlfile, element: etree._Element) -> None:
    xf.write("\n")
    xf.write(element)


# -- statement level ------------------------------------------------------------------------


def _group_header(header: StatementHeader, created: datetime) -> etree._Element:
    group = etree.Element("GrpHdr")
    _sub(group, "MsgId", header.statement_id[:35] or created.strftime("KW%Y%m%d%H%M%S"))
    _sub(group, "CreDtTm", created.isoformat())
    return group


def _statement_head(header: StatementHeader, created: datetime) -> list[etree._Element]:
    parts = [_leaf("Id", header.statement_id[:35] or created.strftime("KW%Y%m%d%H%M%S"))]
    if _SEQUENCE.fullmatch(header.sequence):
        parts.append(_leaf("ElctrncSeqNb", header.sequence))
    parts.append(_leaf("CreDtTm", created.isoformat()))
    if header.period_from and header.period_to:
        period = etree.Element("FrToDt")
        _sub(period, "FrDtTm", datetime.combine(header.period_from, time.min).isoformat())
        _sub(period, "ToDtTm", datetime.combine(header.period_to, time(23, 59, 59)).isoformat())
        parts.append(period)
    return parts


def _account(header: StatementHeader) -> etree._Element:
    if not (header.account_iban or header.account_number):
        raise ValueError("the header needs an account_iban or an account_number")
    account = etree.Element("Acct")
    _account_id(account, header.account_iban or header.account_number)
    if header.currency:
        _sub(account, "Ccy", _currency(header.currency))
    if header.account_name:
        _sub(account, "Nm", header.account_name[:70])
    if header.account_owner:
        _sub(_sub(account, "Ownr"), "Nm", header.account_owner[:140])
    if header.account_bic or header.bank_code:
        institution = _sub(_sub(account, "Svcr"), "FinInstnId")
        if header.account_bic:
            _sub(institution, "BICFI", _bic(header.account_bic))
        if header.bank_code:
            _sub(_sub(institution, "ClrSysMmbId"), "MmbId", header.bank_code[:35])
    return account


def _balances(header: StatementHeader, created: datetime) -> list[etree._Element]:
    interim = header.closing is not None and header.closing.kind == "interim"
    slots = (
        (header.opening, "OPBD", header.period_from),
        (header.closing, "ITBD" if interim else "CLBD", header.period_to),
        (header.available, "CLAV", header.period_to),
    )
    return [
        _balance(snapshot, code, snapshot.date or fallback or created.date(), header.currency)
        for snapshot, code, fallback in slots
        if snapshot is not None
    ]


def _balance(snapshot: BalanceSnapshot, code: str, day: date, currency: str) -> etree._Element:
    balance = etree.Element("Bal")
    _sub(_sub(_sub(balance, "Tp"), "CdOrPrtry"), "Cd", code)
    _amount(balance, "Amt", snapshot.amount, snapshot.currency or currency)
    _sub(balance, "CdtDbtInd", _indicator(snapshot.amount))
    _sub(_sub(balance, "Dt"), "Dt", day.isoformat())
    return balance


def _summary(total: Decimal) -> etree._Element:
    summary = etree.Element("TxsSummry")
    net = _sub(_sub(summary, "TtlNtries"), "TtlNetNtry")
    _sub(net, "Amt", _decimal_text(abs(total)))
    _sub(net, "CdtDbtInd", _indicator(total))
    return summary


# -- entries ----------------------------------------------------------------------------------


def _batches(entries: Iterable[Entry]) -> Iterator[list[Entry]]:
    """Consecutive entries sharing a batch reference; every other entry on its own."""
    batch: list[Entry] = []
    for entry in entries:
        reference = entry.batch_reference
        if batch and not (reference and reference == batch[0].batch_reference):
            yield batch
            batch = []
        batch.append(entry)
    if batch:
        yield batch


def _ntry(batch: list[Entry]) -> etree._Element:
    first = batch[0]
    if any(entry.currency != first.currency for entry in batch):
        raise ValueError(f"batch {first.batch_reference!r} mixes currencies")
    total = sum((entry.amount for entry in batch), Decimal(0))
    size = len(batch) if len(batch) > 1 else first.batch_size
    is_batch = bool(first.batch_reference) and size > 1
    ntry = etree.Element("Ntry")
    _amount(ntry, "Amt", total, first.currency)
    _sub(ntry, "CdtDbtInd", _indicator(total))
    if first.reversal:
        _sub(ntry, "RvslInd", "true")
    _sub(_sub(ntry, "Sts"), "Cd", "BOOK" if first.status == BOOKED else "PDNG")
    if first.booking_date:
        _sub(_sub(ntry, "BookgDt"), "Dt", first.booking_date.isoformat())
    if first.value_date:
        _sub(_sub(ntry, "ValDt"), "Dt", first.value_date.isoformat())
    reference = first.batch_reference if is_batch else first.bank_reference
    if reference:
        _sub(ntry, "AcctSvcrRef", reference[:35])
    # BkTxCd is mandatory on the entry (it may be empty). A batch whose transactions differ
    # in their codes gets an empty one, and each TxDtls its own.
    shared = all(_codes(entry) == _codes(first) for entry in batch)
    code = _sub(ntry, "BkTxCd")
    if shared:
        _fill_bank_transaction_code(code, first)
    details = _sub(ntry, "NtryDtls")
    if is_batch:
        _sub(_sub(details, "Btch"), "NbOfTxs", str(size))
    for entry in batch:
        details.append(_transaction(entry, own_code=not shared))
    return ntry


def _codes(entry: Entry) -> tuple[str, str]:
    return entry.transaction_code, entry.dk_code


def _transaction(entry: Entry, own_code: bool) -> etree._Element:
    transaction = etree.Element("TxDtls")
    _references(transaction, entry)
    _amount(transaction, "Amt", entry.amount, entry.currency)
    _sub(transaction, "CdtDbtInd", _indicator(entry.amount))
    if own_code and any(_codes(entry)):
        _fill_bank_transaction_code(_sub(transaction, "BkTxCd"), entry)
    _parties(transaction, entry)
    if entry.counterparty_bic:
        agent = _sub(_sub(transaction, "RltdAgts"), "DbtrAgt" if entry.amount >= 0 else "CdtrAgt")
        _sub(_sub(agent, "FinInstnId"), "BICFI", _bic(entry.counterparty_bic))
    if entry.purpose_code:
        _coded(_sub(transaction, "Purp"), entry.purpose_code)
    _remittance(transaction, entry)
    if entry.return_reason:
        _coded(_sub(_sub(transaction, "RtrInf"), "Rsn"), entry.return_reason)
    return transaction


def _references(transaction: etree._Element, entry: Entry) -> None:
    values = {
        "AcctSvcrRef": entry.bank_reference,
        "EndToEndId": entry.end_to_end_id,
        "MndtId": entry.mandate_id,
    }
    if any(values.values()):
        references = _sub(transaction, "Refs")
        for tag, value in values.items():
            if value:
                _sub(references, tag, value[:35])


def _parties(transaction: etree._Element, entry: Entry) -> None:
    """The counterparty is the debtor of a credit and the creditor of a debit."""
    credit = entry.amount >= 0
    debtor, creditor = (entry.counterparty_name, "") if credit else ("", entry.counterparty_name)
    parties = etree.Element("RltdPties")
    # In the schema's order: Dbtr, DbtrAcct, UltmtDbtr, Cdtr, CdtrAcct, UltmtCdtr.
    if debtor:
        _party(parties, "Dbtr", debtor)
    if credit and entry.counterparty_iban:
        _account_id(_sub(parties, "DbtrAcct"), entry.counterparty_iban)
    if entry.ultimate_debtor:
        _party(parties, "UltmtDbtr", entry.ultimate_debtor)
    if creditor or entry.creditor_id:
        party = _party(parties, "Cdtr", creditor)
        if entry.creditor_id:
            other = _sub(_sub(_sub(party, "Id"), "PrvtId"), "Othr")
            _sub(other, "Id", entry.creditor_id[:35])
            _sub(_sub(other, "SchmeNm"), "Prtry", "SEPA")
    if not credit and entry.counterparty_iban:
        _account_id(_sub(parties, "CdtrAcct"), entry.counterparty_iban)
    if entry.ultimate_creditor:
        _party(parties, "UltmtCdtr", entry.ultimate_creditor)
    if len(parties):
        transaction.append(parties)


def _party(parties: etree._Element, role: str, name: str) -> etree._Element:
    """Role/Pty with the name, if any (version 8 wraps a party in Pty)."""
    party = _sub(_sub(parties, role), "Pty")
    if name:
        _sub(party, "Nm", name[:140])
    return party


def _remittance(transaction: etree._Element, entry: Entry) -> None:
    lines = [
        line[start : start + _REMITTANCE_LINE]
        for line in entry.remittance.split("\n")
        if line
        for start in range(0, len(line), _REMITTANCE_LINE)
    ]
    if not (lines or entry.structured_reference):
        return
    remittance = _sub(transaction, "RmtInf")
    for line in lines:
        _sub(remittance, "Ustrd", line)
    if entry.structured_reference:
        reference = _sub(_sub(remittance, "Strd"), "CdtrRefInf")
        _sub(_sub(_sub(reference, "Tp"), "CdOrPrtry"), "Cd", "SCOR")
        _sub(reference, "Ref", entry.structured_reference[:35])


def _fill_bank_transaction_code(code: etree._Element, entry: Entry) -> None:
    if entry.transaction_code:
        parts = entry.transaction_code.split("/")
        if len(parts) != 3 or not all(_CODE.fullmatch(part) for part in parts):
            raise ValueError(f"transaction code {entry.transaction_code!r} is not DOMN/FMLY/SUBF")
        domain = _sub(code, "Domn")
        _sub(domain, "Cd", parts[0])
        family = _sub(domain, "Fmly")
        _sub(family, "Cd", parts[1])
        _sub(family, "SubFmlyCd", parts[2])
    if entry.dk_code:
        if not _DK_CODE.fullmatch(entry.dk_code):
            raise ValueError(f"DK code {entry.dk_code!r} is not three digits")
        proprietary = _sub(code, "Prtry")
        _sub(proprietary, "Cd", f"NTRF+{entry.dk_code}")
        _sub(proprietary, "Issr", "DK")


# -- values -----------------------------------------------------------------------------------


def _leaf(tag: str, text: str) -> etree._Element:
    element = etree.Element(tag)
    element.text = text
    return element


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = text
    return element


def _coded(choice: etree._Element, code: str) -> None:
    """A code-or-proprietary choice: Cd for an ISO code (up to 4 characters), else Prtry."""
    _sub(choice, "Cd" if _CODE.fullmatch(code) else "Prtry", code[:35])


def _account_id(account: etree._Element, identifier: str) -> None:
    holder = _sub(account, "Id")
    if _IBAN.fullmatch(identifier):
        _sub(holder, "IBAN", identifier)
    else:
        _sub(_sub(holder, "Othr"), "Id", identifier[:34])


def _amount(parent: etree._Element, tag: str, amount: Decimal, currency: str) -> None:
    _sub(parent, tag, _decimal_text(abs(amount))).set("Ccy", _currency(currency))


def _decimal_text(amount: Decimal) -> str:
    text = f"{amount:f}" if amount.is_finite() else ""
    whole, _, fraction = text.partition(".")
    if not text or len(fraction) > _MAX_DECIMALS or len(whole) + len(fraction) > _MAX_DIGITS:
        limits = f"at most {_MAX_DIGITS} digits, {_MAX_DECIMALS} decimals"
        raise ValueError(f"amount {amount} does not fit camt ({limits})")
    return text


def _indicator(amount: Decimal) -> str:
    return "CRDT" if amount >= 0 else "DBIT"


def _currency(currency: str) -> str:
    if not _CURRENCY.fullmatch(currency):
        raise ValueError(f"currency {currency!r} is not a three-letter ISO 4217 code")
    return currency


def _bic(bic: str) -> str:
    if not _BIC.fullmatch(bic):
        raise ValueError(f"{bic!r} is not a BIC")
    return bic
