from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from kassenwart.payments.sepa import (
    B2B,
    SCHEMES,
    SEQUENCE_TYPES,
    DirectDebit,
    DirectDebitMessage,
    MandateAmendment,
    MandateRelatedInfo,
    Party,
    SepaInvalid,
    pain008,
    problems,
    schemas,
    to_sepa_text,
)

from sepa_factories import (
    BICS,
    CREDITOR,
    CREDITOR_ID,
    DEBTORS,
    IBANS,
    LATIN,
    LETTERS,
    OTHER_CREDITOR_IDS,
    SAME_BANK,
    TODAY,
    amended,
    amounts,
    debit,
    debit_message,
    ids,
    sepa_text,
)
from shared_data import shared_path

NS = {"p": pain008.NAMESPACE}
ISO, DK = "pain.008.001.08", "pain.008.001.08_GBIC_4"
TX = ".//p:DrctDbtTxInf"


@pytest.fixture(scope="module")
def xsd_dir():
    return shared_path("xsd")


def values(xml_or_node, path: str) -> list[str]:
    node = etree.fromstring(xml_or_node) if isinstance(xml_or_node, bytes) else xml_or_node
    return [found.text for found in node.iterfind(path, NS)]


def transactions(xml: bytes) -> list:
    return etree.fromstring(xml).findall(TX, NS)


def lxml_layout(xml: bytes) -> bytes:
    """The document as lxml serializes its tree, for comparing the written layout with."""
    tree = etree.fromstring(xml, etree.XMLParser(remove_blank_text=True))
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def test_a_collection_run_validates_against_iso_and_dk(xsd_dir):
    xml = pain008.build(debit_message([debit(n) for n in range(1, 5)]))
    assert schemas.check(xml, pain008.MESSAGE, xsd_dir) == [ISO, DK]
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:"
                          b"xsd:pain.008.001.08\">")
    assert xml == lxml_layout(xml)
    assert values(xml, ".//p:NbOfTxs") == ["4", "4"]
    assert values(xml, ".//p:CtrlSum") == ["100.00", "100.00"]
    assert values(xml, ".//p:InstdAmt") == ["10.00", "20.00", "30.00", "40.00"]
    assert values(xml, ".//p:PmtMtd") == ["DD"]
    assert values(xml, ".//p:PmtInf/p:PmtTpInf/p:SvcLvl/p:Cd") == ["SEPA"]
    assert values(xml, ".//p:PmtInf/p:PmtTpInf/p:LclInstrm/p:Cd") == ["CORE"]
    assert values(xml, ".//p:PmtInf/p:PmtTpInf/p:SeqTp") == ["RCUR"]
    assert values(xml, ".//p:ReqdColltnDt") == ["2026-11-27"]
    assert values(xml, ".//p:ChrgBr") == ["SLEV"]
    assert values(xml, ".//p:PmtInf/p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id") == [CREDITOR_ID]
    assert values(xml, ".//p:PmtInf/p:CdtrSchmeId//p:SchmeNm/p:Prtry") == ["SEPA"]
    assert values(xml, ".//p:Cdtr/p:Nm") == [CREDITOR.name]
    assert values(xml, ".//p:CdtrAcct/p:Id/p:IBAN") == [CREDITOR.iban]
    assert values(xml, ".//p:MndtId") == ["MNDT-1", "MNDT-2", "MNDT-3", "MNDT-4"]
    assert values(xml, ".//p:DtOfSgntr") == ["2024-03-01"] * 4
    assert values(xml, ".//p:AmdmntInd") == []
    assert values(xml, ".//p:Dbtr/p:Nm") == ["Gärtnerei Ölmühle", "Anna Berger", "Cafe Lumiere & Co",
                                             "Gärtnerei Ölmühle"]
    assert "<Nm>Gärtnerei Ölmühle</Nm>".encode() in xml and b"<Nm>Cafe Lumiere &amp; Co</Nm>" in xml
    assert values(xml, ".//p:Ustrd")[3] == "Beitrag 11/2026 Nr. 4"


def test_b2b_first_collection_without_batch_booking(xsd_dir):
    xml = pain008.build(debit_message(scheme=B2B, sequence_type="FRST", batch_booking=False))
    assert values(xml, ".//p:LclInstrm/p:Cd") == ["B2B"]
    assert values(xml, ".//p:SeqTp") == ["FRST"]
    assert values(xml, ".//p:BtchBookg") == ["false"]
    assert schemas.check(xml, pain008.MESSAGE, xsd_dir) == [ISO, DK]


def test_without_bics_both_agents_are_notprovided(xsd_dir):
    xml = pain008.build(debit_message([debit(2)], creditor=replace(CREDITOR, bic="")))  # Anna Berger has no BIC
    assert values(xml, ".//p:CdtrAgt/p:FinInstnId/p:Othr/p:Id") == ["NOTPROVIDED"]
    assert values(xml, ".//p:DbtrAgt/p:FinInstnId/p:Othr/p:Id") == ["NOTPROVIDED"]
    assert values(xml, ".//p:BICFI") == []
    assert schemas.check(xml, pain008.MESSAGE, xsd_dir) == [ISO, DK]


def test_values_are_written_as_sent(xsd_dir):
    msg = debit_message([debit(1, debtor=Party("Bjørn “Øl” Ærø", "de02 1203 0000 0000 2020 51", "byladem1001"),
                               remittance="Beitrag\t11/2026 – 42 €", amount=Decimal("7.5"))],
                        creditor_id="de98 zzz 0999 9999 999")
    xml = pain008.build(msg)
    assert values(xml, ".//p:Dbtr/p:Nm") == ["Bjorn 'Ol' Aero"]
    assert values(xml, ".//p:DbtrAcct/p:Id/p:IBAN") == ["DE02120300000000202051"]
    assert values(xml, ".//p:DbtrAgt//p:BICFI") == ["BYLADEM1001"]
    assert values(xml, ".//p:Ustrd") == ["Beitrag 11/2026 - 42 EUR"]
    assert values(xml, ".//p:InstdAmt") == ["7.50"]
    assert values(xml, ".//p:CdtrSchmeId//p:Othr/p:Id") == ["DE98ZZZ09999999999"]
    assert schemas.check(xml, pain008.MESSAGE, xsd_dir) == [ISO, DK]
    plain = pain008.build(debit_message([debit(1)]), dk=False)
    assert values(plain, ".//p:Dbtr/p:Nm") == ["Gaertnerei Oelmuehle"]


def test_the_builder_applies_the_rules_and_writes_nothing_for_a_zero_amount():
    with pytest.raises(SepaInvalid) as raised:
        pain008.build(debit_message([debit(1), debit(2, amount=Decimal("0.00"))]))
    assert [(p.field, p.code) for p in raised.value.problems] == [("debits[1].amount", "amount_range")]


def test_today_defaults_to_the_day_of_creation():
    late = debit_message(created_at=datetime(2026, 11, 28, 8, 0))  # collection date 27 November has passed
    with pytest.raises(SepaInvalid):
        pain008.build(late)
    assert pain008.build(late, today=TODAY)


# Amendments, as GBIC_4 wants them: AmdmntInd true and AmdmntInfDtls with the original values.

def amendment_of(xml: bytes, index: int = 0):
    return transactions(xml)[index].find("p:DrctDbtTx/p:MndtRltdInf", NS)


def test_a_new_mandate_reference_carries_the_original_one(xsd_dir):
    xml = pain008.build(debit_message([amended(1, original_reference="ALT-7")]))
    mandate = amendment_of(xml)
    assert [child.tag.split("}")[1] for child in mandate] == ["MndtId", "DtOfSgntr", "AmdmntInd", "AmdmntInfDtls"]
    assert values(mandate, "p:AmdmntInd") == ["true"]
    assert values(mandate, "p:AmdmntInfDtls/p:OrgnlMndtId") == ["ALT-7"]
    assert len(mandate.find("p:AmdmntInfDtls", NS)) == 1
    assert schemas.check(xml, pain008.MESSAGE, xsd_dir) == [ISO, DK]


def test_a_new_creditor_id_and_name_carry_the_original_ones(xsd_dir):
    xml = pain008.build(debit_message([amended(1, original_creditor_id="at92 zzz 0000 0012 345",
                                               original_creditor_name="Nordlicht Software AG")]))
    original = amendment_of(xml).find("p:AmdmntInfDtls/p:OrgnlCdtrSchmeId", NS)
    assert values(original, "p:Nm") == ["Nordlicht Software AG"]
    assert values(original, "p:Id/p:PrvtId/p:Othr/p:Id") == ["AT92ZZZ00000012345"]
    assert values(original, "p:Id/p:PrvtId/p:Othr/p:SchmeNm/p:Prtry") == ["SEPA"]
    assert schemas.check(xml, pain008.MESSAGE, xsd_dir) == [ISO, DK]
    only_name = pain008.build(debit_message([amended(1, original_creditor_name="Nordlicht Software AG")]))
    assert values(only_name, ".//p:OrgnlCdtrSchmeId/p:Nm") == ["Nordlicht Software AG"]
    assert values(only_name, ".//p:OrgnlCdtrSchmeId/p:Id") == []
    assert schemas.check(only_name, pain008.MESSAGE, xsd_dir) == [ISO, DK]


def test_a_new_account_at_the_same_bank_carries_the_original_iban(xsd_dir):
    xml = pain008.build(debit_message([amended(1, original_debtor_iban="DE64 1203 0000 0000 2020 99")]))
    details = amendment_of(xml).find("p:AmdmntInfDtls", NS)
    assert values(details, "p:OrgnlDbtrAcct/p:Id/p:IBAN") == ["DE64120300000000202099"]
    assert values(details, ".//p:Othr") == [] and details.find("p:OrgnlDbtrAgt", NS) is None
    assert schemas.check(xml, pain008.MESSAGE, xsd_dir) == [ISO, DK]


def test_a_move_to_another_bank_is_smnda_in_the_original_debtor_account(xsd_dir):
    """pain.008.001.08 (GBIC_4, EPC since 2016): OrgnlDbtrAcct/Id/Othr/Id "SMNDA", and no
    OrgnlDbtrAgt with it; the old IBAN is not sent."""
    xml = pain008.build(debit_message([debit(1), amended(2, new_debtor_bank=True, original_reference="ALT-2")]))
    assert amendment_of(xml, 0).find("p:AmdmntInd", NS) is None
    details = amendment_of(xml, 1).find("p:AmdmntInfDtls", NS)
    assert [child.tag.split("}")[1] for child in details] == ["OrgnlMndtId", "OrgnlDbtrAcct"]
    assert values(details, "p:OrgnlDbtrAcct/p:Id/p:Othr/p:Id") == ["SMNDA"]
    assert values(details, ".//p:IBAN") == []
    assert schemas.check(xml, pain008.MESSAGE, xsd_dir) == [ISO, DK]


def test_with_no_xsd_directory_a_debit_file_breaking_the_iso_schema_is_refused():
    root = etree.fromstring(pain008.build(debit_message([debit(1), debit(2)])))
    mandate = root.findall(".//p:MndtRltdInf", NS)[1]
    mandate.insert(0, mandate[1])  # DtOfSgntr before MndtId: out of the schema's order
    broken = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with pytest.raises(SepaInvalid) as raised:
        schemas.check(broken, pain008.MESSAGE, None)
    [problem] = raised.value.problems
    assert (problem.code, problem.params["schema"]) == ("schema_invalid", ISO)
    assert problem.field.endswith("DrctDbtTxInf[2]/DrctDbtTx/MndtRltdInf/MndtId")


def test_the_dk_schema_refuses_what_iso_allows_in_a_debit_file(xsd_dir):
    root = etree.fromstring(pain008.build(debit_message()))
    scheme_id = root.find(".//p:PmtInf/p:CdtrSchmeId", NS)
    scheme_id.getparent().remove(scheme_id)  # optional in ISO; GBIC_4 wants it in PmtInf or each debit
    broken = etree.tostring(root)
    assert schemas.check(broken, pain008.MESSAGE, None) == [ISO]
    root.find(".//p:SeqTp", NS).text = "RCUR"
    root.find(".//p:LclInstrm/p:Cd", NS).text = "COR1"  # ISO takes any code, DK only CORE and B2B
    with pytest.raises(SepaInvalid) as raised:
        schemas.check(etree.tostring(root), pain008.MESSAGE, xsd_dir)
    assert {p.params["schema"] for p in raised.value.problems} == {DK}


# Property: any debit message the rules accept builds, and both schemas accept what it builds.

creditor_ids = st.sampled_from((CREDITOR_ID, *OTHER_CREDITOR_IDS)).flatmap(
    lambda cid: st.sampled_from((cid, cid.lower(), f"{cid[:4]} {cid[4:7]} {cid[7:]}")))


@st.composite
def amendments(draw, reference: str, creditor_id: str, creditor_name: str, debtor: Party, names):
    fields = {}
    if draw(st.booleans()):
        fields["original_reference"] = draw(ids.filter(lambda value: value != reference))
    if draw(st.booleans()):
        original = draw(st.sampled_from([c for c in (CREDITOR_ID, *OTHER_CREDITOR_IDS)
                                         if c != "".join(creditor_id.split()).upper()]))
        fields["original_creditor_id"] = original
    if draw(st.booleans()):
        name = draw(names)
        if to_sepa_text(name) != to_sepa_text(creditor_name):
            fields["original_creditor_name"] = name
    account = draw(st.sampled_from(["same", "new bank", "same bank"] if debtor.iban in SAME_BANK else
                                   ["same", "new bank"]))
    if account == "new bank":
        fields["new_debtor_bank"] = True
    elif account == "same bank":
        fields["original_debtor_iban"] = SAME_BANK[debtor.iban]
    return MandateAmendment(**fields) if fields else None


@st.composite
def debit_messages(draw, names=sepa_text(LETTERS, 17), remittances=st.one_of(st.just(""), sepa_text(LATIN, 34))):
    creditor = Party(draw(names), CREDITOR.iban, draw(st.sampled_from(BICS)))
    creditor_id = draw(creditor_ids)
    count = draw(st.integers(1, 40))
    e2e = draw(st.lists(ids, min_size=count, max_size=count, unique=True))
    debits = []
    for n in range(count):
        debtor = draw(st.sampled_from(DEBTORS)) if draw(st.booleans()) else Party(
            draw(names), draw(st.sampled_from(IBANS)), draw(st.sampled_from(BICS)))
        reference = draw(ids)
        amendment = draw(amendments(reference, creditor_id, creditor.name, debtor, names)) if draw(
            st.integers(0, 3)) == 0 else None
        mandate = MandateRelatedInfo(reference, draw(st.dates(date(2009, 11, 2), TODAY)), amendment)
        debits.append(DirectDebit(e2e[n], draw(amounts), debtor, mandate, draw(remittances)))
    return DirectDebitMessage(
        message_id=draw(ids), created_at=datetime(2026, 11, 23, 9, 30), initiator=draw(names), creditor=creditor,
        creditor_id=creditor_id, payment_info_id=draw(ids), collection_date=draw(st.dates(TODAY, date(2027, 12, 31))),
        scheme=draw(st.sampled_from(SCHEMES)), sequence_type=draw(st.sampled_from(SEQUENCE_TYPES)),
        debits=tuple(debits), batch_booking=draw(st.booleans()),
    )


# deadline=None: a slow or loaded machine must not fail a test of what is built, not how fast
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(msg=debit_messages())
def test_any_valid_debit_message_builds_and_validates_against_both_schemas(xsd_dir, msg):
    assert problems(msg, today=TODAY) == []
    xml = pain008.build(msg, today=TODAY)
    assert schemas.check(xml, pain008.MESSAGE, xsd_dir) == [ISO, DK]
    assert xml == lxml_layout(xml)
    amounts_written = values(xml, ".//p:InstdAmt")
    assert [Decimal(a) for a in amounts_written] == [d.amount for d in msg.debits]
    assert values(xml, ".//p:NbOfTxs") == [str(len(msg.debits))] * 2
    assert values(xml, ".//p:CtrlSum") == [str(sum(Decimal(a) for a in amounts_written))] * 2
    assert values(xml, ".//p:EndToEndId") == [d.end_to_end_id for d in msg.debits]
    assert values(xml, ".//p:MndtId") == [d.mandate.reference for d in msg.debits]
    assert values(xml, ".//p:SeqTp") == [msg.sequence_type]
    assert values(xml, ".//p:CdtrSchmeId//p:Othr/p:Id") == ["".join(msg.creditor_id.split()).upper()]
    for node, sent in zip(transactions(xml), msg.debits, strict=True):
        amendment = sent.mandate.amendment
        assert values(node, ".//p:AmdmntInd") == (["true"] if amendment else [])
        smnda = values(node, ".//p:AmdmntInfDtls/p:OrgnlDbtrAcct/p:Id/p:Othr/p:Id")
        assert smnda == (["SMNDA"] if amendment and amendment.new_debtor_bank else [])
        assert node.find(".//p:OrgnlDbtrAgt", NS) is None
