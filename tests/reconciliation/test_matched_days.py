"""The matched payments kept per day (reconciliation.matched_days) move with every service
that matches a payment or takes the match back, and sum what the rows sum."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from kassenwart.banking.models import BankAccount, StatementImport, Transaction
from kassenwart.receivables.models import Invoice
from kassenwart.reconciliation.matched_days import TAKEN, matched_sums, rebuild
from kassenwart.reconciliation.models import Match, MatchedDay
from kassenwart.reconciliation.services import debit_returned, match_create, match_undo, reconcile_company
from kassenwart.web.lists import currency_sums
from kassenwart.web.selectors import MATCHED, UNMATCHED, transaction_list_search

from reconciliation_books import INVOICES, open_books

pytestmark = pytest.mark.django_db


def kept(company) -> list[tuple]:
    days = MatchedDay.objects.filter(company=company).exclude(count=0)
    return sorted(days.values_list("account_id", "currency", "day", "count", "total_cents"))


def counted(company) -> list[tuple]:
    """The same, summed from the payments' states."""
    rows = (Transaction.objects.filter(company=company, state__status__in=TAKEN, booking_date__isnull=False)
            .values("account_id", "currency", "booking_date").annotate(n=Count("id"), total=Sum("amount")))
    return sorted((r["account_id"], r["currency"], r["booking_date"], r["n"], int(r["total"] * 100)) for r in rows)


def sums(found) -> list[tuple]:
    return [(s.currency, s.count, s.total) for s in currency_sums(found)]


def kept_sums(company, **filters) -> list[tuple]:
    return [(s.currency, s.count, s.total) for s in matched_sums(company, **filters)]


@pytest.fixture
def pay(company):
    """pay(amount, text, day, name=..., iban=...) -> a payment booked on `day` (or undated)."""
    open_books(company, INVOICES, payer_iban="DE02120300000000202051")
    account = BankAccount.objects.get(company=company)
    source = StatementImport.objects.get(company=company)
    numbers = iter(range(1, 1000))

    def booked(amount: str, text: str, day: date | None, name="Muster GmbH", iban="DE02120300000000202051"):
        n = next(numbers)
        return Transaction.objects.create(
            company=company, account=account, statement_import=source, booking_date=day, amount=Decimal(amount),
            currency="EUR", counterparty_name=name, counterparty_iban=iban, remittance=text,
            fingerprint=f"{n:040d}", bank_reference=f"REF{n}",
        )

    return booked


def invoice(number) -> Invoice:
    return Invoice.objects.get(number=number)


def test_matching_mapping_and_undoing_keep_the_days_with_the_states(company, admin, pay):
    first = pay("100.00", "Rechnung AB-1001", date(2026, 10, 1))
    second = pay("250.00", "AB-1003", date(2026, 10, 2), name="Beispiel AG", iban="DE75512108001245126199")
    partly = pay("50.00", "Anzahlung", date(2026, 10, 2))
    undated = pay("20.00", "unklar", None)
    pay("-30.00", "Gebühr", date(2026, 10, 2))  # money out is never matched

    reconcile_company(company)
    auto = Match.objects.filter(company=company, undone_at__isnull=True)
    assert {m.transaction_id for m in auto} == {first.pk, second.pk}
    assert kept(company) == counted(company) and len(kept(company)) == 2

    match_create(company, partly, [(invoice("AB-1002"), Decimal("50.00"), Decimal("0.00"))], user=admin)
    match_create(company, undated, [(invoice("AB-1002"), Decimal("20.00"), Decimal("0.00"))], user=admin)
    assert kept(company) == counted(company)
    assert kept_sums(company) == sums(transaction_list_search(company, matched=MATCHED)) == [("EUR", 4, Decimal("420.00"))]

    match_undo(company, auto.get(transaction=first), user=admin)
    debit_returned(company, second, code="MD06")
    assert kept(company) == counted(company)
    assert kept_sums(company) == sums(transaction_list_search(company, matched=MATCHED)) == [("EUR", 2, Decimal("70.00"))]
    # a date filter leaves the payments without a booking date out, an account filter keeps them
    assert kept_sums(company, date_from=date(2026, 10, 2)) == [("EUR", 1, Decimal("50.00"))]
    assert kept_sums(company, account_id=partly.account_id) == [("EUR", 2, Decimal("70.00"))]
    assert kept_sums(company, date_to=date(2026, 10, 1)) == []
    unmatched = transaction_list_search(company, matched=UNMATCHED)
    assert partly not in unmatched and first in unmatched and second in unmatched

    before = kept(company)
    rebuild(company)
    assert kept(company) == before
