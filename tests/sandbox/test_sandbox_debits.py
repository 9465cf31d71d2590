"""Single (HKDSE, HKDSC) and B2B (HKBSE, HKBME) direct debits with lead-time and mandate
checks, and returns with reason codes on later statements (MT940 GVC 109/159 with ?34,
camt RtrInf)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from fints.client import NeedTANResponse, ResponseStatus
from lxml import etree

from kassenwart.sandbox import debits
from kassenwart.sandbox.pain import PainMessage, Payment, PaymentInfo
from kassenwart.sandbox.protocol import Refused
from kassenwart.sandbox.scenarios import CLOSED_ACCOUNT, CUSTOMERS, OWNER

from sandbox_payments import CREDITOR_ID, PAIN_008, TAN, Line, business_day_after, pain_008, send_b2b, send_transfer

CAMT = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"}
DEBTOR = CUSTOMERS[0]
BROKE = CUSTOMERS[5]  # its bank returns direct debits: AM04


def debit_line(party=DEBTOR, amount="300.00", e2e="KW-SDD-1", mandate="MANDAT-7"):
    return Line(party.name, party.iban, amount, e2e, "Wartung 11/2026", party.bic, mandate)


def codes(result):
    return [r.text for r in result.responses if r.code.startswith("9")]


def test_single_core_debit_is_pending_then_collected(client, bank, accounts):
    current = accounts[0]
    today = bank.clock.now().date()
    collection = business_day_after(today, 2)
    xml, _ = pain_008(current, [debit_line()], "KW-SDD-RUN-1", collection)
    with client:
        challenge = client.sepa_debit(current, xml, pain_descriptor=PAIN_008)
        assert isinstance(challenge, NeedTANResponse) and "Lastschrift (CORE) über 300,00 EUR" in challenge.challenge
        result = client.send_tan(challenge, TAN)
        pending = client.get_transactions(current, today, today, include_pending=True)
    assert result.status == ResponseStatus.SUCCESS and result.data["task_id"]
    [order] = bank.ledger.orders
    assert order.kind == "HKDSE"
    assert [t.data["date"] for t in pending if t.data["amount"].amount == Decimal("300.00")] == [collection]
    bank.clock.advance(days=(collection - today).days)
    with client:
        booked = client.get_transactions(current, collection, collection)
    [line] = [t.data for t in booked if t.data["end_to_end_reference"] == "KW-SDD-1"]
    assert line["amount"].amount == Decimal("300.00") and line["transaction_code"] == "171"


@pytest.mark.parametrize("cor1, lead, accepted", [(False, 1, False), (False, 0, False), (True, 1, True)])
def test_lead_time(client, bank, accounts, cor1, lead, accepted):
    current = accounts[0]
    collection = business_day_after(bank.clock.now().date(), lead)
    xml, _ = pain_008(current, [debit_line()], "KW-SDD-LEAD", collection, scheme="COR1" if cor1 else "CORE")
    with client:
        result = client.sepa_debit(current, xml, cor1=cor1, pain_descriptor=PAIN_008)
    assert isinstance(result, NeedTANResponse) == accepted
    if not accepted:
        assert any("zu früh" in text for text in codes(result))


def test_lead_time_counts_target2_business_days_over_easter():
    """Good Friday and Easter Monday 2027 (26 and 29 March) are closed: from Thursday the
    25th, a CORE debit (two business days) can be due on the Wednesday, not the Tuesday."""
    thursday = date(2027, 3, 25)

    def core_debit(due: date) -> PainMessage:
        payment = Payment("KW-EASTER", Decimal("10.00"), "EUR", DEBTOR.name, DEBTOR.iban, DEBTOR.bic, "Ostern", "M-1")
        block = PaymentInfo("KW-EASTER-1", "DE89370400440532013000", OWNER, due, True, (payment,), CREDITOR_ID, "CORE")
        return PainMessage("debit", "KW-EASTER", (block,))

    with pytest.raises(Refused, match="zu früh: CORE braucht 2 Geschäftstag"):
        debits.check("HKDSE", core_debit(date(2027, 3, 30)), thursday)
    debits.check("HKDSE", core_debit(date(2027, 3, 31)), thursday)


@pytest.mark.parametrize("mandate, creditor_id, message", [
    ("", "DE98ZZZ09999999999", "Mandatsreferenz fehlt"),
    ("MANDAT-7", "DE00ZZZ09999999999", "Gläubiger-Identifikationsnummer"),
])
def test_mandate_reference_and_creditor_id_are_required(client, bank, accounts, mandate, creditor_id, message):
    current = accounts[0]
    collection = business_day_after(bank.clock.now().date(), 3)
    xml, _ = pain_008(current, [debit_line(mandate=mandate)], "KW-SDD-M", collection,
                      creditor_id=creditor_id, validate=False)
    with client:
        result = client.sepa_debit(current, xml, pain_descriptor=PAIN_008)
    assert any(message in text for text in codes(result))
    assert not bank.ledger.orders


def test_b2b_single_and_batch(client, bank, accounts):
    current = accounts[0]
    collection = business_day_after(bank.clock.now().date(), 1)
    single, _ = pain_008(current, [debit_line(e2e="KW-B2B-1")], "KW-B2B-RUN-1", collection, scheme="B2B")
    lines = [debit_line(c, "120.00", f"KW-B2B-{n}", f"B2B-{n}") for n, c in enumerate(CUSTOMERS[1:3], start=2)]
    batch, total = pain_008(current, lines, "KW-B2B-RUN-2", collection, scheme="B2B")
    core, _ = pain_008(current, [debit_line(e2e="KW-B2B-9")], "KW-B2B-RUN-3", collection, scheme="CORE")
    with client:
        results = [client.send_tan(send_b2b(client, current, single), TAN),
                   client.send_tan(send_b2b(client, current, batch, total), TAN)]
        wrong_scheme = send_b2b(client, current, core)
    assert [r.status for r in results] == [ResponseStatus.SUCCESS] * 2
    assert [(o.kind, o.total) for o in bank.ledger.orders] == [("HKBSE", Decimal("300.00")),
                                                               ("HKBME", Decimal("240.00"))]
    assert any("CORE passt nicht zu HKBSE" in text for text in codes(wrong_scheme))


def camt_returns(client, account, day):
    [report], _ = client.get_transactions_xml(account, day, day)
    tree = etree.fromstring(report)
    return [(tx.findtext("c:Refs/c:EndToEndId", namespaces=CAMT), tx.findtext("c:RtrInf/c:Rsn/c:Cd", namespaces=CAMT))
            for tx in tree.xpath("//c:TxDtls[c:RtrInf]", namespaces=CAMT)]


def test_returned_debits_appear_later_with_their_reason(client, bank, accounts):
    current = accounts[0]
    today = bank.clock.now().date()
    collection = business_day_after(today, 2)
    lines = [debit_line(BROKE, "75.00", "KW-RET-1", "M-1"), debit_line(DEBTOR, "80.00", "KW-RET-2", "M-2")]
    xml, total = pain_008(current, lines, "KW-RET-RUN", collection)
    with client:
        client.send_tan(client.sepa_debit(current, xml, multiple=True, control_sum=total,
                                          pain_descriptor=PAIN_008), TAN)
    bank.clock.advance(days=(collection - today).days)
    refund = bank.return_payment("KW-RET-2", "MD06", after_days=1)  # the debtor wants it back
    later = business_day_after(collection, 3)
    bank.clock.advance(days=(later - collection).days)
    with client:
        statement = client.get_transactions(current, collection, later)
        returns = camt_returns(client, current, collection) + camt_returns(client, current, later) \
            + camt_returns(client, current, refund.booking_date)
    returned = {t.data["end_to_end_reference"]: t.data for t in statement if t.data["transaction_code"] == "109"}
    assert returned["KW-RET-1"]["amount"].amount == Decimal("-75.00")
    assert returned["KW-RET-1"]["return_debit_notes"] == "904"
    assert returned["KW-RET-2"]["return_debit_notes"] == "912"
    assert "AM04" in returned["KW-RET-1"]["purpose"]
    assert sorted(returns) == [("KW-RET-1", "AM04"), ("KW-RET-2", "MD06")]


def test_transfer_to_a_closed_account_comes_back(client, bank, accounts):
    current = accounts[0]
    today = bank.clock.now().date()
    line = Line(CLOSED_ACCOUNT.name, CLOSED_ACCOUNT.iban, "510.00", "KW-AC04-1", "Rechnung 4711", CLOSED_ACCOUNT.bic)
    with client:
        client.send_tan(send_transfer(client, current, [line], "KW-AC04"), TAN)
    bank.clock.advance(days=5)
    end = bank.clock.now().date()
    with client:
        statement = client.get_transactions(current, today, end)
        back = camt_returns(client, current, business_day_after(today + timedelta(days=1), 1))
    [gone, came_back] = [t.data for t in statement if t.data["end_to_end_reference"] == "KW-AC04-1"]
    assert (gone["amount"].amount, came_back["amount"].amount) == (Decimal("-510.00"), Decimal("510.00"))
    assert came_back["transaction_code"] == "159" and came_back["return_debit_notes"] == "902"
    assert back == [("KW-AC04-1", "AC04")]
