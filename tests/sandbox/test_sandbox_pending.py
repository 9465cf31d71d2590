"""Pending (announced, not yet booked) transactions: MT942 with HKKAZ, camt.052 PDNG with
HKCAZ; an instant transfer is booked at once; holdings of the securities account (MT535)."""

from datetime import timedelta
from decimal import Decimal

from fints.client import ResponseStatus
from fints.models import SEPAAccount
from lxml import etree

from kassenwart.core.business_days import next_business_day
from kassenwart.sandbox.scenarios import DEPOT_NUMBER, SUPPLIERS

from sandbox_payments import TAN, schema

CAMT = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"}
CARD = Decimal("-86.40")  # the scenario's card payment, booked on the next business day


def test_mt942_pending_only_when_asked_for(client, bank, accounts):
    current = accounts[0]
    today = bank.clock.now().date()
    start = today - timedelta(days=7)
    with client:
        booked = client.get_transactions(current, start, today)
        everything = client.get_transactions(current, start, today, include_pending=True)
    assert CARD not in [t.data["amount"].amount for t in booked]
    [card] = [t.data for t in everything if t.data["amount"].amount == CARD]
    assert card["date"] == next_business_day(today + timedelta(days=1)) and card["posting_text"] == "KARTENZAHLUNG"
    assert len(everything) == len(booked) + 1


def test_camt_pending_report_has_pdng_entries_until_booked(client, bank, accounts):
    current = accounts[0]
    today = bank.clock.now().date()
    with client:
        _, pending = client.get_transactions_xml(current, today - timedelta(days=7), today)
    [document] = [etree.fromstring(p) for p in pending if p]
    schema("camt.052.001.08").assertValid(document)
    [entry] = document.xpath("//c:Ntry", namespaces=CAMT)
    assert entry.findtext("c:Sts/c:Cd", namespaces=CAMT) == "PDNG"
    assert entry.findtext("c:Amt", namespaces=CAMT) == "86.40"
    bank.clock.advance(days=(next_business_day(today + timedelta(days=1)) - today).days)
    later = bank.clock.now().date()
    with client:
        booked, pending = client.get_transactions_xml(current, later, later)
    assert not any(pending)
    assert b"86.40" in b"".join(booked)


def test_instant_transfer_is_booked_at_once(client, bank, accounts):
    current, _, call_money = accounts
    supplier = SUPPLIERS[1]
    today = bank.clock.now().date()
    with client:
        challenge = client.simple_sepa_transfer(
            current, supplier.iban, supplier.bic, supplier.name, Decimal("99.95"), "Müller Feinmechanik GmbH",
            "Sofort bitte", instant_payment=True, endtoend_id="KW-INST-1")
        assert "Echtzeitüberweisung von 99,95 EUR" in challenge.challenge
        result = client.send_tan(challenge, TAN)
        statement = client.get_transactions(current, today, today)
    assert result.status == ResponseStatus.SUCCESS
    assert [o.kind for o in bank.ledger.orders] == ["HKIPZ"]
    [line] = [t.data for t in statement if t.data["end_to_end_reference"] == "KW-INST-1"]
    assert line["date"] == today and line["posting_text"] == "SEPA-ECHTZEIT-UEBERWEISUNG"


def test_holdings_of_the_securities_account(client, bank):
    # python-fints takes the country from the BIC: the depot needs the bank's BIC, not an IBAN.
    depot = SEPAAccount(None, bank.settings.bic, DEPOT_NUMBER, None, bank.settings.bank_code)
    with client:
        holdings = client.get_holdings(depot)
    assert [h.ISIN for h in holdings] == ["DE0005190003", "IE00B4L5Y983", "DE0001102580"]
    bmw = holdings[0]
    assert (bmw.name, bmw.pieces, bmw.market_value, bmw.total_value) == \
        ("BAYERISCHE MOTOREN WERKE AG", 120.0, 82.54, 9904.8)
    assert bmw.acquisitionprice == 71.5 and bmw.value_symbol == "EUR"
    assert holdings[1].pieces == 850.25
