"""Small statement files for the web tests, built in code (camt.053 and MT940).

A module of its own (not conftest.py) so that test modules can import it by a unique name.
"""

from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape


def camt053(
    iban: str = "DE89370400440532013000",
    entries: tuple = (("1234.56", "CRDT", "Kunde Eins GmbH", "DE12500105170648489890", "RE-2026-0042 Danke"),),
    opening: str = "1000.00",
    statement_id: str = "2026-07-21-001",
    closing_error: str = "0.00",
) -> bytes:
    """A small camt.053.001.08 day statement; its closing balance is off by `closing_error`."""
    total = sum(Decimal(a) if d == "CRDT" else -Decimal(a) for a, d, *_ in entries)
    closing = Decimal(opening) + total + Decimal(closing_error)

    def balance(code, amount):
        sign = "CRDT" if amount >= 0 else "DBIT"
        return (
            f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
            f'<Amt Ccy="EUR">{abs(amount):.2f}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
            f"<Dt><Dt>2026-07-21</Dt></Dt></Bal>"
        )

    def entry(n, amount, direction, name, counter_iban, text):
        party, account = ("Dbtr", "DbtrAcct") if direction == "CRDT" else ("Cdtr", "CdtrAcct")
        return (
            f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>'
            f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-07-21</Dt></BookgDt>"
            f"<ValDt><Dt>2026-07-21</Dt></ValDt><AcctSvcrRef>BANKREF{n:04d}</AcctSvcrRef>"
            f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>"
            f"<Prtry><Cd>NTRF+166+00931</Cd><Issr>DK</Issr></Prtry></BkTxCd>"
            f"<NtryDtls><TxDtls><Refs><EndToEndId>E2E-{n:04d}</EndToEndId></Refs>"
            f'<Amt Ccy="EUR">{amount}</Amt>'
            f"<RltdPties><{party}><Pty><Nm>{escape(name)}</Nm></Pty></{party}>"
            f"<{account}><Id><IBAN>{counter_iban}</IBAN></Id></{account}></RltdPties>"
            f"<RmtInf><Ustrd>{escape(text)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        )

    body = "".join(entry(n, *e) for n, e in enumerate(entries, 1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
        "<BkToCstmrStmt><GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-07-21T18:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{statement_id}</Id><ElctrncSeqNb>1</ElctrncSeqNb>"
        "<CreDtTm>2026-07-21T18:00:00</CreDtTm>"
        "<FrToDt><FrDtTm>2026-07-21T00:00:00</FrDtTm><ToDtTm>2026-07-21T23:59:59</ToDtTm></FrToDt>"
        f"<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy><Nm>Geschäftskonto</Nm>"
        "<Svcr><FinInstnId><BICFI>COBADEFFXXX</BICFI></FinInstnId></Svcr></Acct>"
        f"{balance('OPBD', Decimal(opening))}{balance('CLBD', closing)}{body}"
        "</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def mt940(bank_code="37040044", account="0532013000", amount="50,00", name="Kunde Zwei OHG") -> bytes:
    """A small MT940 day statement with one credit, balances consistent."""
    opening = Decimal("1000.00")
    closing = opening + Decimal(amount.replace(",", "."))
    return (
        ":20:STARTUMS\r\n"
        f":25:{bank_code}/{account}\r\n"
        ":28C:00001/001\r\n"
        f":60F:C260720EUR{opening:.2f}\r\n".replace(".", ",")
        + f":61:2607210721CR{amount}NTRFNONREF//BANKREF7\r\n"
        f":86:166?00GUTSCHRIFT?20RE-2026-0050 Danke?32{name}?31DE12500105170648489890\r\n"
        + f":62F:C260721EUR{closing:.2f}\r\n".replace(".", ",")
        + "-\r\n"
    ).encode("latin-1")
