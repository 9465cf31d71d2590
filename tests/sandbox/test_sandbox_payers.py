"""Scripted customers paying the demo's invoices: deterministic, every kind of payment."""

import io
from datetime import date, timedelta
from decimal import Decimal

from kassenwart.banking.formats.camt import parse_camt
from kassenwart.banking.formats.statement import BOOKED, group
from kassenwart.sandbox.payers import Invoice, plan, typo
from kassenwart.sandbox.scenarios import CUSTOMERS

INVOICES = [Invoice(f"RE-2026-{n:05d}", Decimal(f"{100 + 37 * (n % 50)}.{n % 100:02d}"), c.name, c.iban)
            for n, c in enumerate(CUSTOMERS * 3, start=1201)]
MONDAY = date(2026, 11, 23)


def test_plan_is_deterministic_and_has_every_kind():
    payments = plan(INVOICES, MONDAY, seed=7)
    assert payments == plan(INVOICES, MONDAY, seed=7) != plan(INVOICES, MONDAY, seed=8)
    assert {p.kind for p in payments} == {"exact", "partial", "typo", "collective", "no_reference"}
    assert sorted(n for p in payments for n in p.invoices) == sorted(i.number for i in INVOICES)
    assert all(MONDAY < p.day <= MONDAY + timedelta(days=12) and p.day.weekday() < 5 for p in payments)


def test_each_kind_looks_like_it_should():
    by_number = {i.number: i for i in INVOICES}
    for p in plan(INVOICES, MONDAY, seed=7):
        invoices = [by_number[n] for n in p.invoices]
        owed = sum((i.amount for i in invoices), Decimal("0.00"))
        assert {i.iban for i in invoices} == {p.iban} and isinstance(p.amount, Decimal)
        if p.kind == "partial":
            assert p.amount < owed and p.invoices[0] in p.remittance
        else:
            assert p.amount == owed
        if p.kind == "collective":
            assert len(invoices) > 1 and all(n in p.remittance for n in p.invoices)
        if p.kind == "typo":
            assert p.invoices[0] not in p.remittance and typo(p.invoices[0]) in p.remittance
        if p.kind == "no_reference":
            assert "RE-" not in p.remittance


def test_typo_swaps_two_digits():
    assert typo("RE-2026-01234") == "RE-2026-01243"
    assert typo("RE-2026-01233") == "RE-2026-01323"


def test_the_bank_books_them_as_the_days_come(client, bank, accounts):
    current = accounts[0]
    today = bank.clock.now().date()
    known = {booking.reference for booking in bank.ledger.bookings[current.iban]}
    payments = bank.script_payments(INVOICES[:7], seed=3, days=5)
    assert sorted(n for p in payments for n in p.invoices) == [i.number for i in INVOICES[:7]]

    def scripted_on_the_statement() -> list[tuple]:
        """The credits on the statement up to the bank's today that were not there before,
        as the product's camt parser reads them."""
        with client:
            documents, _ = client.get_transactions_xml(current, today + timedelta(days=1), bank.clock.now().date())
        entries = [e for doc in documents for _, part in group(parse_camt(io.BytesIO(doc))) for e in part]
        return [(e.booking_date, e.amount, e.counterparty_name, e.counterparty_iban, e.remittance, e.status)
                for e in entries if e.bank_reference not in known]

    expected = sorted((p.day, p.amount, p.payer, p.iban, p.remittance, BOOKED) for p in payments)
    first = min(p.day for p in payments)
    bank.clock.advance(days=(first - today).days)
    assert sorted(scripted_on_the_statement()) == [e for e in expected if e[0] == first]
    bank.clock.advance(days=8)
    assert sorted(scripted_on_the_statement()) == expected
