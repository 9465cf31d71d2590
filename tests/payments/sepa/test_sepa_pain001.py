from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from kassenwart.payments.sepa import CreditTransfer, Party, SepaInvalid, TransferMessage, pain001, problems, schemas

from sepa_factories import (
    BICS,
    CREDITORS,
    DEBTOR,
    IBANS,
    LATIN,
    LETTERS,
    TODAY,
    amounts,
    ids,
    message,
    sepa_text,
    transfer,
)
from shared_data import shared_path

NS = {"p": pain001.NAMESPACE}


@pytest.fixture(scope="module")
def xsd_dir():
    return shared_path("xsd")


def valid_everywhere(xml: bytes, xsd_dir) -> bool:
    return schemas.check(xml, pain001.MESSAGE, xsd_dir) == ["pain.001.001.09", "pain.001.001.09_GBIC_4"]


def values(xml: bytes, path: str) -> list[str]:
    return [node.text for node in etree.fromstring(xml).iterfind(path, NS)]


def test_a_payment_run_validates_against_iso_and_dk(xsd_dir):
    msg = message([transfer(n) for n in range(1, 6)])
    xml = pain001.build(msg)
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert valid_everywhere(xml, xsd_dir)
    assert values(xml, "p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs") == ["5"]
    assert values(xml, ".//p:CtrlSum") == ["1500.00", "1500.00"]
    assert values(xml, ".//p:InstdAmt") == ["100.00", "200.00", "300.00", "400.00", "500.00"]
    assert values(xml, ".//p:EndToEndId") == [f"E2E-{n}" for n in range(1, 6)]
    assert values(xml, ".//p:PmtTpInf/p:SvcLvl/p:Cd") == ["SEPA"]
    assert values(xml, ".//p:ChrgBr") == ["SLEV"]
    assert values(xml, ".//p:ReqdExctnDt/p:Dt") == ["2026-11-23"]
    assert values(xml, ".//p:BtchBookg") == ["true"]
    assert values(xml, ".//p:CreDtTm") == ["2026-11-23T09:30:00"]
    assert values(xml, ".//p:LclInstrm") == []


def test_amounts_have_exactly_two_decimals():
    xml = pain001.build(message([transfer(1, amount=Decimal("7")), transfer(2, amount=Decimal("0.5")),
                                 transfer(3, amount=Decimal("12.300"))]))
    assert values(xml, ".//p:InstdAmt") == ["7.00", "0.50", "12.30"]
    assert values(xml, ".//p:GrpHdr/p:CtrlSum") == ["19.80"]


def test_without_bic_the_debtor_agent_is_notprovided_and_the_creditor_agent_left_out(xsd_dir):
    msg = message([transfer(creditor=replace(CREDITORS[0], bic=""))], debtor=replace(DEBTOR, bic=""))
    xml = pain001.build(msg)
    assert valid_everywhere(xml, xsd_dir)  # DK allows only BICFI in CdtrAgt
    assert values(xml, ".//p:DbtrAgt/p:FinInstnId/p:Othr/p:Id") == ["NOTPROVIDED"]
    assert values(xml, ".//p:CdtrAgt") == []


def test_a_bic_of_none_counts_as_not_provided(xsd_dir):
    xml = pain001.build(message([transfer(creditor=replace(CREDITORS[0], bic=None))], debtor=replace(DEBTOR, bic=None)))
    assert values(xml, ".//p:DbtrAgt/p:FinInstnId/p:Othr/p:Id") == ["NOTPROVIDED"]
    assert valid_everywhere(xml, xsd_dir)


def test_creation_time_with_time_zone(xsd_dir):
    xml = pain001.build(message(created_at=datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=UTC)))
    assert values(xml, ".//p:CreDtTm") == ["2026-11-23T09:30:15+00:00"]
    assert valid_everywhere(xml, xsd_dir)


def test_ibans_and_bics_are_written_compact_and_upper_case(xsd_dir):
    creditor = Party("Van der Berg B.V.", "nl91 abna 0417 1643 00", "abnanl2a")
    debtor = replace(DEBTOR, iban="DE89 3704 0044 0532 0130 00")
    xml = pain001.build(message([transfer(creditor=creditor)], debtor=debtor))
    assert values(xml, ".//p:IBAN") == ["DE89370400440532013000", "NL91ABNA0417164300"]
    assert values(xml, ".//p:BICFI") == ["COBADEFFXXX", "ABNANL2A"]
    assert valid_everywhere(xml, xsd_dir)


def test_instant_transfer_has_local_instrument_inst(xsd_dir):
    xml = pain001.build(message(instant=True, batch_booking=False))
    assert values(xml, ".//p:PmtTpInf/p:LclInstrm/p:Cd") == ["INST"]
    assert values(xml, ".//p:BtchBookg") == ["false"]
    assert valid_everywhere(xml, xsd_dir)


def test_names_and_remittance_are_transliterated_umlauts_kept(xsd_dir):
    creditor = replace(CREDITORS[0], name="Bjørn “Café” & Söhne")
    msg = message([transfer(creditor=creditor, remittance="Rechnung\nRE-1 – 2 €")], initiator="Müller Feinmechanik GmbH")
    xml = pain001.build(msg)
    assert values(xml, ".//p:Cdtr/p:Nm") == ["Bjorn 'Cafe' & Söhne"]
    assert values(xml, ".//p:Ustrd") == ["Rechnung RE-1 - 2 EUR"]
    assert values(xml, ".//p:InitgPty/p:Nm") == ["Müller Feinmechanik GmbH"]
    assert valid_everywhere(xml, xsd_dir)
    plain = pain001.build(msg, dk=False)
    assert values(plain, ".//p:Cdtr/p:Nm") == ["Bjorn 'Cafe' + Soehne"]


def test_empty_remittance_leaves_the_element_out(xsd_dir):
    xml = pain001.build(message([transfer(remittance="  ")]))
    assert values(xml, ".//p:RmtInf") == []
    assert valid_everywhere(xml, xsd_dir)


def test_the_builder_applies_the_rules():
    with pytest.raises(SepaInvalid) as raised:
        pain001.build(message([transfer(amount=Decimal("1.001"))], requested_date=date(2026, 1, 1)))
    assert [p.code for p in raised.value.problems] == ["date_past", "amount_decimals"]


def test_today_defaults_to_the_day_of_creation():
    late = message(created_at=datetime(2026, 11, 24, 8, 0))
    with pytest.raises(SepaInvalid):
        pain001.build(late)
    assert pain001.build(late, today=TODAY)


# Property: any message the rules accept builds, and what it builds the schemas accept.

def creditors(names):
    return st.builds(Party, names, st.sampled_from(IBANS), st.sampled_from(BICS))


@st.composite
def transfer_messages(draw, names=sepa_text(LETTERS, 17), remittances=st.one_of(st.just(""), sepa_text(LATIN, 34))):
    count = draw(st.integers(1, 50))
    e2e = draw(st.lists(ids, min_size=count, max_size=count, unique=True))
    transfers = tuple(
        CreditTransfer(e2e[n], draw(amounts), draw(creditors(names)), draw(remittances)) for n in range(count)
    )
    return TransferMessage(
        message_id=draw(ids), created_at=datetime(2026, 11, 23, 9, 30), initiator=draw(names),
        debtor=Party(draw(names), DEBTOR.iban, draw(st.sampled_from(BICS))), payment_info_id=draw(ids),
        requested_date=draw(st.dates(TODAY, date(2027, 12, 31))), transfers=transfers,
        batch_booking=draw(st.booleans()), instant=draw(st.booleans()),
    )


def check_document(msg: TransferMessage, xsd_dir) -> None:
    xml = pain001.build(msg, today=TODAY)
    assert valid_everywhere(xml, xsd_dir)
    amounts = values(xml, ".//p:InstdAmt")
    # the header's figures agree with the payments in the file and with the input
    assert values(xml, ".//p:NbOfTxs") == [str(len(amounts))] * 2 == [str(len(msg.transfers))] * 2
    assert values(xml, ".//p:CtrlSum") == [str(sum(Decimal(a) for a in amounts))] * 2
    assert [Decimal(v) for v in amounts] == [t.amount for t in msg.transfers]
    assert all(len(a.partition(".")[2]) == 2 for a in amounts)
    assert values(xml, ".//p:EndToEndId") == [t.end_to_end_id for t in msg.transfers]
    assert xml == lxml_layout(xml), "written as lxml lays out the same tree"


def lxml_layout(xml: bytes) -> bytes:
    """The document as lxml serializes its tree (the form the builder had before it wrote text)."""
    tree = etree.fromstring(xml, etree.XMLParser(remove_blank_text=True))
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def test_count_and_control_sum_of_a_message():
    msg = message([transfer(1, amount=Decimal("0.10")), transfer(2, amount=Decimal("0.20")),
                   transfer(3, amount=Decimal("999999999.99"))])
    assert (msg.count, msg.control_sum) == (3, Decimal("1000000000.29"))  # exact: no float on the way
    assert str(message([]).control_sum) == "0.00"
    assert isinstance(TransferMessage(**{**vars(msg), "transfers": [transfer(1)]}).transfers, tuple)


# deadline=None: a slow or loaded machine must not fail a test of what is built, not how fast
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(msg=transfer_messages())
def test_any_valid_message_builds_and_validates(xsd_dir, msg):
    assert problems(msg, today=TODAY) == []
    check_document(msg, xsd_dir)


# deadline=None: a slow or loaded machine must not fail a test of what is built, not how fast
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(msg=transfer_messages(names=st.text(min_size=1, max_size=20), remittances=st.text(max_size=40)))
def test_any_unicode_either_builds_or_the_rules_say_why(xsd_dir, msg):
    found = problems(msg, today=TODAY)
    assert {p.code for p in found} <= {"name_charset", "name_missing", "name_too_long", "remittance_charset",
                                          "remittance_too_long"}
    event("refused" if found else "built")
    if found:
        with pytest.raises(SepaInvalid):
            pain001.build(msg, today=TODAY)
    else:
        check_document(msg, xsd_dir)
