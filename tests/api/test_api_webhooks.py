"""Webhook endpoints through the API: made (the secret shown once), changed, disabled and
enabled, deleted; the delivery log with each attempt, and a replay that reaches the CRM's
receiver again with the same webhook-id and a signature it verifies."""

import sys
from decimal import Decimal
from pathlib import Path

import crm_receiver
import pytest

from kassenwart.webhooks.models import Delivery, Endpoint

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reconciliation"))

pytestmark = pytest.mark.django_db


@pytest.fixture
def crm():
    crm, server = crm_receiver.start()
    yield crm
    server.shutdown()
    server.server_close()


def run_worker(capture):
    """What the worker's clock and queue do: the fan-out, then the delivery tasks."""
    from django_tasks_db.models import DBTaskResult

    from kassenwart.webhooks.fanout import webhooks_fan_out

    with capture(execute=True):
        webhooks_fan_out()
    for row in DBTaskResult.objects.ready().filter(task_path__endswith="deliveries_send_task"):
        row.claim("test-worker")
        row.set_successful(row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]))


def test_an_endpoint_is_made_changed_and_its_deliveries_replayed(api, company, admin, crm,
                                                                 django_capture_on_commit_callbacks):
    from kassenwart.reconciliation.services import match_create

    from reconciliation_books import INVOICES, open_books

    made = api.post("/webhooks/endpoints", {"url": crm.url, "events": ["payment.matched", "invoice.paid"],
                                            "description": "CRM"})
    assert made.status_code == 201, made.content
    endpoint = made.json()
    assert endpoint["secret"].startswith("whsec_") and endpoint["enabled"]
    crm.secret = endpoint["secret"]
    assert "secret" not in api.get(f"/webhooks/endpoints/{endpoint['id']}").json()
    assert [e["id"] for e in api.get("/webhooks/endpoints").json()["items"]] == [endpoint["id"]]
    assert api.post("/webhooks/endpoints", {"url": "ftp://x", "events": ["invoice.paid"]}).status_code == 422
    assert api.post("/webhooks/endpoints", {"url": crm.url, "events": ["no.such"]}).status_code == 422

    pay = open_books(company, INVOICES, payer_iban="DE02120300000000202051")
    tx = pay("100.00", "AB-1001")
    from kassenwart.receivables.models import Invoice

    match_create(company, tx, [(Invoice.objects.get(number="AB-1001"), Decimal("100.00"), Decimal("0"))], user=admin)
    crm.answers = [500]  # the first post fails
    run_worker(django_capture_on_commit_callbacks)
    log = api.get("/webhooks/deliveries", {"endpoint_id": endpoint["id"]}).json()["items"]
    assert sorted(d["event_type"] for d in log) == ["invoice.paid", "payment.matched"]
    failed = next(d for d in log if d["state"] == "pending")
    assert failed["attempt_count"] == 1 and failed["next_attempt_at"]
    detail = api.get(f"/webhooks/deliveries/{failed['id']}").json()
    assert [(a["trigger"], a["status_code"], a["succeeded"]) for a in detail["attempts"]] == [("first", 500, False)]

    with django_capture_on_commit_callbacks(execute=True):  # the replay's task, enqueued after commit
        replayed = api.post(f"/webhooks/deliveries/{failed['id']}/replay")
    assert replayed.status_code == 202 and replayed.json()["state"] == "pending"
    run_worker(django_capture_on_commit_callbacks)
    again = [c for c in crm.verified() if c.headers["webhook-id"] == failed["event_id"]]
    assert len(again) == 2 and [c.answered for c in again] == [500, 200]
    assert api.get(f"/webhooks/deliveries/{failed['id']}").json()["state"] == "succeeded"

    changed = api.client.patch(f"/api/v1/webhooks/endpoints/{endpoint['id']}", '{"enabled": false, "events": '
                               '["match.undone"]}', content_type="application/json", headers=api.headers)
    assert changed.status_code == 200, changed.content
    assert (changed.json()["enabled"], changed.json()["events"]) == (False, ["match.undone"])
    assert changed.json()["disabled_reason"]
    assert api.post(f"/webhooks/deliveries/{failed['id']}/replay").status_code == 409
    rotated = api.post(f"/webhooks/endpoints/{endpoint['id']}/secret").json()["secret"]
    assert rotated.startswith("whsec_") and rotated != endpoint["secret"]
    gone = api.client.delete(f"/api/v1/webhooks/endpoints/{endpoint['id']}", headers=api.headers)
    assert gone.status_code == 204
    assert not Endpoint.objects.exists() and not Delivery.objects.exists()
    assert api.get(f"/webhooks/endpoints/{endpoint['id']}").status_code == 404


def test_only_admins_manage_webhooks(company, member, make_token, api_client):
    client = api_client(make_token(company, member, "write").secret)
    assert client.get("/webhooks/endpoints").status_code == 403
    assert client.post("/webhooks/endpoints", {"url": "https://crm.example/h", "events": ["invoice.paid"]}
                       ).status_code == 403
