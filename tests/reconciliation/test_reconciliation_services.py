"""Reconciliation in the product: runs, manual maps, undo, learning, ignore, export."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command

from kassenwart.core.models import AuditEvent
from kassenwart.notifications.models import Notification
from kassenwart.receivables.models import Invoice
from kassenwart.reconciliation.models import LearnedPayer, Match, TransactionState
from kassenwart.reconciliation.reasons import app_reason
from kassenwart.reconciliation.services import (
    ReconciliationError,
    match_create,
    match_undo,
    reconcile_company,
    suggestion_accept,
    suggestion_reject,
    transaction_ignore,
)

from reconciliation_books import INVOICES, open_books, said
from shared_data import shared_path


@pytest.fixture
def books(company):
    """Three open invoices of two customers and an account to book payments on."""
    return open_books(company, INVOICES, payer_iban="DE02120300000000202051")


def invoice(number) -> Invoice:
    return Invoice.objects.get(number=number)


def suggested(tx) -> list[tuple[dict[str, str], list[str]]]:
    """The transaction's suggestions in rank order: {invoice number: amount} and the reasons."""
    numbers = dict(Invoice.objects.values_list("pk", "number"))
    return [
        ({numbers[int(pk)]: amount for pk, amount in s["allocations"].items()}, said(s["reasons"]))
        for s in TransactionState.objects.get(pk=tx.pk).suggestions
    ]


# Two open invoices of 250.00 and a payment of 250.00 that names neither: both are
# suggested, the one due first ranked first.
BOTH_250 = [({"AB-1002": "250.00"}, ["amount equals open amount"]), ({"AB-1003": "250.00"}, ["amount equals open amount"])]


def test_certain_payment_is_reconciled_automatically_with_a_reason(company, admin, books):
    tx = books("100.00", "Rechnung AB-1001")
    result = reconcile_company(company)
    assert (result.auto, result.open) == (1, 0)
    match = Match.objects.get(transaction=tx)
    assert match.kind == "auto" and said(match.reasons)[0] == "invoice number AB-1001 in remittance"
    assert invoice("AB-1001").status == "paid" and invoice("AB-1001").open_amount == 0
    assert TransactionState.objects.get(pk=tx.pk).status == "matched"
    assert AuditEvent.objects.filter(action="match.auto", object_id=str(match.pk)).exists()
    assert Notification.objects.filter(user=admin, kind="auto_matched").exists()
    assert reconcile_company(company).transactions == 0  # nothing left to do


def test_ambiguous_payment_stays_open_with_ranked_suggestions(company, admin, books):
    tx = books("250.00", "Danke")  # two open invoices of 250.00, no reference, unknown payer
    reconcile_company(company)
    state = TransactionState.objects.get(pk=tx.pk)
    assert state.status == "open"
    assert suggested(tx) == BOTH_250
    assert not Match.objects.filter(transaction=tx).exists()
    assert Notification.objects.filter(user=admin, kind="needs_person").exists()


def test_map_by_hand_then_undo_restores_everything(company, member, books):
    tx = books("300.00", "Sammelzahlung")
    reconcile_company(company)
    match = match_create(
        company, tx,
        [(invoice("AB-1001"), Decimal("100.00"), Decimal("0")), (invoice("AB-1002"), Decimal("200.00"), Decimal("0"))],
        user=member,
    )
    assert invoice("AB-1001").status == "paid"
    assert (invoice("AB-1002").status, invoice("AB-1002").open_amount) == ("partially_paid", Decimal("50.00"))
    assert TransactionState.objects.get(pk=tx.pk).status == "matched"
    assert AuditEvent.objects.get(action="match.manual").actor == member
    # learning: the payer's IBAN and name now point at customer 501
    learned = set(LearnedPayer.objects.values_list("kind", "customer__number"))
    assert learned == {("iban", "501"), ("name", "501")}

    match_undo(company, match, user=member)
    assert (invoice("AB-1001").open_amount, invoice("AB-1001").status) == (Decimal("100.00"), "open")
    assert (invoice("AB-1002").open_amount, invoice("AB-1002").status) == (Decimal("250.00"), "open")
    assert TransactionState.objects.get(pk=tx.pk).status == "open"
    assert AuditEvent.objects.get(action="match.undone").before["allocations"]
    with pytest.raises(ReconciliationError):
        match_undo(company, match, user=member)


def test_skonto_write_off_closes_the_invoice(company, member, books):
    tx = books("98.00", "AB-1001 abzgl. Skonto")
    match_create(company, tx, [(invoice("AB-1001"), Decimal("98.00"), Decimal("2.00"))], user=member)
    assert (invoice("AB-1001").open_amount, invoice("AB-1001").status) == (0, "paid")


def test_cannot_apply_more_than_the_payment(company, member, books):
    tx = books("50.00", "x")
    with pytest.raises(ReconciliationError, match="exceed"):
        match_create(company, tx, [(invoice("AB-1002"), Decimal("60.00"), Decimal("0"))], user=member)
    assert invoice("AB-1002").open_amount == Decimal("250.00")


def test_partial_map_leaves_the_rest_of_the_payment(company, member, books):
    tx = books("500.00", "x")
    match_create(company, tx, [(invoice("AB-1001"), Decimal("100.00"), Decimal("0"))], user=member)
    assert TransactionState.objects.get(pk=tx.pk).status == "partially_matched"


def test_rejected_suggestion_is_not_proposed_again(company, member, books):
    tx = books("250.00", "Danke")
    reconcile_company(company)
    assert suggested(tx) == BOTH_250
    suggestion_reject(company, tx, 1, user=member)  # not AB-1002
    assert suggested(tx) == BOTH_250[1:]
    reconcile_company(company)
    assert suggested(tx) == BOTH_250[1:]
    assert TransactionState.objects.get(pk=tx.pk).status == "open" and not Match.objects.filter(transaction=tx).exists()


def test_accepting_a_suggestion_maps_it(company, member, books):
    tx = books("100.00", "Rechnung AB-1001", name="Muster GmbH")
    TransactionState.objects.create(
        transaction=tx, company=company,
        suggestions=[{"allocations": {str(invoice("AB-1001").pk): "100.00"}, "confidence": 0.8,
                      "reasons": [app_reason("amount_equals")], "surplus": "0.00", "write_off": "0.00"}],
    )
    match = suggestion_accept(company, tx, 1, user=member)
    assert match.kind == "manual" and said(match.reasons) == ["suggestion accepted", "amount equals open amount"]
    assert invoice("AB-1001").status == "paid"


def test_ignore_needs_a_reason_and_takes_the_payment_off_the_open_list(company, member, books):
    tx = books("77.00", "Darlehen")
    reconcile_company(company)
    with pytest.raises(ReconciliationError):
        transaction_ignore(company, tx, "  ", user=member)
    transaction_ignore(company, tx, "loan from shareholder", user=member)
    assert TransactionState.objects.get(pk=tx.pk).status == "ignored"
    assert reconcile_company(company).transactions == 0


def test_another_companys_transaction_cannot_be_mapped(company, member, books):
    from kassenwart.companies.services import company_create

    other = company_create("Fremd GmbH", via="test")
    tx = books("100.00", "AB-1001")
    with pytest.raises(ReconciliationError):
        match_create(other, tx, [(invoice("AB-1001"), Decimal("100.00"), Decimal("0"))], user=member)


def test_reconbench_through_the_product_meets_the_goals(company, tmp_path):
    call_command("import_invoices", str(shared_path("reconbench", "dev", "invoices.csv")), stdout=io.StringIO())
    call_command("import_statement", str(shared_path("reconbench", "dev", "statement.xml")), stdout=io.StringIO())
    call_command("reconcile", stdout=io.StringIO())
    out = tmp_path / "m.csv"
    call_command("export_matches", str(out), stdout=io.StringIO())
    with open(out, newline="") as handle:
        assert next(csv.reader(handle))[:4] == ["transaction_ref", "invoice_number", "kind", "rank"]
    score = subprocess.run(
        [sys.executable, str(shared_path("reconbench", "score.py")), str(shared_path("reconbench", "dev", "truth.csv")), str(out)],
        capture_output=True, text=True, check=True,
    ).stdout
    figures = dict(re.findall(r"(precision|recall|hit@3)=([0-9.]+)", score))
    print(score.splitlines()[-1])
    assert float(figures["precision"]) >= 0.998
    assert float(figures["recall"]) >= 0.90
    assert float(figures["hit@3"]) >= 0.95


def test_runs_are_enqueued_after_imports_and_on_the_interval(company, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from kassenwart.reconciliation.models import MatchingConfig
    from kassenwart.reconciliation.schedule import enqueue_after_commit, enqueue_due_runs

    with django_capture_on_commit_callbacks(execute=True):
        enqueue_after_commit(company.pk)
    assert DBTaskResult.objects.filter(args_kwargs__args=[company.pk]).count() == 1

    config = MatchingConfig.objects.create(company=company, interval_minutes=30)
    now = timezone.now()
    assert enqueue_due_runs(now) == 1  # never ran: due
    assert enqueue_due_runs(now) == 0  # claimed
    assert enqueue_due_runs(now + timedelta(minutes=29)) == 0
    assert enqueue_due_runs(now + timedelta(minutes=31)) == 1
    config.refresh_from_db()
    assert config.last_run_at == now + timedelta(minutes=31)


def test_runs_and_maps_by_hand_take_the_companys_lock(company, member, books):
    """A run writes the open amounts it read at its start; a map by hand meanwhile would be
    lost. Both lock the company's matching settings first (PostgreSQL; SQLite writes one
    transaction at a time, and Django leaves FOR UPDATE out there)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if not connection.features.has_select_for_update:
        pytest.skip("SQLite serialises writers without row locks")
    tx = books("100.00", "Danke")
    for act in (lambda: reconcile_company(company),
                lambda: match_create(company, tx, [(invoice("AB-1001"), Decimal("100.00"), Decimal("0"))], user=member)):
        with CaptureQueriesContext(connection) as queries:
            act()
        first_write_or_lock = next(q["sql"] for q in queries if "FOR UPDATE" in q["sql"] or q["sql"].startswith(("INSERT", "UPDATE")))
        assert "reconciliation_matchingconfig" in first_write_or_lock and "FOR UPDATE" in first_write_or_lock


def test_a_failing_export_leaves_no_file_behind(company, books, tmp_path, monkeypatch):
    from kassenwart.reconciliation.management.commands import export_matches

    def broken(company):
        yield {"transaction_ref": "X"}
        raise RuntimeError("database went away")

    monkeypatch.setattr(export_matches, "export_rows", broken)
    with pytest.raises(RuntimeError):
        call_command("export_matches", str(tmp_path / "m.csv"), stdout=io.StringIO())
    assert list(tmp_path.iterdir()) == []


def test_payments_that_need_a_person_are_announced_once(company, admin, books):
    books("1.00", "unbekannt")
    reconcile_company(company)
    reconcile_company(company)  # the interval's next run: nothing new
    books("2.00", "auch unbekannt")
    reconcile_company(company)
    texts = [note.wording() for note in Notification.objects.filter(user=admin, kind="needs_person").order_by("pk")]
    assert texts == ["1 payment needs a person.", "1 payment needs a person."]


def test_an_invoice_paid_meanwhile_cannot_be_paid_again_by_hand(company, member, books):
    first, second = books("100.00", "Danke"), books("100.00", "Danke auch")
    match_create(company, first, [(invoice("AB-1001"), Decimal("100.00"), Decimal("0"))], user=member)
    with pytest.raises(ReconciliationError, match="Paid already.*AB-1001"):
        match_create(company, second, [(invoice("AB-1001"), Decimal("100.00"), Decimal("0"))], user=member)
    assert invoice("AB-1001").status == "paid"
