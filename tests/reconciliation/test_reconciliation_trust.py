"""What a person undoes stays undone for the automatic run, and a map across customers needs
the person's confirmation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kassenwart.receivables.models import Invoice
from kassenwart.reconciliation.models import LearnedPayer, Match, TransactionState
from kassenwart.reconciliation.services import (
    OtherCustomer,
    match_create,
    match_undo,
    reconcile_company,
    suggestion_accept,
)

from reconciliation_books import INVOICES, open_books, said

IBAN = "DE02120300000000202051"
UNDONE = "undone by a person before"


@pytest.fixture
def books(company):
    return open_books(company, INVOICES, payer_iban=IBAN)


def invoice(number) -> Invoice:
    return Invoice.objects.get(number=number)


def suggestions(tx) -> list[tuple[set[str], list[str]]]:
    numbers = dict(Invoice.objects.values_list("pk", "number"))
    return [
        ({numbers[int(pk)] for pk in s["allocations"]}, said(s["reasons"]))
        for s in TransactionState.objects.get(pk=tx.pk).suggestions
    ]


def active(tx) -> list[Match]:
    return list(Match.objects.filter(transaction=tx, undone_at__isnull=True))


def test_an_undone_automatic_match_is_not_applied_again_but_suggested_marked(company, member, books):
    tx = books("100.00", "Rechnung AB-1001")
    reconcile_company(company)
    (match,) = active(tx)
    match_undo(company, match, user=member)

    assert reconcile_company(company).auto == 0
    assert not active(tx) and invoice("AB-1001").open_amount == Decimal("100.00")
    (first, reasons), *_rest = suggestions(tx)
    assert first == {"AB-1001"} and reasons[-1] == UNDONE

    # a person may map it again, and the run leaves that map alone
    suggestion_accept(company, tx, 1, user=member)
    reconcile_company(company)
    (again,) = active(tx)
    assert again.kind == Match.Kind.MANUAL and invoice("AB-1001").status == "paid"


def test_an_undone_map_by_hand_unlearns_the_payer(company, member, books):
    mapped = books("100.00", "Zahlung")
    match = match_create(company, mapped, [(invoice("AB-1001"), Decimal("100.00"), Decimal("0"))], user=member)
    assert set(LearnedPayer.objects.values_list("kind", "customer__number", "match")) == {
        ("iban", "501", match.pk), ("name", "501", match.pk),
    }
    match_undo(company, match, user=member)
    assert not LearnedPayer.objects.exists()

    # so a later payment of 250.00 from that IBAN is not put on Muster GmbH's AB-1002
    later = books("250.00", "Danke")
    reconcile_company(company)
    assert not active(later) and not active(mapped)
    assert [numbers for numbers, _reasons in suggestions(later)] == [{"AB-1002"}, {"AB-1003"}]
    assert all("payer IBAN learned for customer 501" not in r for _n, reasons in suggestions(later) for r in reasons)


def test_a_learning_another_map_still_backs_is_kept(company, member, books):
    first = match_create(
        company, books("100.00", "x"), [(invoice("AB-1001"), Decimal("100.00"), Decimal("0"))], user=member
    )
    second = match_create(
        company, books("50.00", "y"), [(invoice("AB-1002"), Decimal("50.00"), Decimal("0"))], user=member
    )
    assert set(LearnedPayer.objects.values_list("match", flat=True)) == {second.pk}
    match_undo(company, second, user=member)
    assert set(LearnedPayer.objects.values_list("customer__number", "match")) == {("501", first.pk)}
    match_undo(company, first, user=member)
    assert not LearnedPayer.objects.exists()


def test_a_map_across_customers_needs_confirmation_and_teaches_nothing(company, member, books):
    match_create(company, books("100.00", "x"), [(invoice("AB-1001"), Decimal("100.00"), Decimal("0"))], user=member)
    tx = books("250.00", "für Beispiel AG")  # the payer is known as 501 now; AB-1003 is 502's
    with pytest.raises(OtherCustomer, match="known as customer 501, but AB-1003 belongs to another customer"):
        match_create(company, tx, [(invoice("AB-1003"), Decimal("250.00"), Decimal("0"))], user=member)
    assert invoice("AB-1003").open_amount == Decimal("250.00") and not active(tx)

    match = match_create(
        company, tx, [(invoice("AB-1003"), Decimal("250.00"), Decimal("0"))], user=member, confirm_other_customer=True
    )
    assert said(match.reasons) == ["mapped by hand", "invoice of customer 502, payer known as customer 501"]
    assert set(LearnedPayer.objects.values_list("customer__number", flat=True)) == {"501"}


def test_a_suggestion_across_customers_is_never_automatic_and_accepted_only_when_confirmed(company, member, books):
    match_create(company, books("250.00", "x"), [(invoice("AB-1002"), Decimal("250.00"), Decimal("0"))], user=member)
    tx = books("250.00", "Rechnung AB-1003")  # names 502's invoice in full, paid from 501's IBAN
    reconcile_company(company)
    assert not active(tx)
    ranked = [numbers for numbers, _reasons in suggestions(tx)]
    rank = ranked.index({"AB-1003"}) + 1
    assert "invoice of customer 502, payer known as customer 501" in suggestions(tx)[rank - 1][1]
    with pytest.raises(OtherCustomer):
        suggestion_accept(company, tx, rank, user=member)
    match = suggestion_accept(company, tx, rank, user=member, confirm_other_customer=True)
    assert said(match.reasons)[0] == "suggestion accepted"
    assert said(match.reasons).count("invoice of customer 502, payer known as customer 501") == 1
