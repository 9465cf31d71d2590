"""Statement upload through the API (the web's import) and the transactions it booked, with
filters and `since` for an incremental sync."""

import io

import pytest

from kassenwart.banking.models import Transaction
from kassenwart.reconciliation.models import TransactionState

from statement_samples import camt053

pytestmark = pytest.mark.django_db

ENTRIES = (
    ("100.00", "CRDT", "Kunde Eins GmbH", "DE12500105170648489890", "RE-1"),
    ("25.50", "DBIT", "Lieferant AG", "DE89370400440532013000", "Miete"),
    ("300.00", "CRDT", "Kunde Zwei OHG", "DE12500105170648489890", "RE-2"),
)


def upload(api, data: bytes, name="day.xml", **headers):
    return api.upload("/statements", {"file": _named(data, name)}, **headers)


def _named(data: bytes, name: str):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_an_uploaded_statement_is_imported_and_its_transactions_listed(api, company):
    answer = upload(api, camt053(iban="DE02120300000000202051", entries=ENTRIES))
    assert answer.status_code == 200, answer.content
    result = answer.json()
    assert (result["status"], result["added"], result["balance_ok"], result["file_name"]) == ("imported", 3, True,
                                                                                              "day.xml")
    assert api.upload("/statements", {"file": _named(b"not a statement", "x.txt")}).json()["status"] == "refused"
    again = upload(api, camt053(iban="DE02120300000000202051", entries=ENTRIES)).json()
    assert again["status"] == "duplicate" and again["added"] == 0
    assert [s["id"] for s in api.get("/statements").json()["items"]][0] == result["id"]
    assert api.get(f"/statements/{result['id']}").json()["added"] == 3

    listed = api.get("/transactions").json()["items"]
    assert [t["amount"] for t in listed] == ["100.00", "-25.50", "300.00"]
    assert listed[0]["counterparty_name"] == "Kunde Eins GmbH" and listed[0]["statement_import_id"] == result["id"]
    assert [t["amount"] for t in api.get("/transactions", {"direction": "credit"}).json()["items"]] == ["100.00",
                                                                                                       "300.00"]
    assert [t["amount"] for t in api.get("/transactions", {"amount_min": "-30", "amount_max": "150"}).json()
            ["items"]] == ["100.00", "-25.50"]
    assert api.get("/transactions", {"date_from": "2026-07-22"}).json()["items"] == []
    assert api.get(f"/transactions/{listed[1]['id']}").json()["remittance"] == "Miete"


def test_since_gives_only_what_came_after_and_matched_filters_by_reconciliation(api, company):
    upload(api, camt053(iban="DE02120300000000202051", entries=ENTRIES[:2]))
    seen = api.get("/transactions").json()["items"]
    upload(api, camt053(iban="DE02120300000000202051", entries=ENTRIES[2:], statement_id="2", opening="1074.50"))
    newer = api.get("/transactions", {"since": seen[-1]["id"]}).json()["items"]
    assert [t["amount"] for t in newer] == ["300.00"]
    by_time = api.get("/transactions", {"since": "2000-01-01T00:00:00+00:00"}).json()["items"]
    assert len(by_time) == 3
    assert api.get("/transactions", {"since": "yesterday"}).json()["field"] == "since"

    first = Transaction.objects.get(pk=seen[0]["id"])
    TransactionState.objects.update_or_create(transaction=first, defaults={"company": company,
                                                                           "status": TransactionState.Status.MATCHED})
    matched = api.get("/transactions", {"matched": "true"}).json()["items"]
    assert [t["id"] for t in matched] == [first.pk] and matched[0]["reconciliation_status"] == "matched"
    assert first.pk not in [t["id"] for t in api.get("/transactions", {"matched": "false"}).json()["items"]]


def test_a_read_token_cannot_upload(company, member, make_token, api_client):
    read = api_client(make_token(company, member, "read").secret)
    assert upload(read, camt053()).status_code == 403
