"""camt.052/053/054 parser: small documents per case, robustness, and the shared corpus."""

import io
import re
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kassenwart.banking.formats.camt import parse_camt
from kassenwart.banking.formats.statement import (
    BOOKED,
    PENDING,
    Entry,
    StatementFormatError,
    StatementHeader,
    group,
)

from bankfiles_expected import CAMT_COUNTS, CAMT_DIFFERENCES, CAMT_REFUSED, CAMT_TOTALS_DIFFER, differences
from shared_data import shared_path

OWN_IBAN = "DE89370400440532013000"
MESSAGES = {
    "052": ("BkToCstmrAcctRpt", "Rpt"),
    "053": ("BkToCstmrStmt", "Stmt"),
    "054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn"),
}


# -- building documents -------------------------------------------------------------------------


def bal(code: str, amount: str, indicator: str = "CRDT", day: str = "<Dt>2026-03-01</Dt>") -> str:
    direction = f"<CdtDbtInd>{indicator}</CdtDbtInd>" if indicator else ""
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="EUR">{amount}</Amt>{direction}<Dt>{day}</Dt></Bal>\n'
    )


HEAD_V08 = (
    "<Id>STMT-1</Id><ElctrncSeqNb>42</ElctrncSeqNb><LglSeqNb>7</LglSeqNb>\n"
    "<CreDtTm>2026-03-02T06:00:00+01:00</CreDtTm>\n"
    "<FrToDt><FrDtTm>2026-03-01T00:00:00</FrDtTm><ToDtTm>2026-03-01T23:59:59</ToDtTm></FrToDt>\n"
    "<Acct><Id><IBAN>de89 3704 0044 0532 0130 00</IBAN></Id><Ccy>EUR</Ccy><Nm>Geschaeftskonto</Nm>\n"
    "<Ownr><Nm>Nordlicht Software GmbH</Nm></Ownr><Svcr><FinInstnId><BICFI>COBADEFFXXX</BICFI>\n"
    "<ClrSysMmbId><MmbId>37040044</MmbId></ClrSysMmbId></FinInstnId></Svcr></Acct>\n"
    + bal("PRCD", "1000.00", day="<Dt>2026-02-28</Dt>")
    + bal("CLBD", "50.00", "DBIT")
    + bal("CLAV", "950.00", day="<DtTm>2026-03-01T18:00:00</DtTm>")
    + "<TxsSummry><TtlNtries><NbOfNtries>1</NbOfNtries>\n"
    "<TtlNetNtry><Amt>1050.00</Amt><CdtDbtInd>DBIT</CdtDbtInd></TtlNetNtry></TtlNtries></TxsSummry>\n"
)

HEAD_V02 = (
    "<Id>STMT-2</Id><LglSeqNb>7</LglSeqNb>\n"
    f"<Acct><Id><IBAN>{OWN_IBAN}</IBAN></Id><Ccy>EUR</Ccy>\n"
    "<Svcr><FinInstnId><BIC>COBADEFF</BIC></FinInstnId></Svcr></Acct>\n"
    + bal("OPBD", "10.00")
    + "<TxsSummry><TtlNtries><NbOfNtries>1</NbOfNtries><TtlNetNtryAmt>5.00</TtlNetNtryAmt>\n"
    "<CdtDbtInd>CRDT</CdtDbtInd></TtlNtries></TxsSummry>\n"
)


def document(*statements: str, version: str = "053.001.08", namespace: bool = True) -> str:
    message, statement = MESSAGES[version[:3]]
    xmlns = f' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.{version}"' if namespace else ""
    body = "".join(f"<{statement}>{content}</{statement}>\n" for content in statements)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document{xmlns}><{message}>\n'
        "<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-03-02T07:00:00</CreDtTm></GrpHdr>\n"
        f"{body}</{message}></Document>\n"
    )


def ntry(
    details: str = "",
    *,
    amount: str = "100.00",
    indicator: str = "CRDT",
    extra: str = "",
    status: str = "<Sts><Cd>BOOK</Cd></Sts>",
) -> str:
    return (
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>{extra}{status}'
        "<BookgDt><Dt>2026-03-01</Dt></BookgDt><ValDt><Dt>2026-03-02</Dt></ValDt>"
        f"<AcctSvcrRef>NTRY-REF</AcctSvcrRef><BkTxCd/><NtryDtls>{details}</NtryDtls></Ntry>\n"
    )


def tx(amount: str, indicator: str, name: str, reference: str = "") -> str:
    """A TxDtls with an amount and the same name as debtor and creditor."""
    refs = f"<Refs><AcctSvcrRef>{reference}</AcctSvcrRef></Refs>" if reference else ""
    party = f"<Pty><Nm>{name}</Nm></Pty>"
    return (
        f'<TxDtls>{refs}<Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
        f"<RltdPties><Dbtr>{party}</Dbtr><Cdtr>{party}</Cdtr></RltdPties></TxDtls>"
    )


def parse(xml: str | bytes) -> list[tuple[StatementHeader, list[Entry]]]:
    return list(group(parse_camt(io.BytesIO(xml.encode() if isinstance(xml, str) else xml))))


def only(xml: str) -> tuple[StatementHeader, list[Entry]]:
    [statement] = parse(xml)
    return statement


def refused(xml: str | bytes) -> StatementFormatError:
    with pytest.raises(StatementFormatError) as caught:
        parse(xml)
    return caught.value


def line_of(xml: str, needle: str) -> int:
    return next(number for number, line in enumerate(xml.splitlines(), start=1) if needle in line)


# -- header ---------------------------------------------------------------------------------


def test_header_of_a_v08_statement():
    header, entries = only(document(HEAD_V08 + ntry(amount="1050.00", indicator="DBIT")))
    assert header.format == "camt.053.001.08"
    assert header.account_iban == OWN_IBAN
    assert (header.currency, header.account_bic, header.bank_code) == ("EUR", "COBADEFFXXX", "37040044")
    assert (header.account_owner, header.account_name) == ("Nordlicht Software GmbH", "Geschaeftskonto")
    assert (header.statement_id, header.sequence) == ("STMT-1", "42")
    assert header.created_at == datetime(2026, 3, 2, 6, 0, tzinfo=timezone(timedelta(hours=1)))
    assert (header.period_from, header.period_to) == (date(2026, 3, 1), date(2026, 3, 1))
    assert header.opening.amount == Decimal("1000.00") and header.opening.kind == "opening"
    assert header.opening.date == date(2026, 2, 28)
    assert header.closing.amount == Decimal("-50.00") and header.closing.kind == "closing"
    assert header.available.amount == Decimal("950.00") and header.available.date == date(2026, 3, 1)
    assert header.reported_total == Decimal("-1050.00")
    assert header.opening.amount + sum(entry.amount for entry in entries) == header.closing.amount
    assert header.warnings == []


def test_header_comes_before_its_entries_and_each_statement_has_its_own():
    xml = document(HEAD_V08 + ntry() + ntry(), HEAD_V02.replace("STMT-2", "STMT-3") + ntry())
    kinds = [type(item).__name__ for item in parse_camt(io.BytesIO(xml.encode()))]
    assert kinds == ["StatementHeader", "Entry", "Entry", "StatementHeader", "Entry"]
    assert [header.statement_id for header, _ in parse(xml)] == ["STMT-1", "STMT-3"]


def test_statement_without_entries_still_yields_its_header():
    header, entries = only(document(HEAD_V08))
    assert entries == [] and header.closing.amount == Decimal("-50.00")


def test_v02_header_sequence_bic_and_net_total():
    header, _ = only(document(HEAD_V02 + ntry(), version="053.001.02"))
    assert (header.format, header.sequence, header.account_bic) == ("camt.053.001.02", "7", "COBADEFF")
    assert header.reported_total == Decimal("5.00")
    assert header.created_at == datetime(2026, 3, 2, 7, 0)  # from GrpHdr, the Stmt has none


def test_interim_balance_is_the_closing_only_without_a_booked_one():
    head = "<Id>R1</Id><Acct><Id><Othr><Id>12345678</Id></Othr></Id><Ccy>CHF</Ccy></Acct>\n"
    interim = head + bal("ITBD", "5.00") + bal("ITAV", "4.00")
    header, _ = only(document(interim, version="052.001.08"))
    assert (header.account_iban, header.account_number) == ("", "12345678")
    assert header.closing.kind == "interim" and header.closing.amount == Decimal("5.00")
    assert header.available.kind == "available" and header.available.amount == Decimal("4.00")
    assert header.opening is None
    booked = only(document(interim + bal("CLBD", "6.00"), version="052.001.08"))[0]
    assert booked.closing.kind == "closing" and booked.closing.amount == Decimal("6.00")


# -- entries --------------------------------------------------------------------------------

CREDIT_V08 = f"""<TxDtls><Refs><AcctSvcrRef>TX-REF</AcctSvcrRef><EndToEndId>E2E-123</EndToEndId></Refs>
<Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>
<Prtry><Cd>NTRF+166+00931</Cd><Issr>DK</Issr></Prtry></BkTxCd>
<RltdPties><Dbtr><Pty><Nm>Berger &amp; Jung GmbH</Nm></Pty></Dbtr>
<DbtrAcct><Id><IBAN>DE98100100109129664493</IBAN></Id></DbtrAcct>
<UltmtDbtr><Pty><Nm>Berger Holding</Nm></Pty></UltmtDbtr>
<Cdtr><Pty><Nm>Nordlicht Software GmbH</Nm></Pty></Cdtr><CdtrAcct><Id><IBAN>{OWN_IBAN}</IBAN></Id></CdtrAcct>
<UltmtCdtr><Pty><Nm>Nordlicht Vertrieb</Nm></Pty></UltmtCdtr></RltdPties>
<RltdAgts><DbtrAgt><FinInstnId><BICFI>MARKDEF1100</BICFI></FinInstnId></DbtrAgt>
<CdtrAgt><FinInstnId><BICFI>COBADEFFXXX</BICFI></FinInstnId></CdtrAgt></RltdAgts>
<Purp><Cd>SALA</Cd></Purp>
<RmtInf><Ustrd>Rechnung RE-</Ustrd><Ustrd>2026-0042 danke</Ustrd>
<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>RF18539007547034</Ref></CdtrRefInf></Strd>
</RmtInf></TxDtls>"""


def test_v08_credit_with_all_details():
    _, [entry] = only(document(HEAD_V08 + ntry(CREDIT_V08)))
    assert entry.amount == Decimal("100.00") and entry.currency == "EUR"
    assert (entry.booking_date, entry.value_date) == (date(2026, 3, 1), date(2026, 3, 2))
    assert entry.status == BOOKED
    assert entry.counterparty_name == "Berger & Jung GmbH"
    assert (entry.counterparty_iban, entry.counterparty_bic) == ("DE98100100109129664493", "MARKDEF1100")
    assert (entry.ultimate_debtor, entry.ultimate_creditor) == ("Berger Holding", "Nordlicht Vertrieb")
    assert entry.remittance == "Rechnung RE-\n2026-0042 danke"
    assert entry.structured_reference == "RF18539007547034"
    assert (entry.end_to_end_id, entry.bank_reference) == ("E2E-123", "TX-REF")
    assert (entry.transaction_code, entry.dk_code, entry.purpose_code) == ("PMNT/RCDT/ESCT", "166", "SALA")
    assert (entry.reversal, entry.batch_reference, entry.batch_size) == (False, "", 1)
    assert entry.source.startswith("Ntry 1 (line ")


DEBIT_V02 = """<TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId><MndtId>MANDATE-7</MndtId></Refs>
<AmtDtls><TxAmt><Amt Ccy="EUR">19.99</Amt></TxAmt></AmtDtls>
<BkTxCd><Prtry><Cd>NMSC+105+992</Cd><Issr>ZKA</Issr></Prtry></BkTxCd>
<RltdPties><Dbtr><Nm>Nordlicht Software GmbH</Nm></Dbtr>
<Cdtr><Nm>Stadtwerke Kiel</Nm><Id><PrvtId><Othr><Id>DE98ZZZ09999999999</Id>
<SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></Cdtr>
<CdtrAcct><Id><Othr><Id>0012345678</Id></Othr></Id></CdtrAcct></RltdPties>
<RltdAgts><CdtrAgt><FinInstnId><BIC>NOLADE21KIE</BIC></FinInstnId></CdtrAgt></RltdAgts>
<RmtInf><Ustrd>Abschlag Maerz</Ustrd></RmtInf></TxDtls>"""


def test_v02_debit_names_the_creditor_and_direct_debit_ids():
    debit = ntry(DEBIT_V02, amount="19.99", indicator="DBIT", status="<Sts>BOOK</Sts>")
    header, [entry] = only(document(HEAD_V02 + debit, version="053.001.02"))
    assert entry.amount == Decimal("-19.99")
    assert (entry.counterparty_name, entry.counterparty_iban) == ("Stadtwerke Kiel", "0012345678")
    assert entry.counterparty_bic == "NOLADE21KIE"
    assert (entry.mandate_id, entry.creditor_id) == ("MANDATE-7", "DE98ZZZ09999999999")
    assert entry.end_to_end_id == ""  # NOTPROVIDED is no id
    assert entry.dk_code == "105"
    assert entry.bank_reference == "NTRY-REF"  # no TxDtls reference: the entry's
    assert header.warnings == []  # text Sts is the v02 form


@pytest.mark.parametrize(
    ("code", "expected"),
    [("NTRF+166+00931", "166"), ("NMSC+201", "201"), ("00200", ""), ("NTRF+1666", ""), ("+177+1", "177")],
)
def test_dk_code_is_the_three_digits_after_the_first_plus(code, expected):
    details = f"<TxDtls><BkTxCd><Prtry><Cd>{code}</Cd></Prtry></BkTxCd></TxDtls>"
    assert only(document(HEAD_V08 + ntry(details)))[1][0].dk_code == expected


def test_return_reason_and_reversal():
    returned = "<TxDtls><RtrInf><Rsn><Cd>MD06</Cd></Rsn><AddtlInf>Widerspruch</AddtlInf></RtrInf></TxDtls>"
    _, [entry] = only(document(HEAD_V08 + ntry(returned, indicator="DBIT", extra="<RvslInd>true</RvslInd>")))
    assert entry.return_reason == "MD06" and entry.reversal is True and entry.amount == Decimal("-100.00")


def test_reversal_of_own_payment_names_the_payee_not_ourselves():
    # A returned transfer of ours: credited back, the parties still those of the original.
    details = f"""<TxDtls><RltdPties><Dbtr><Pty><Nm>Nordlicht Software GmbH</Nm></Pty></Dbtr>
<DbtrAcct><Id><IBAN>{OWN_IBAN}</IBAN></Id></DbtrAcct><Cdtr><Pty><Nm>Lieferant AG</Nm></Pty></Cdtr>
<CdtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></CdtrAcct></RltdPties></TxDtls>"""
    _, [entry] = only(document(HEAD_V08 + ntry(details, extra="<RvslInd>true</RvslInd>")))
    assert (entry.counterparty_name, entry.counterparty_iban) == ("Lieferant AG", "DE02120300000000202051")


@pytest.mark.parametrize(("code", "expected"), [("BOOK", BOOKED), ("PDNG", PENDING), ("INFO", PENDING)])
def test_status(code, expected):
    header, [entry] = only(document(HEAD_V08 + ntry(status=f"<Sts><Cd>{code}</Cd></Sts>")))
    assert entry.status == expected and header.warnings == []


def test_five_decimals_are_kept_exactly():
    _, [entry] = only(document(HEAD_V08 + ntry(amount="5442.09000", indicator="DBIT")))
    assert isinstance(entry.amount, Decimal) and str(entry.amount) == "-5442.09000"


# -- batches --------------------------------------------------------------------------------


def test_batch_with_three_transactions_becomes_three_entries():
    batch = tx("60.00", "CRDT", "A", "R-A") + tx("50.00", "CRDT", "B") + tx("10.00", "DBIT", "C")
    header, entries = only(document(HEAD_V08 + ntry("<Btch><NbOfTxs>3</NbOfTxs></Btch>" + batch)))
    assert [entry.amount for entry in entries] == [Decimal("60.00"), Decimal("50.00"), Decimal("-10.00")]
    assert sum(entry.amount for entry in entries) == Decimal("100.00")
    assert [entry.counterparty_name for entry in entries] == ["A", "B", "C"]
    assert {(entry.batch_reference, entry.batch_size) for entry in entries} == {("NTRY-REF", 3)}
    assert [entry.bank_reference for entry in entries] == ["R-A", "NTRY-REF", "NTRY-REF"]
    sources = [entry.source.split(" (")[0] for entry in entries]
    assert sources == ["Ntry 1 TxDtls 1", "Ntry 1 TxDtls 2", "Ntry 1 TxDtls 3"]
    assert header.warnings == []


def test_batch_reference_falls_back_to_ntry_ref_then_a_generated_id():
    unreferenced = ntry(tx("60.00", "CRDT", "A") + tx("40.00", "CRDT", "B")).replace(
        "<AcctSvcrRef>NTRY-REF</AcctSvcrRef>", ""
    )
    with_ntry_ref = unreferenced.replace("<Ntry>", "<Ntry><NtryRef>N-9</NtryRef>")
    _, entries = only(document(HEAD_V08 + ntry() + with_ntry_ref + unreferenced))
    assert [entry.batch_reference for entry in entries] == ["", "N-9", "N-9", "STMT-1/3", "STMT-1/3"]


def test_batch_amounts_from_amtdtls_in_v02():
    details = "".join(
        f'<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls></TxDtls>'
        for amount in ("30.00", "70.00")
    )
    _, entries = only(document(HEAD_V02 + ntry(details, status="<Sts>BOOK</Sts>"), version="053.001.02"))
    assert [entry.amount for entry in entries] == [Decimal("30.00"), Decimal("70.00")]


def test_batch_that_does_not_add_up_stays_one_entry_with_a_warning():
    without_amount = "<TxDtls><Refs><EndToEndId>X</EndToEndId></Refs></TxDtls>"
    details = tx("60.00", "CRDT", "A") + tx("30.00", "CRDT", "B") + without_amount
    header, [_, entry] = only(document(HEAD_V08 + ntry() + ntry(details)))
    assert entry.amount == Decimal("100.00") and entry.counterparty_name == "A"
    assert (entry.batch_reference, entry.batch_size) == ("NTRY-REF", 3)
    [warning] = header.warnings
    assert warning.startswith("Ntry 2 (line ") and "3 TxDtls" in warning


def test_batch_count_without_details_marks_the_entry():
    _, [entry] = only(document(HEAD_V08 + ntry("<Btch><NbOfTxs>203</NbOfTxs></Btch>")))
    assert (entry.amount, entry.batch_reference, entry.batch_size) == (Decimal("100.00"), "NTRY-REF", 203)


# -- versions and wrappings -------------------------------------------------------------------


@pytest.mark.parametrize("version", ["052.001.02", "053.001.04", "054.001.08", "053.001.14"])
def test_any_version_and_message(version):
    header, [entry] = only(document(HEAD_V08 + ntry(CREDIT_V08), version=version))
    assert header.format == f"camt.{version}"
    assert entry.counterparty_name == "Berger & Jung GmbH"


def test_without_namespace_the_message_still_counts():
    header, [entry] = only(document(HEAD_V08 + ntry(CREDIT_V08), namespace=False))
    assert header.format == "camt.053" and entry.amount == Decimal("100.00")


def test_document_inside_an_envelope():
    inner = document(HEAD_V08 + ntry(CREDIT_V08)).split("\n", 1)[1]
    xml = f"""<?xml version="1.0"?>
<message><AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.01"><BizMsgIdr>B1</BizMsgIdr>
<MsgDefIdr>camt.053.001.08</MsgDefIdr></AppHdr>{inner}</message>"""
    header, [entry] = only(xml)
    assert header.statement_id == "STMT-1" and entry.end_to_end_id == "E2E-123"


def test_version_1_names_and_shapes():
    report = """<Id>R-1</Id><Acct><Id><PrtryAcct><Id>CH2801234000123456789</Id></PrtryAcct></Id></Acct>
<Bal><Tp><Cd>OPBD</Cd></Tp><Amt Ccy="SEK">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Dt><Dt>2007-10-18</Dt></Dt></Bal>
<Ntry><Amt Ccy="SEK">200000</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><DtTm>2007-10-18T10:15:00+01:00</DtTm></BookgDt>
<AcctSvcrRef>A-1</AcctSvcrRef><Btch><NbOfTxs>20</NbOfTxs></Btch></Ntry>"""
    xml = document(report, version="052.001.01").replace("BkToCstmrAcctRpt>", "BkToCstmrAcctRptV01>")
    header, [entry] = only(xml)
    assert (header.format, header.account_number) == ("camt.052.001.01", "CH2801234000123456789")
    assert header.opening.amount == Decimal("1.00")
    assert (entry.amount, entry.booking_date) == (Decimal("-200000"), date(2007, 10, 18))
    assert (entry.batch_reference, entry.batch_size) == ("A-1", 20)


# -- lenient with deviations --------------------------------------------------------------------


def test_deviations_are_read_with_warnings():
    undirected = bal("OPBD", "1000.00", indicator="")
    head = HEAD_V08.replace(bal("PRCD", "1000.00", day="<Dt>2026-02-28</Dt>"), undirected)
    plain = ntry().replace('<Amt Ccy="EUR">', "<Amt>").replace("<BookgDt><Dt>2026-03-01</Dt></BookgDt>", "")
    no_status = ntry(status="")
    text_status = ntry(status="<Sts>PDNG</Sts>")
    header, entries = only(document(head + plain + no_status + text_status))
    assert header.opening.amount == Decimal("1000.00")
    assert [entry.currency for entry in entries] == ["EUR"] * 3
    assert entries[0].booking_date is None
    assert [entry.status for entry in entries] == [BOOKED, BOOKED, PENDING]
    expected = [
        "Bal OPBD (line",
        "balance without CdtDbtInd",
        "Amt without Ccy",
        "without booking date",
        "no status",
        "plain-text Sts 'PDNG'",
    ]
    text = "\n".join(header.warnings)
    assert all(part in text for part in expected), text
    assert len(header.warnings) == 5


def test_repeated_warnings_are_one_line():
    header, _ = only(document(HEAD_V08 + "".join(ntry(status="") for _ in range(13))))
    [warning] = header.warnings
    assert warning.startswith("Ntry 1 (line ") and "Ntry 11 (line" in warning
    assert warning.endswith("and 2 more)")


# -- refused ------------------------------------------------------------------------------------


def test_bad_amount_names_line_and_element():
    xml = document(HEAD_V08 + ntry() + ntry(amount="12,50"))
    error = refused(xml)
    assert error.where == f"line {line_of(xml, '12,50')}, Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt"
    assert "'12,50'" in error.message


def test_bad_amount_inside_a_batch_names_the_transaction():
    xml = document(HEAD_V08 + ntry(tx("60.00", "CRDT", "A") + tx("4O.00", "CRDT", "B")))
    assert refused(xml).where.endswith("Ntry[1]/NtryDtls/TxDtls[2]/Amt")


def test_bad_date_is_refused():
    xml = document(HEAD_V08 + ntry().replace("2026-03-02</Dt></ValDt>", "02.03.2026</Dt></ValDt>"))
    error = refused(xml)
    assert "ValDt/Dt" in error.where and "02.03.2026" in error.message


def test_ntry_without_amount_is_refused():
    assert "without Amt" in refused(document(HEAD_V08 + "<Ntry><CdtDbtInd>CRDT</CdtDbtInd></Ntry>")).message


def test_ntry_without_direction_is_refused():
    undirected = ntry().replace("<CdtDbtInd>CRDT</CdtDbtInd>", "")
    assert "CdtDbtInd" in refused(document(HEAD_V08 + undirected)).message


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"", "not well-formed"),
        (b"%PDF-1.4 binary", "not well-formed"),
        (b"<Document><BkToCstmrStmt><Stmt></BkToCstmrStmt>", "not well-formed"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn/></Document>',
            "not a camt",
        ),
        (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>', "without BkToCstmrStmt"),
        (b"<Document><BkToCstmrStmt><GrpHdr/></BkToCstmrStmt></Document>", "without any Stmt"),
    ],
)
def test_what_cannot_be_a_statement_is_refused(xml, message):
    assert message in refused(xml).message


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE Document SYSTEM "http://127.0.0.1:9/camt.dtd">',
        '<!DOCTYPE Document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        "<!DOCTYPE Document>",
    ],
)
def test_doctype_and_entities_are_refused(doctype):
    xml = document(HEAD_V08 + ntry(CREDIT_V08.replace("Berger Holding", "&xxe;&b;")))
    error = refused(xml.replace("?>\n", f"?>\n{doctype}\n", 1))
    assert "DOCTYPE" in error.message and error.where == "prolog"


def test_accepts_paths_and_file_objects(tmp_path):
    path = tmp_path / "statement.xml"
    path.write_text(document(HEAD_V08 + ntry()), encoding="utf-8")
    for source in (path, str(path)):
        assert len(list(parse_camt(source))) == 2
    with path.open("rb") as handle:
        assert len(list(parse_camt(handle))) == 2


VALID = document(HEAD_V08 + ntry(CREDIT_V08) + ntry(tx("60.00", "CRDT", "A") + tx("40.00", "CRDT", "B")))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_documents_never_raise_anything_but_statement_format_error(data):
    damaged = bytearray(VALID.encode())
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(damaged) - 1))
        damaged[position : position + data.draw(st.integers(0, 3))] = data.draw(st.binary(max_size=3))
    try:
        parse(bytes(damaged))
    except StatementFormatError as error:
        assert error.message


# -- the shared corpus --------------------------------------------------------------------------

STATEMENT_ELEMENT = re.compile(rb"<(\w+:)?(Stmt|Rpt|Ntfctn)>")


def test_corpus_parses_or_is_refused_clearly():
    """Every file is read or refused as tests/bankfiles_expected.py lists, and the balances
    that do not add up are exactly those the files have."""
    folder = shared_path("bankfiles", "camt")
    counts, refusals, found, totals = Counter(), {}, Counter(), {}
    for path in sorted(folder.rglob("*.xml")):
        name = str(path.relative_to(folder))
        try:
            statements = list(group(parse_camt(path)))
        except StatementFormatError as error:
            refusals[name] = str(error)
            # Only files without any statement in them are refused.
            assert not STATEMENT_ELEMENT.search(path.read_bytes()), name
            continue
        counts["files"] += 1
        for header, entries in statements:
            counts["statements"] += 1
            counts["entries"] += len(entries)
            counts["warnings"] += len(header.warnings)
            net = sum((entry.amount for entry in entries), Decimal(0))
            if header.opening and header.closing:
                counts["with opening and closing"] += 1
                difference = header.closing.amount - header.opening.amount - net
                if difference:
                    found[(name, header.statement_id, difference)] += 1
            if header.reported_total is not None and header.reported_total != net:
                totals[(name, header.statement_id)] = (header.reported_total, net)
    assert sorted(refusals) == sorted(CAMT_REFUSED)
    for name, says in CAMT_REFUSED.items():
        assert says in refusals[name], (name, refusals[name])
    assert dict(counts) == CAMT_COUNTS
    assert found == differences((name, statement, d) for (name, statement), d in CAMT_DIFFERENCES.items())
    assert totals == {key: (Decimal(reported), Decimal(net)) for key, (reported, net) in CAMT_TOTALS_DIFFER.items()}


def test_reconbench_statement_agrees_with_its_balances():
    path = shared_path("reconbench", "dev", "statement.xml")
    [(header, entries)] = list(group(parse_camt(path)))
    assert len(entries) == 1500
    assert header.opening.amount + sum(entry.amount for entry in entries) == header.closing.amount
    assert header.warnings == []
    assert all(entry.bank_reference for entry in entries)


def test_a_sub_cent_amount_is_refused_not_rounded():
    xml = document(HEAD_V08 + ntry() + ntry(amount="1.005"))
    error = refused(xml)
    assert error.where.endswith("Ntry[2]/Amt") and "more than two decimal places" in error.message


@pytest.mark.parametrize("amount", ["1" * 30, "1" * 14 + ".00", "9" * 27 + ".5"])
def test_an_amount_too_large_for_the_books_is_refused_with_its_element(amount):
    """27 digits and more once raised InvalidOperation, out of the parser (issue 12)."""
    xml = document(HEAD_V08 + ntry() + ntry(amount=amount))
    error = refused(xml)
    assert error.where.endswith("Ntry[2]/Amt") and "too large for an amount" in error.message
    balance = refused(document(HEAD_V08.replace("</Acct>", "</Acct>" + bal("OPBD", amount), 1) + ntry()))
    assert balance.where.endswith("Stmt[1]/Bal/Amt") and "too large for an amount" in balance.message


def test_which_of_repeated_elements_is_read_stays_as_it_always_was():
    """Values read from files imported before are in the fingerprints of their transactions:
    where an element repeats under different parents, the one read stays the one this reader
    always took (that of the last parent), or a re-import would add the file again."""
    head = "<Id>S</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>\n"  # no Acct/Ccy
    balances = bal("OPBD", "1.00").replace('Ccy="EUR"', 'Ccy="CHF"') + bal("CLBD", "1.00")
    details = f"{tx('1.00', 'CRDT', 'First')}</NtryDtls><NtryDtls>{tx('1.00', 'CRDT', 'Second')}"
    header, [entry] = only(document(head + balances + ntry(details, amount="1.00")))
    assert header.currency == "EUR"  # the currency of the last balance
    assert entry.counterparty_name == "Second"  # one transaction: the details of the last NtryDtls
    scheme = "<CdtrSchmeId><Id><PrvtId><Othr><Id>{}</Id></Othr></PrvtId></Id></CdtrSchmeId>"
    both = f"<TxDtls>{scheme.format('DE98ZZZ1')}<Refs>{scheme.format('DE98ZZZ2')}</Refs></TxDtls>"
    assert only(document(HEAD_V08 + ntry(both)))[1][0].creditor_id == "DE98ZZZ2"  # the last one
