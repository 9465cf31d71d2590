"""Reconciliation through the API: the open payments with the engine's suggestions, a map by
hand (with the other customer's confirmation), accepting and rejecting, undo, ignore, and a
matching run enqueued for the worker and polled."""

import sys
from pathlib import Path

import pytest

from kassenwart.core.models import AuditEvent
from kassenwart.receivables.models import Invoice
from kassenwart.reconciliation.models import TransactionState
from kassenwart.reconciliation.services import reconcile_company

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reconciliation"))
from reconciliation_books import INVOICES, open_books  # noqa: E402

pytestmark = pytest.mark.django_db


@pytest.fixture
def pay(company):
    return open_books(company, INVOICES, payer_iban="DE02120300000000202051")


def number_id(number: str) -> int:
    return Invoice.objects.get(number=number).pk


def test_open_payments_carry_their_ranked_suggestions_and_one_is_accepted(api, company, pay):
    tx = pay("250.00", "Danke")  # two invoices of 250.00: both suggested, nothing certain
    reconcile_company(company)
    listed = api.get("/reconciliation/payments").json()
    assert [p["id"] for p in listed["items"]] == [tx.pk] and listed["next_cursor"] is None
    payment = listed["items"][0]
    assert (payment["status"], payment["left"], payment["amount"]) == ("open", "250.00", "250.00")
    ranked = [[line["invoice_number"] for line in s["invoices"]] for s in payment["suggestions"]]
    assert ranked == [["AB-1002"], ["AB-1003"]]
    assert payment["suggestions"][0]["reasons"] == ["amount equals open amount"]

    # the second one is accepted by its invoices, wherever it ranks
    answer = api.post(f"/reconciliation/payments/{tx.pk}/accept", {"invoice_ids": [number_id("AB-1003")]})
    assert answer.status_code == 201, answer.content
    match = answer.json()
    assert match["kind"] == "manual" and match["created_by"] == f"admin-{company.pk}"
    assert [(a["invoice_number"], a["amount"]) for a in match["allocations"]] == [("AB-1003", "250.00")]
    assert Invoice.objects.get(number="AB-1003").status == "paid"
    assert AuditEvent.objects.filter(action="api.called").exists() and AuditEvent.objects.get(action="match.manual").actor.username == f"admin-{company.pk}"
    assert api.get("/reconciliation/payments").json()["items"] == []
    assert api.get(f"/reconciliation/payments/{tx.pk}").json()["status"] == "matched"
    gone = api.post(f"/reconciliation/payments/{tx.pk}/accept", {"invoice_ids": [number_id("AB-1001")]})
    assert (gone.status_code, gone.json()["field"]) == (404, "invoice_ids")


def test_a_map_by_hand_needs_the_confirmation_for_another_customers_invoice_and_is_undone(api, company, member,
                                                                                         pay):
    from decimal import Decimal

    from kassenwart.reconciliation.services import match_create

    known = pay("100.00", "AB-1001")  # teaches that the payer's IBAN is customer 501's
    match_create(company, known, [(Invoice.objects.get(number="AB-1001"), Decimal("100.00"), Decimal("0"))],
                 user=member)
    tx = pay("250.00", "Sammelzahlung")
    body = {"allocations": [{"invoice_id": number_id("AB-1003"), "amount": "250.00"}]}
    refused = api.post(f"/reconciliation/payments/{tx.pk}/map", body)
    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["field"]) == ("other_customer", "confirm_other_customer")
    made = api.post(f"/reconciliation/payments/{tx.pk}/map", {**body, "confirm_other_customer": True})
    assert made.status_code == 201, made.content
    match_id = made.json()["id"]
    assert api.get(f"/reconciliation/matches/{match_id}").json()["allocations"][0]["invoice_number"] == "AB-1003"
    assert [m["id"] for m in api.get("/reconciliation/matches", {"transaction_id": tx.pk}).json()["items"]] == [
        match_id]
    again = api.post(f"/reconciliation/payments/{tx.pk}/map", {**body, "confirm_other_customer": True})
    assert (again.status_code, again.json()["code"]) == (409, "refused")

    undone = api.post(f"/reconciliation/matches/{match_id}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert Invoice.objects.get(number="AB-1003").status == "open"
    assert api.post(f"/reconciliation/matches/{match_id}/undo").status_code == 409
    assert match_id not in [m["id"] for m in api.get("/reconciliation/matches").json()["items"]]
    assert match_id in [m["id"] for m in api.get("/reconciliation/matches", {"include_undone": True}).json()["items"]]
    unknown = api.post(f"/reconciliation/payments/{tx.pk}/map", {"allocations": [{"invoice_id": 999999,
                                                                                  "amount": "1.00"}]})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "allocations.0.invoice_id")


def test_ignore_unignore_and_reject(api, company, pay):
    tx = pay("250.00", "Danke")
    reconcile_company(company)
    rejected = api.post(f"/reconciliation/payments/{tx.pk}/reject", {"invoice_ids": [number_id("AB-1002")]})
    assert [s["invoices"][0]["invoice_number"] for s in rejected.json()["suggestions"]] == ["AB-1003"]

    ignored = api.post(f"/reconciliation/payments/{tx.pk}/ignore", {"reason": "Darlehen"})
    assert ignored.status_code == 200 and (ignored.json()["status"], ignored.json()["ignore_reason"]) == (
        "ignored", "Darlehen")
    assert api.get("/reconciliation/payments").json()["items"] == []
    assert [p["id"] for p in api.get("/reconciliation/payments", {"status": "ignored"}).json()["items"]] == [tx.pk]
    assert api.post(f"/reconciliation/payments/{tx.pk}/ignore", {"reason": "x"}).status_code == 409
    assert api.post(f"/reconciliation/payments/{tx.pk}/unignore").json()["status"] == "open"
    assert TransactionState.objects.get(pk=tx.pk).status == "open"
    assert api.post(f"/reconciliation/payments/{tx.pk}/ignore", {"reason": ""}).status_code == 422


def test_money_out_is_no_payment_to_reconcile(api, pay):
    out = pay("-20.00", "Gebühr")
    assert api.get(f"/reconciliation/payments/{out.pk}").status_code == 404
    assert api.post(f"/reconciliation/payments/{out.pk}/ignore", {"reason": "x"}).status_code == 404


def test_a_run_is_enqueued_for_the_worker_and_polled(api, company, pay):
    from django_tasks_db.models import DBTaskResult

    from kassenwart.runtime.worker import make_worker

    tx = pay("100.00", "Rechnung AB-1001")
    answer = api.post("/reconciliation/runs")
    assert answer.status_code == 202, answer.content
    run = answer.json()
    assert run["status"] == "ready" and run["poll"].endswith(f"/api/v1/reconciliation/runs/{run['id']}")
    assert api.get(f"/reconciliation/runs/{run['id']}").json()["status"] == "ready"
    # what `kassenwart worker` does with the ready task (without its loop, which would recycle
    # the test's database connection)
    make_worker(batch=True).run_task(DBTaskResult.objects.ready().get())
    done = api.get(f"/reconciliation/runs/{run['id']}").json()
    assert (done["status"], done["transactions"], done["auto"], done["open"]) == ("successful", 1, 1, 0)
    assert TransactionState.objects.get(pk=tx.pk).status == "matched"
    assert api.get("/reconciliation/runs/not-a-run").status_code == 404


def test_a_read_token_reads_but_does_not_decide(company, member, make_token, api_client, pay):
    tx = pay("250.00", "Danke")
    reconcile_company(company)
    read = api_client(make_token(company, member, "read").secret)
    assert read.get("/reconciliation/payments").status_code == 200
    assert read.post(f"/reconciliation/payments/{tx.pk}/ignore", {"reason": "x"}).status_code == 403
    assert read.post("/reconciliation/runs").status_code == 403


def test_refusals_speak_the_callers_language(company, admin, make_token, api_client, pay):
    tx = pay("100.00", "x")
    german = api_client(make_token(company, admin, "write").secret, language="de")
    answer = german.post(f"/reconciliation/payments/{tx.pk}/map", {"allocations": [{"invoice_id": 999999,
                                                                                    "amount": "1.00"}]})
    assert answer.json()["message"] == "Diese Rechnung gibt es nicht."
