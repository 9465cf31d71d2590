"""Properties of the import: exact amounts, and idempotence for any subset and order."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kassenwart.banking.models import Transaction
from kassenwart.banking.services import statement_import
from kassenwart.companies.services import company_create

from camt_files import DAY, camt, entry

amounts = st.decimals(min_value=Decimal("-9999999999.99"), max_value=Decimal("9999999999.99"), places=2)
fixture_ok = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@fixture_ok
@given(st.lists(amounts.filter(lambda a: a != 0), min_size=1, max_size=30))
def test_amounts_never_lose_a_cent_through_parse_and_store(db, values):
    company = company_create("Exact GmbH", via="test")
    entries = [entry(str(v), text=f"t{i}") for i, v in enumerate(values)]
    result = statement_import(company, camt(entries), file_name="x.xml", via="test")
    assert result.added == len(values) and result.balance_ok
    stored = Transaction.objects.filter(company=company).order_by("id").values_list("amount", flat=True)
    assert [Decimal(a).quantize(Decimal("0.01")) for a in stored] == values
    assert all(str(Decimal(a).quantize(Decimal("0.01"))) == str(v) for a, v in zip(stored, values, strict=True))


# A ledger of 12 days; day 5 has two identical transactions. Statements cover day ranges.
LEDGER = [entry(f"{d + 1}.{d:02d}", day=DAY + timedelta(days=d), text=f"day {d}") for d in range(12)]
LEDGER.append(entry("6.05", day=DAY + timedelta(days=5), text="day 5"))
RANGES = [(0, 4), (2, 7), (5, 6), (6, 12), (0, 12), (9, 11)]


def statement_for(first: int, last: int):
    days = {DAY + timedelta(days=d) for d in range(first, last)}
    return camt([e for e in LEDGER if e.booking_date in days])


def key(tx) -> tuple:
    return (tx.booking_date, tx.amount, tx.remittance)


@fixture_ok
@given(st.permutations(RANGES).flatmap(lambda p: st.lists(st.sampled_from(p), min_size=1, max_size=8)))
def test_reimport_is_idempotent_for_any_subset_and_order(db, chosen):
    company = company_create("Order GmbH", via="test")
    for first, last in chosen:
        statement_import(company, statement_for(first, last), file_name="s.xml", via="test")
    covered = {d for first, last in chosen for d in range(first, last)}
    expected = Counter(key(e) for e in LEDGER if (e.booking_date - DAY).days in covered)
    stored = Counter(key(t) for t in Transaction.objects.filter(company=company))
    assert stored == expected
    # and once everything has been imported, everything is there exactly once
    statement_import(company, statement_for(0, 12), file_name="all.xml", via="test")
    statement_import(company, statement_for(0, 12), file_name="all.xml", via="test")
    assert Transaction.objects.filter(company=company).count() == len(LEDGER)
