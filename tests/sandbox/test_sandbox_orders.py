"""Batch transfers (HKCCM), batch direct debits (HKDMC), TAN at dialog start after the
SCA interval, and the status protocol (HKPRO)."""

from datetime import timedelta
from decimal import Decimal

from fints.client import NeedTANResponse, ResponseStatus
from lxml import etree

from kassenwart.sandbox.scenarios import CUSTOMERS, OWNER, SUPPLIERS

from sandbox_payments import PAIN_008, TAN, Line, business_day_after, pain_008, schema, send_transfer

CAMT = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"}


def supplier_lines(amount="100.00"):
    return [Line(s.name, s.iban, amount, f"KW-RUN-1-{n}", f"Rechnung ER-{n}", s.bic)
            for n, s in enumerate(SUPPLIERS, start=1)]


def test_batch_transfer_is_one_collective_booking(client, bank, accounts):
    current, savings = accounts[0], accounts[1]
    lines = supplier_lines()[:2] + [Line(OWNER, savings.iban, "10000.00", "KW-RUN-1-3", "Umbuchung")]
    today = bank.clock.now().date()
    with client:
        challenge = send_transfer(client, current, lines, "KW-RUN-1")
        assert isinstance(challenge, NeedTANResponse)
        assert "3 Posten, Summe 10.200,00 EUR" in challenge.challenge
        result = client.send_tan(challenge, TAN)
        statement = client.get_transactions(current, today, today)
        savings_statement = client.get_transactions(savings, today, today)
        [report], _ = client.get_transactions_xml(current, today, today)
    assert result.status == ResponseStatus.SUCCESS
    [order] = bank.ledger.orders
    assert (order.kind, order.count, order.total) == ("HKCCM", 3, Decimal("10200.00"))
    collective = [t for t in statement if t.data["amount"].amount == Decimal("-10200.00")]
    assert len(collective) == 1 and collective[0].data["transaction_code"] == "191"
    [credit] = [t for t in savings_statement if t.data["end_to_end_reference"] == "KW-RUN-1-3"]
    assert credit.data["amount"].amount == Decimal("10000.00")
    # camt reports the batch as one entry with a transaction detail per payment.
    document = etree.fromstring(report)
    schema("camt.052.001.08").assertValid(document)
    [batch] = document.xpath("//c:Ntry[c:NtryDtls/c:Btch]", namespaces=CAMT)
    assert batch.findtext("c:NtryDtls/c:Btch/c:NbOfTxs", namespaces=CAMT) == "3"
    assert batch.xpath("c:NtryDtls/c:TxDtls/c:Refs/c:EndToEndId/text()", namespaces=CAMT) == \
        ["KW-RUN-1-1", "KW-RUN-1-2", "KW-RUN-1-3"]


def test_batch_transfer_booked_singly_on_request(client, bank, accounts):
    with client:
        challenge = send_transfer(client, accounts[0], supplier_lines(), "KW-RUN-2", book_as_single=True)
        result = client.send_tan(challenge, TAN)
    assert result.status == ResponseStatus.SUCCESS
    order_id = bank.ledger.orders[0].order_id
    lines = [b for b in bank.ledger.bookings[accounts[0].iban] if b.order_id == order_id]
    assert [b.end_to_end_id for b in lines] == ["KW-RUN-1-1", "KW-RUN-1-2", "KW-RUN-1-3"]


def test_batch_transfer_with_wrong_control_sum_is_refused(client, bank, accounts):
    with client:
        result = send_transfer(client, accounts[0], supplier_lines(), "KW-RUN-3",
                               control_sum=Decimal("299.99"))
    assert result.status == ResponseStatus.ERROR
    assert any("Summenfeld" in r.text for r in result.responses)
    assert not bank.ledger.orders


def test_direct_debit_batch_is_credited_on_the_collection_date(client, bank, accounts):
    current = accounts[0]
    today = bank.clock.now().date()
    collection = business_day_after(today, 2)
    lines = [Line(c.name, c.iban, f"450.0{n}", f"KW-DD-{n}", f"Wartungsvertrag {n}", c.bic, f"MANDAT-{n}")
             for n, c in enumerate(CUSTOMERS[:2], start=1)]
    xml, total = pain_008(current, lines, "KW-DD-RUN-1", collection, scheme="COR1")
    with client:
        challenge = client.sepa_debit(current, xml, multiple=True, cor1=True, control_sum=total,
                                      pain_descriptor=PAIN_008)
        assert isinstance(challenge, NeedTANResponse) and "Lastschrifteinzug" in challenge.challenge
        result = client.send_tan(challenge, TAN)
        before = client.get_transactions(current, today, collection)
    bank.clock.advance(days=(collection - today).days)
    with client:
        after = client.get_transactions(current, collection, collection)
    assert result.status == ResponseStatus.SUCCESS
    assert result.data["task_id"] == bank.ledger.orders[0].order_id
    credit = [b for b in bank.ledger.bookings[current.iban] if b.order_id == result.data["task_id"]]
    assert [(b.amount, b.booking_date, b.gvc) for b in credit] == [(Decimal("900.03"), collection, "192")]
    assert all(t.data["amount"].amount != Decimal("900.03") for t in before)
    assert [t.data["amount"].amount for t in after].count(Decimal("900.03")) == 1


def test_tan_at_dialog_start_once_the_sca_interval_has_passed(client, bank, accounts):
    bank.clock.advance(days=91)
    with client:
        challenge = client.init_tan_response
        assert isinstance(challenge, NeedTANResponse) and challenge.command_seg is None
        client.send_tan(challenge, TAN)
        balance = client.get_balance(accounts[0])
    assert balance.amount.amount == bank.ledger.balance(accounts[0].iban, bank.clock.now().date())
    client.init_tan_response = None
    with client:
        assert client.init_tan_response is None, "one TAN per interval"


def test_tan_at_dialog_start_with_the_app(client, bank, accounts):
    bank.settings.sca_interval = timedelta(0)
    client.set_tan_mechanism("946")
    with client:
        challenge = client.init_tan_response
        assert challenge.decoupled
        while isinstance(challenge, NeedTANResponse):
            challenge = client.send_tan(challenge, "")
        assert client.get_balance(accounts[1]) is not None


def test_status_protocol_reports_orders_and_wrong_tans(client, bank, accounts):
    with client:
        challenge = send_transfer(client, accounts[0], supplier_lines("10.00"), "KW-RUN-4")
        client.send_tan(challenge, "999999")
        client.send_tan(challenge, TAN)
        protocol = client.get_status_protocol()
    entries = [(p.responses.code, list(p.responses.parameters)) for p in protocol]
    assert entries == [("9941", []), ("0020", ["KW-RUN-4"])]
    assert all(p.reference_message.dialog_id for p in protocol)
