"""Transactions as MT940 (HKKAZ) and camt.052 (HKCAZ), paged with touchdown points."""

from datetime import timedelta
from decimal import Decimal

import mt940
from lxml import etree

from kassenwart.sandbox import mt940_writer
from kassenwart.sandbox.queries import days_of
from kassenwart.sandbox.scenarios import LOGIN

from sandbox_payments import schema


def fetch_mt940(client, account, start=None, end=None):
    codes = []
    client.add_response_callback(lambda segment, response: codes.append(response.code))
    with client:
        transactions = client.get_transactions(account, start, end)
    return transactions, codes


def test_mt940_has_every_booking_of_the_period(client, bank, accounts):
    current = accounts[0]
    today = bank.clock.now().date()
    start = today - timedelta(days=60)
    transactions, _ = fetch_mt940(client, current, start, today)
    booked = bank.ledger.booked(current.iban, start, today)
    assert len(transactions) == len(booked) > 20
    assert [t.data["amount"].amount for t in transactions] == [b.amount for b in booked]
    assert [t.data["date"] for t in transactions] == [b.booking_date for b in booked]
    credit = next(t.data for t, b in zip(transactions, booked) if b.gvc == "166")
    assert credit["posting_text"] == "SEPA-GUTSCHRIFT"
    assert credit["end_to_end_reference"].startswith("E2E-")


def test_mt940_day_statements_chain_their_balances(bank):
    account = bank.customers[LOGIN].accounts[0]
    today = bank.clock.now().date()
    days = days_of(bank.ledger.booked(account.iban, today - timedelta(days=30), today))
    opening = bank.ledger.balance(account.iban, days[0][0] - timedelta(days=1))
    text = mt940_writer.statements(account, "99990000", opening, days).decode("iso-8859-1")
    balance = opening
    for block in text.split("\r\n-\r\n")[:-1]:
        statement = mt940.models.Transactions()
        statement.parse(block)
        assert statement.data["final_opening_balance"].amount.amount == balance
        balance = statement.data["final_closing_balance"].amount.amount
    assert balance == bank.ledger.balance(account.iban, today)


def test_mt940_pages_with_touchdown(client, bank, accounts):
    bank.settings.page_size = 8
    current = accounts[0]
    today = bank.clock.now().date()
    start = today - timedelta(days=40)
    transactions, codes = fetch_mt940(client, current, start, today)
    booked = bank.ledger.booked(current.iban, start, today)
    assert codes.count("3040") >= len(booked) // 8 - 1 >= 2
    assert [t.data["bank_reference"] for t in transactions] == [b.reference for b in booked]


def test_future_bookings_stay_hidden_until_their_day(client, bank, accounts):
    current = accounts[0]
    today = bank.clock.now().date()
    upcoming = [b for b in bank.ledger.bookings[current.iban] if b.booking_date > today]
    assert upcoming, "the scenario scripts customer payments for the next days"
    transactions, _ = fetch_mt940(client, current, today - timedelta(days=3))
    assert all(t.data["date"] <= today for t in transactions)


CAMT = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"}


def balance(report, code):
    [bal] = report.xpath(f"c:Bal[c:Tp/c:CdOrPrtry/c:Cd='{code}']", namespaces=CAMT)
    amount = Decimal(bal.findtext("c:Amt", namespaces=CAMT))
    return -amount if bal.findtext("c:CdtDbtInd", namespaces=CAMT) == "DBIT" else amount


def test_camt052_pages_chain_balances_and_cover_every_booking(client, bank, accounts):
    bank.settings.page_size = 15
    current = accounts[0]
    today = bank.clock.now().date()
    start = today - timedelta(days=60)
    with client:
        documents, pending = client.get_transactions_xml(current, start, today)
    camt_052 = schema("camt.052.001.08")
    trees = [etree.fromstring(doc) for doc in documents]
    assert all(camt_052.validate(tree) for tree in trees)
    reports = [tree.find("c:BkToCstmrAcctRpt/c:Rpt", namespaces=CAMT) for tree in trees]
    assert len(reports) > 2
    assert reports[0].findtext("c:FrToDt/c:FrDtTm", namespaces=CAMT).startswith(start.isoformat())
    assert balance(reports[0], "OPBD") == bank.ledger.balance(current.iban, start - timedelta(days=1))
    for before, after in zip(reports, reports[1:]):
        assert balance(before, "CLBD") == balance(after, "OPBD")
    assert balance(reports[-1], "CLBD") == bank.ledger.balance(current.iban, today)
    references = [reference for report in reports
                  for reference in report.xpath("c:Ntry/c:AcctSvcrRef/text()", namespaces=CAMT)]
    assert references == [b.reference for b in bank.ledger.booked(current.iban, start, today)]
