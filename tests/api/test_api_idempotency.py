"""Idempotency keys (Stripe's semantics) through the test client; the parallel requests against
a live server are in test_api_live.py."""

import pytest

from kassenwart.api.idempotency import KEEP, idempotency_keys_expire
from kassenwart.api.models import IdempotencyKey
from kassenwart.core.models import AuditEvent
from kassenwart.receivables.models import Invoice

pytestmark = pytest.mark.django_db

BODY = {"items": [{"invoice_number": "RE-1", "customer_number": "K1", "customer_name": "Kunde", "amount": "10.00"}]}


def test_the_same_key_and_body_replays_the_first_answer_without_running_again(api, company):
    first = api.post("/invoices/bulk", BODY, **{"Idempotency-Key": "push-1"})
    Invoice.objects.filter(number="RE-1").update(amount=99, open_amount=99)  # would be updated back if run again
    second = api.post("/invoices/bulk", BODY, **{"Idempotency-Key": "push-1"})
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Invoice.objects.get(number="RE-1").amount == 99
    assert AuditEvent.objects.filter(action="invoices.imported").count() == 1
    called = AuditEvent.objects.filter(action="api.called").order_by("id")
    assert [e.after["replayed"] for e in called] == [False, True]


def test_the_same_key_with_another_body_is_422(api):
    api.post("/invoices/bulk", BODY, **{"Idempotency-Key": "push-2"})
    other = api.post("/invoices/bulk", {"items": [{**BODY["items"][0], "amount": "11.00"}]},
                     **{"Idempotency-Key": "push-2"})
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused" and other.json()["field"] == "Idempotency-Key"


def test_a_key_still_claimed_by_a_running_request_is_409(api, company):
    # the row a request in another process holds while it runs
    from django.utils import timezone

    IdempotencyKey.objects.create(company=company, key="push-3", fingerprint="x" * 64, created_at=timezone.now())
    busy = api.post("/invoices/bulk", BODY, **{"Idempotency-Key": "push-3"})
    assert busy.status_code == 409 and busy.json()["code"] == "idempotency_key_in_use"
    assert not Invoice.objects.filter(number="RE-1").exists()


def test_keys_are_company_wide_and_another_company_may_use_the_same(api, other_company, make_token, api_client):
    api.post("/invoices/bulk", BODY, **{"Idempotency-Key": "push-4"})
    theirs = api_client(make_token(other_company, other_company.admin, "write").secret)
    answer = theirs.post("/invoices/bulk", BODY, **{"Idempotency-Key": "push-4"})
    assert answer.status_code == 200 and "Idempotent-Replayed" not in answer
    assert Invoice.objects.filter(company=other_company, number="RE-1").exists()


def test_a_refused_request_gives_its_key_back(company, member, make_token, api_client):
    read = api_client(make_token(company, member, "read").secret)
    assert read.post("/invoices/bulk", BODY, **{"Idempotency-Key": "push-5"}).status_code == 403
    assert not IdempotencyKey.objects.filter(key="push-5").exists()


def test_a_key_longer_than_255_is_422(api):
    answer = api.post("/invoices/bulk", BODY, **{"Idempotency-Key": "k" * 256})
    assert answer.status_code == 422 and answer.json()["field"] == "Idempotency-Key"


def test_keys_are_kept_24_hours_then_removed(api, company):
    from django.utils import timezone

    api.post("/invoices/bulk", BODY, **{"Idempotency-Key": "push-6"})
    assert idempotency_keys_expire(timezone.now() + KEEP / 2) == 0
    assert idempotency_keys_expire(timezone.now() + KEEP * 1.01) == 1
