"""What a matching run writes: payment records, allocations, audit events, invoice and
transaction states, all in one database transaction (written in bulk, see core.bulk)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from kassenwart.core.models import AuditEvent
from kassenwart.receivables.models import Invoice
from kassenwart.reconciliation import services
from kassenwart.reconciliation.models import Allocation, Match, TransactionState
from kassenwart.reconciliation.services import match_create, match_undo, reconcile_company

from reconciliation_books import INVOICES, open_books, refuse_automatic_match_events

BEISPIEL_IBAN = "DE02120300000000202051"


@pytest.fixture(autouse=True, params=["in process", "in a child"])
def engine_where(request, settings):
    """Every run here decides once in the run's own process, once in a child interpreter (as
    a large run does: services._engine_child)."""
    settings.KASSENWART_MATCH_IN_CHILD_FROM = 1 if request.param == "in a child" else 1_000_000


@pytest.fixture
def books(company):
    """Four open invoices of two customers and an account to book payments on."""
    return open_books(company, [
        *INVOICES,
        "AB-1004,502,Beispiel AG,,2026-09-04,2026-10-04,400.00,EUR,",
    ], payer_iban="DE75512108001245126199")


def invoice(number) -> Invoice:
    return Invoice.objects.get(number=number)


def test_a_run_writes_each_match_with_its_allocations_audit_event_and_states(company, books):
    collective = books("350.00", "AB-1001 AB-1002")
    skonto = books("245.00", "Rechnung AB-1003")
    unclear = books("400.00", "Danke")

    result = reconcile_company(company, via="worker")

    assert (result.transactions, result.auto, result.open) == (3, 2, 1)
    both = Match.objects.get(transaction=collective)
    assert both.kind == Match.Kind.AUTO and both.created_at is not None and both.reasons
    assert sorted((a.invoice.number, a.amount, a.write_off) for a in both.allocations.all()) == [
        ("AB-1001", Decimal("100.00"), Decimal("0.00")),
        ("AB-1002", Decimal("250.00"), Decimal("0.00")),
    ]
    one = Match.objects.get(transaction=skonto)
    assert [(a.invoice.number, a.amount, a.write_off) for a in one.allocations.all()] == [
        ("AB-1003", Decimal("245.00"), Decimal("5.00"))
    ]
    for number in ("AB-1001", "AB-1002", "AB-1003"):
        assert (invoice(number).open_amount, invoice(number).status) == (Decimal("0.00"), Invoice.Status.PAID)
    assert invoice("AB-1004").open_amount == Decimal("400.00")

    event = AuditEvent.objects.get(action="match.auto", object_id=str(one.pk))
    assert (event.company, event.actor, event.actor_label, event.object_type) == (
        company, None, "worker", "reconciliation.match"
    )
    assert event.after == {
        "transaction": skonto.pk,
        "kind": "auto",
        "reasons": one.reasons,
        "allocations": [{"invoice": "AB-1003", "amount": "245.00", "write_off": "5.00"}],
    }
    assert AuditEvent.objects.filter(action="match.auto").count() == 2

    states = {s.transaction_id: s for s in TransactionState.objects.filter(company=company)}
    assert states[collective.pk].status == states[skonto.pk].status == TransactionState.Status.MATCHED
    assert states[collective.pk].suggestions == [] and states[collective.pk].updated_at is not None
    waiting = states[unclear.pk]
    assert waiting.status == TransactionState.Status.OPEN
    assert waiting.suggestions[0]["allocations"] == {str(invoice("AB-1004").pk): "400.00"}


def test_the_audit_details_a_run_writes_are_the_text_json_makes_of_them():
    """A run puts each audit event's text together from pieces (the reasons encoded once):
    exactly what the field's encoder makes of the details a map by hand stores."""
    reasons = services.StoredOnce().listed([])
    allocations = [('RE "7" \\ Süd', Decimal("10.00"), Decimal("0.00")), ("AB-1", Decimal("-5.50"), Decimal("1.25"))]
    for kind, numbered in (("auto", allocations), ("manual", [])):
        text = services._match_details_text(4711, kind, reasons, numbered)
        assert text == json.dumps(services._match_details(4711, kind, [], numbered), cls=DjangoJSONEncoder)


def test_a_later_run_updates_open_states_and_numbers_its_matches_after_the_earlier_ones(company, member, books):
    waiting = books("400.00", "Danke", name="Jemand", iban=BEISPIEL_IBAN)
    assert reconcile_company(company).open == 1  # the payer is unknown yet
    by_hand = books("250.00", "offener Posten", name="Jemand", iban=BEISPIEL_IBAN)
    manual = match_create(company, by_hand, [(invoice("AB-1003"), Decimal("250.00"), Decimal("0"))], user=member)
    match_undo(company, manual, user=member)  # the payer's IBAN stays learned
    match_create(company, by_hand, [(invoice("AB-1003"), Decimal("250.00"), Decimal("0"))], user=member)

    result = reconcile_company(company)

    assert (result.transactions, result.auto) == (1, 1)
    state = TransactionState.objects.get(transaction=waiting)
    assert (state.status, state.suggestions, state.note) == (TransactionState.Status.MATCHED, [], "")
    auto = Match.objects.get(transaction=waiting, kind=Match.Kind.AUTO)
    assert auto.pk > max(Match.objects.filter(kind=Match.Kind.MANUAL).values_list("pk", flat=True))
    assert [a.invoice.number for a in auto.allocations.all()] == ["AB-1004"]
    assert AuditEvent.objects.get(action="match.auto").object_id == str(auto.pk)
    assert invoice("AB-1004").status == Invoice.Status.PAID


@pytest.fixture
def audit_refused():
    """The database refuses automatic matches' audit events (as a full disk would): the
    failure comes from the thread that writes the run's batches."""
    lift = refuse_automatic_match_events()
    yield lift
    lift()


def test_a_run_that_fails_on_the_way_writes_nothing(company, books, audit_refused):
    books("350.00", "AB-1001 AB-1002")
    books("400.00", "Danke")

    with pytest.raises(connection.Database.DatabaseError, match="disk full"):
        reconcile_company(company)

    assert not Match.objects.exists() and not Allocation.objects.exists()
    assert not TransactionState.objects.exists()
    assert {i.status for i in Invoice.objects.all()} == {Invoice.Status.OPEN}
    assert not AuditEvent.objects.filter(action="match.auto").exists()
    audit_refused()
    assert reconcile_company(company).auto == 1
