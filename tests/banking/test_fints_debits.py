"""Direct debits through the one order interface (`banking.fints.orders`), what the bank
allows per account (UPD) and the lead times it states (BPD): the product's FinTS adapter with
the real python-fints client against the sandbox bank over HTTP."""

from dataclasses import replace
from decimal import Decimal

import pytest
from sandbox.sandbox_payments import Line, business_day_after, pain_008

from kassenwart.banking import fints
from kassenwart.banking.fints import client, orders
from kassenwart.banking.models import BankAccount
from kassenwart.core.messages import render
from kassenwart.core.models import AuditEvent
from kassenwart.sandbox.bpd import LEAD_DAYS
from kassenwart.sandbox.scenarios import CUSTOMERS, LOGIN

from fints_fixtures import TAN

EVERYTHING = ["balance", "debit_b2b", "debit_b2b_batch", "debit_core", "debit_core_batch", "instant", "statements",
              "transfer", "transfer_batch"]


@pytest.fixture
def synced(connection):
    fints.connection_sync(connection)
    return connection


@pytest.fixture
def current(synced, bank):
    return BankAccount.objects.get(iban=bank.customers[LOGIN].accounts[0].iban)


def debits(account, bank, *, scheme="CORE", amounts=("300.00", "80.00"), lead=None, message_id="KW-DD-1"):
    """A pain.008 of `amounts` from the sandbox's customers, collected `lead` business days on."""
    today = bank.clock.now().date()
    collection = business_day_after(today, LEAD_DAYS[scheme] if lead is None else lead)
    lines = [Line(c.name, c.iban, amount, f"{message_id}-{n}", "Lizenz 11/2026", c.bic, f"MANDAT-{n}")
             for n, (c, amount) in enumerate(zip(CUSTOMERS, amounts, strict=False), start=1)]
    xml, total = pain_008(account, lines, message_id, collection, scheme=scheme)
    return orders.Order(purpose="order:1", account=account, pain=xml.encode(), count=len(lines), total=total,
                        descriptor=orders.PAIN_008, kind="debit", scheme=scheme)


def executed(bank):
    return [(o.kind, o.count, o.total) for o in bank.ledger.orders]


# -- what the bank allows per account (UPD) ----------------------------------------------------
def test_discovery_stores_what_the_bank_allows_per_account(synced, bank, company):
    current, savings, call_money = (BankAccount.objects.get(iban=a.iban) for a in bank.customers[LOGIN].accounts)
    assert current.fints_operations == EVERYTHING
    assert savings.fints_operations == ["balance", "statements"], "the savings account may not pay"
    assert call_money.fints_operations == ["balance", "statements", "transfer"], "single transfers only"


def test_a_changed_upd_is_taken_over_at_the_next_sync(synced, bank, company):
    customer = bank.customers[LOGIN]
    customer.accounts[0] = replace(customer.accounts[0], operations=("HKSAL", "HKCAZ", "HKCCS"))
    customer.upd_version += 1
    fints.connection_sync(synced)
    current = BankAccount.objects.get(iban=customer.accounts[0].iban)
    assert current.fints_operations == ["balance", "statements", "transfer"]
    [event] = AuditEvent.objects.filter(action="account.operations_changed", company=company)
    assert event.before["fints_operations"] == EVERYTHING


# -- lead times from the bank's parameters (BPD) -----------------------------------------------
def test_lead_days_come_from_the_saved_parameters_without_calling_the_bank(synced, bank):
    synced.server_url = "http://127.0.0.1:9/nobody-listens"  # a bank call would fail
    assert fints.debit_lead_days(synced, "CORE", batch=False) == (LEAD_DAYS["CORE"], 60)
    assert fints.debit_lead_days(synced, "CORE", batch=True) == (LEAD_DAYS["CORE"], 60)
    assert fints.debit_lead_days(synced, "B2B", batch=True) == (LEAD_DAYS["B2B"], 60)
    assert orders.debit_lead_days(synced, "B2B", batch=False) == (LEAD_DAYS["B2B"], 60)


def test_no_lead_days_before_the_bank_was_asked(company, admin):
    connection = fints.connection_create(company, name="Neu", bank_code="99990000", server_url="http://127.0.0.1:9/",
                                         login="x", pin="12345", user=admin)
    assert fints.debit_lead_days(connection, "CORE", batch=False) is None


@pytest.mark.parametrize("text, scheme, sequence_type, stricter, days", [
    ("2", "CORE", "", max, 2),
    ("CORE:FRST,OOFF:5;CORE:RCUR,FNAL:2", "CORE", "RCUR", max, 2),
    ("CORE:FRST,OOFF:5;CORE:RCUR,FNAL:2", "CORE", "FRST", max, 5),
    ("CORE:FRST,OOFF:5;CORE:RCUR,FNAL:2", "CORE", "", max, 5),  # not known which: the longer
    ("5:FRST,OOFF:CORE;2:RCUR,FNAL:CORE;1:B2B", "B2B", "RCUR", max, 1),
    ("CORE:5", "B2B", "", max, None),  # nothing said for B2B
    ("", "CORE", "", max, None),
])
def test_lead_days_of_the_version_2_parameters(text, scheme, sequence_type, stricter, days):
    assert client._advance_days(text, scheme, sequence_type, stricter) == days


# -- sending direct debits -------------------------------------------------------------------
def test_core_batch_goes_as_one_order_with_its_control_sum_and_one_tan(synced, current, bank):
    order = debits(current, bank)
    step = orders.order_send(synced, order)
    assert isinstance(step, client.Challenge)
    assert "Lastschrifteinzug: 2 Posten, Summe 380,00 EUR" in step.text
    assert not bank.ledger.orders, "nothing executed before the TAN"
    result = orders.order_tan(synced, order, tan=TAN)
    assert isinstance(result, client.OrderResult) and result.accepted
    assert executed(bank) == [("HKDME", 2, Decimal("380.00"))]


def test_core_single_debit(synced, current, bank):
    order = debits(current, bank, amounts=("300.00",), message_id="KW-DD-2")
    step = orders.order_send(synced, order)
    assert "Lastschrift (CORE) über 300,00 EUR" in step.text
    assert orders.order_tan(synced, order, tan=TAN).accepted
    assert executed(bank) == [("HKDSE", 1, Decimal("300.00"))]


@pytest.mark.parametrize("amounts, segment, challenge", [
    (("120.00", "240.00", "60.00"), "HKBME", "Lastschrifteinzug: 3 Posten, Summe 420,00 EUR"),
    (("99.00",), "HKBSE", "Lastschrift (B2B) über 99,00 EUR"),
])
def test_b2b_debits_with_a_tan(synced, current, bank, amounts, segment, challenge):
    order = debits(current, bank, scheme="B2B", amounts=amounts, message_id=f"KW-B2B-{len(amounts)}")
    step = orders.order_send(synced, order)
    assert isinstance(step, client.Challenge) and challenge in step.text
    result = orders.order_tan(synced, order, tan=TAN)
    assert result.accepted, render(result.said)
    assert executed(bank) == [(segment, len(amounts), sum(Decimal(a) for a in amounts))]


def test_a_too_early_collection_date_is_refused_in_the_banks_words(synced, current, bank):
    order = debits(current, bank, lead=LEAD_DAYS["CORE"] - 1, message_id="KW-DD-EARLY")
    result = orders.order_send(synced, order)
    assert isinstance(result, client.OrderResult) and not result.accepted
    assert "zu früh" in render(result.said) and "CORE braucht 2 Geschäftstag(e) Vorlauf" in render(result.said)
    assert not bank.ledger.orders


def test_b2b_from_the_adapter_on_a_scheme_mismatch_is_the_banks_refusal(synced, current, bank):
    """A CORE message sent as B2B: the bank says no, nothing is executed, nothing is unknown."""
    order = replace(debits(current, bank, message_id="KW-DD-MIX"), scheme="B2B")
    result = orders.order_send(synced, order)
    assert not result.accepted and "passt nicht zu HKBME" in render(result.said)
    assert not bank.ledger.orders
