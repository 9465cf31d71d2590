"""Customers and invoices through the API: the bulk upsert by the CSV import's rules, with
per-item errors, and the lists."""

import pytest

from kassenwart.core.models import AuditEvent
from kassenwart.receivables.models import Customer, Invoice

pytestmark = pytest.mark.django_db


def item(number, amount="100.00", customer="K1", **more):
    return {"invoice_number": number, "customer_number": customer, "customer_name": f"Kunde {customer}",
            "amount": amount, "issue_date": "2026-07-01", "due_date": "15.07.2026", **more}


def test_bulk_upsert_creates_updates_and_names_each_bad_item_by_index_and_field(api, company):
    answer = api.post("/invoices/bulk", {"items": [
        item("RE-1"), item("RE-2", 250.5, customer_iban="DE89 3704 0044 0532 0130 00"),
        item("RE-3", "12,345"), item("RE-4", customer_iban="DE00123"), item("RE-1", "5.00"),
        item("", "1.00"), item("RE-5", "1.234,56", customer_email="no-mail"),
    ]})
    assert answer.status_code == 200, answer.content
    result = answer.json()
    assert (result["created"], result["updated"], result["customers_created"]) == (2, 0, 1)
    assert [(e["index"], e["field"], e["code"]) for e in result["errors"]] == [
        (2, "amount", "amount_invalid"), (3, "customer_iban", "iban_invalid"), (4, "invoice_number", "number_duplicate"),
        (5, "invoice_number", "empty"), (6, "customer_email", "email_invalid")]
    assert "also item 0" in result["errors"][2]["message"]
    assert Invoice.objects.get(company=company, number="RE-2").amount == Invoice.objects.get(number="RE-2").open_amount
    assert str(Invoice.objects.get(number="RE-2").amount) == "250.50"
    assert Customer.objects.get(company=company, number="K1").iban == "DE89370400440532013000"

    again = api.post("/invoices/bulk", {"items": [item("RE-1", "120.00"), item("RE-2", "250.50")]}).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 1, 1)
    assert Invoice.objects.get(number="RE-1").amount == 120
    assert AuditEvent.objects.filter(action="invoices.imported", company=company).count() == 2
    assert AuditEvent.objects.filter(action="api.called", company=company).count() == 2


def test_the_item_errors_speak_the_callers_language(api):
    answer = api.post("/invoices/bulk", {"items": [item("RE-1", "zwölf")]})
    german = api.post("/invoices/bulk", {"items": [item("RE-1", "zwölf")]}, **{"Accept-Language": "de"}).json()
    assert answer.status_code == 200
    assert german["errors"][0]["message"] != answer.json()["errors"][0]["message"]


def test_more_than_10000_items_or_none_are_refused_whole(api):
    assert api.post("/invoices/bulk", {"items": []}).json()["field"] == "items"
    too_many = api.post("/invoices/bulk", {"items": [item(f"RE-{n}") for n in range(10_001)]})
    assert too_many.status_code == 422 and too_many.json()["code"] == "invalid"


def test_a_read_token_cannot_upsert_and_a_member_write_token_can(company, member, make_token, api_client):
    read = api_client(make_token(company, member, "read").secret)
    refused = read.post("/invoices/bulk", {"items": [item("RE-1")]})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    write = api_client(make_token(company, member, "write").secret)
    assert write.post("/invoices/bulk", {"items": [item("RE-1")]}).json()["created"] == 1


def test_invoices_and_customers_are_listed_and_filtered(api, company):
    api.post("/invoices/bulk", {"items": [item(f"RE-{n}", customer=f"K{n % 2}") for n in range(5)]})
    listed = api.get("/invoices", {"limit": 3}).json()
    assert [i["number"] for i in listed["items"]] == ["RE-0", "RE-1", "RE-2"]
    rest = api.get("/invoices", {"limit": 3, "cursor": listed["next_cursor"]}).json()
    assert [i["number"] for i in rest["items"]] == ["RE-3", "RE-4"] and rest["next"] is None
    one = api.get("/invoices", {"number": "RE-3"}).json()["items"][0]
    assert one["amount"] == "100.00" and one["customer_number"] == "K1" and one["status"] == "open"
    assert api.get(f"/invoices/{one['id']}").json()["number"] == "RE-3"
    assert len(api.get("/invoices", {"customer_number": "K0"}).json()["items"]) == 3
    customers = api.get("/customers").json()["items"]
    assert {c["number"] for c in customers} == {"K0", "K1"}
    assert api.get(f"/customers/{customers[0]['id']}").json()["number"] == customers[0]["number"]
    assert api.get("/invoices/999999").json()["code"] == "not_found"


def test_a_body_too_large_to_read_is_422_in_the_error_shape(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    for key in ({}, {"Idempotency-Key": "big"}):
        answer = api.post("/invoices/bulk", {"items": [item(f"RE-{n}") for n in range(20)]}, **key)
        assert answer.status_code == 422 and answer.json()["code"] == "too_large"
