"""Collection plans, and mandate amend and revoke, through the API as the web offers them:
a plan under a recurring mandate with its schedule, new terms, its end; an amended mandate
whose original values go with the next collection; a revoked one that ends its plans. A read
token sees, a write token of someone who drafts debits writes (the web's roles)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kassenwart.core.models import AuditEvent
from kassenwart.payments.models import CollectionPlan, Mandate, MandateAmendment

pytestmark = pytest.mark.django_db


@pytest.fixture
def writing(company, drafter, make_token, api_client):
    return api_client(make_token(company, drafter, "write").secret)


@pytest.fixture
def books(debits):
    mandate = debits.mandate()
    return mandate, debits.account()


def plan_body(mandate, account, **fields):
    return {"mandate_id": mandate.pk, "account_id": account.pk, "amount": "49.00", "interval": "monthly", "day": 3,
            "starts_on": (timezone.localdate() + timedelta(days=1)).isoformat(), "remittance": "Lizenz Kassenwart",
            "invoice_prefix": "LIC-", **fields}


def test_a_plan_is_made_changed_and_ended(writing, books, company, member, make_token, api_client):
    mandate, account = books
    made = writing.post("/collection-plans", plan_body(mandate, account))
    assert made.status_code == 201, made.content
    plan = made.json()
    assert (plan["amount"], plan["interval"], plan["day"], plan["active"], plan["customer_id"]) == (
        "49.00", "monthly", 3, True, mandate.customer_id)
    assert len(plan["schedule"]) == 3 and all(row["invoice_number"].startswith("LIC-") for row in plan["schedule"])
    assert [p["id"] for p in writing.get("/collection-plans", {"mandate_id": mandate.pk}).json()["items"]] == [
        plan["id"]]

    changed = writing.client.patch(f"/api/v1/collection-plans/{plan['id']}", {"amount": "59.00", "no_end": True},
                                   content_type="application/json", headers=writing.headers)
    assert changed.status_code == 200, changed.content
    assert (changed.json()["amount"], changed.json()["day"], changed.json()["ends_on"]) == ("59.00", 3, None)
    assert AuditEvent.objects.get(action="collection_plan.changed").after["amount"] == "59.00"

    reader = api_client(make_token(company, member, "read").secret)
    assert reader.get(f"/collection-plans/{plan['id']}").json()["amount"] == "59.00"
    assert reader.post(f"/collection-plans/{plan['id']}/end").status_code == 403
    ended = writing.post(f"/collection-plans/{plan['id']}/end")
    assert (ended.status_code, ended.json()["active"]) == (200, False)
    again = writing.post(f"/collection-plans/{plan['id']}/end")
    assert (again.status_code, again.json()["code"]) == (409, "state_changed")
    assert [p["id"] for p in writing.get("/collection-plans", {"active": True}).json()["items"]] == []
    assert not CollectionPlan.objects.get(pk=plan["id"]).active


def test_a_plan_the_rules_refuse_names_the_field(writing, books, debits):
    mandate, account = books
    past = writing.post("/collection-plans", plan_body(mandate, account, starts_on="2020-01-01"))
    assert (past.status_code, past.json()["code"], past.json()["field"]) == (422, "starts_in_past", "starts_on")
    one_off = debits.mandate(kind="one_off")
    refused = writing.post("/collection-plans", plan_body(one_off, account))
    assert (refused.json()["code"], refused.json()["field"]) == ("mandate_one_off", "mandate_id")
    german = writing.post("/collection-plans", plan_body(mandate, account, starts_on="2020-01-01"),
                          **{"Accept-Language": "de"})
    assert german.json()["message"] != past.json()["message"]
    assert not CollectionPlan.objects.exists()


def test_a_mandate_is_amended_and_revoked_which_ends_its_plans(writing, books, company, member, make_token,
                                                               api_client):
    mandate, account = books
    plan = writing.post("/collection-plans", plan_body(mandate, account)).json()
    amended = writing.post(f"/mandates/{mandate.pk}/amend", {"iban": "AT611904300234573201"})
    assert amended.status_code == 200, amended.content
    assert (amended.json()["iban"], amended.json()["amendment"]) == ("AT611904300234573201", "other_bank")
    assert MandateAmendment.objects.get(mandate=mandate).original_iban == mandate.iban
    nothing = writing.post(f"/mandates/{mandate.pk}/amend", {"iban": "AT61 1904 3002 3457 3201"})
    assert (nothing.status_code, nothing.json()["code"]) == (422, "nothing_changed")

    reader = api_client(make_token(company, member, "read").secret)
    assert reader.post(f"/mandates/{mandate.pk}/revoke", {"reason": "x"}).status_code == 403
    revoked = writing.post(f"/mandates/{mandate.pk}/revoke", {"reason": "Kunde hat gekündigt"})
    assert (revoked.status_code, revoked.json()["state"]) == (200, "revoked")
    assert Mandate.objects.get(pk=mandate.pk).state == "revoked"
    assert writing.get(f"/collection-plans/{plan['id']}").json()["active"] is False
    again = writing.post(f"/mandates/{mandate.pk}/revoke", {})
    assert (again.status_code, again.json()["code"]) == (409, "state_changed")
    late = writing.post(f"/mandates/{mandate.pk}/amend", {"reference": "MND-NEU-1"})
    assert (late.status_code, late.json()["code"]) == (409, "state_changed")


def test_a_plan_post_replays_under_its_idempotency_key(writing, books):
    mandate, account = books
    first = writing.post("/collection-plans", plan_body(mandate, account), **{"Idempotency-Key": "plan-1"})
    second = writing.post("/collection-plans", plan_body(mandate, account), **{"Idempotency-Key": "plan-1"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert second["Idempotent-Replayed"] == "true" and second.json()["id"] == first.json()["id"]
    other = writing.post("/collection-plans", plan_body(mandate, account, day=5), **{"Idempotency-Key": "plan-1"})
    assert other.status_code == 422
    assert CollectionPlan.objects.count() == 1
