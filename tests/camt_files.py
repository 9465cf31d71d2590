"""Small camt.053/052 files (version 08) for the import tests, from a template written here
by hand: not through the product's camt writer, so that writer and parser cannot share a
mistake unseen. One entry per line, so the parser can name the line of a broken one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

IBAN = "DE89370400440532013000"
DAY = date(2026, 10, 1)
MESSAGES = {"053": ("BkToCstmrStmt", "Stmt"), "052": ("BkToCstmrAcctRpt", "Rpt")}


@dataclass(frozen=True)
class Line:
    """One booking of the file: a credit (amount > 0) from, or a debit to, the counterparty."""

    amount: Decimal
    booking_date: date
    remittance: str
    name: str
    iban: str
    end_to_end_id: str = ""
    mandate_id: str = ""
    return_reason: str = ""  # ISO code of a returned debit or transfer, e.g. AC04
    status: str = "booked"  # or "pending"


def entry(amount: str | Decimal, day: date = DAY, text: str = "Rechnung RE-1", *, name: str = "Muster GmbH",
          iban: str = "DE02120300000000202051", end_to_end_id: str = "", mandate_id: str = "",
          return_reason: str = "", status: str = "booked") -> Line:
    return Line(Decimal(amount), day, text, name, iban, end_to_end_id, mandate_id, return_reason, status)


def _balance(code: str, amount: Decimal, day: date) -> str:
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="EUR">{abs(amount):.2f}</Amt><CdtDbtInd>{"DBIT" if amount < 0 else "CRDT"}</CdtDbtInd>'
        f"<Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>"
    )


def _entry(line: Line) -> str:
    direction = "DBIT" if line.amount < 0 else "CRDT"
    party, account = ("Cdtr", "CdtrAcct") if line.amount < 0 else ("Dbtr", "DbtrAcct")
    refs = "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in (
        ("EndToEndId", line.end_to_end_id), ("MndtId", line.mandate_id)) if value)
    refs = f"<Refs>{refs}</Refs>" if refs else ""
    returned = f"<RtrInf><Rsn><Cd>{line.return_reason}</Cd></Rsn></RtrInf>" if line.return_reason else ""
    day = line.booking_date.isoformat()
    return (
        f'<Ntry><Amt Ccy="EUR">{abs(line.amount):.2f}</Amt><CdtDbtInd>{direction}</CdtDbtInd>'
        f"<Sts><Cd>{'PDNG' if line.status == 'pending' else 'BOOK'}</Cd></Sts>"
        f"<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt><BkTxCd/>"
        f"<NtryDtls><TxDtls>{refs}<RltdPties><{party}><Pty><Nm>{escape(line.name)}</Nm></Pty></{party}>"
        f"<{account}><Id><IBAN>{line.iban}</IBAN></Id></{account}></RltdPties>"
        f"<RmtInf><Ustrd>{escape(line.remittance)}</Ustrd></RmtInf>{returned}</TxDtls></NtryDtls></Ntry>"
    )


def camt(
    entries: list[Line],
    *,
    iban: str = IBAN,
    opening: str | Decimal | None = "1000.00",
    closing: str | Decimal | None = None,
    message: str = "053",
    statement_id: str = "S-1",
) -> io.BytesIO:
    """A camt file of one statement (053) or report (052) with these entries; the closing
    balance adds up (opening + booked entries) unless given; no balances when opening is None."""
    document, statement = MESSAGES[message]
    days = [line.booking_date for line in entries] or [DAY]
    start, end = min(days), max(days)
    balances = ""
    if opening is not None:
        booked = sum((line.amount for line in entries if line.status == "booked"), Decimal("0"))
        closing = Decimal(closing) if closing is not None else Decimal(opening) + booked
        balances = (_balance("OPBD", Decimal(opening), start - timedelta(days=1)) + "\n"
                    + _balance("CLBD", closing, end) + "\n")
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.{message}.001.08"><{document}>\n'
        f"<GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>{end.isoformat()}T18:00:00</CreDtTm></GrpHdr>\n"
        f"<{statement}><Id>{statement_id}</Id><CreDtTm>{end.isoformat()}T18:00:00</CreDtTm>\n"
        f"<FrToDt><FrDtTm>{start.isoformat()}T00:00:00</FrDtTm><ToDtTm>{end.isoformat()}T23:59:59</ToDtTm></FrToDt>\n"
        f"<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
        f"{balances}"
        + "".join(_entry(line) + "\n" for line in entries)
        + f"</{statement}></{document}></Document>\n"
    )
    return io.BytesIO(text.encode())
