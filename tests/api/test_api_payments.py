"""Payment orders, mandates and collections through the API: a draft checked as the bank
would, submit, approval by another person (four eyes held by the services), cancel, a run;
a mandate recorded under the creditor id; a debit of an open invoice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kassenwart.banking.models import BankAccount
from kassenwart.core.business_days import is_business_day
from kassenwart.payments.models import PaymentOrder, Transfer

from debit_data import CREDITOR_ID

pytestmark = pytest.mark.django_db

SUPPLIER = {"payee_name": "Lieferant AG", "iban": "DE89370400440532013000", "amount": "250.00",
            "remittance": "Rechnung ER-77"}


@pytest.fixture
def account(company):
    return BankAccount.objects.create(company=company, name="Giro", iban="DE02120300000000202051", currency="EUR",
                                      owner=company.name)


@pytest.fixture
def clients(company, member, approver, make_token, api_client):
    """Write tokens of a member and an approver, and the approver's approve token."""
    return (api_client(make_token(company, member, "write").secret),
            api_client(make_token(company, approver, "approve").secret),
            api_client(make_token(company, approver, "write").secret))


def draft(client, account, *transfers, **fields):
    return client.post("/payments", {"account_id": account.pk, "requested_date": timezone.localdate().isoformat(),
                                      "transfers": list(transfers) or [SUPPLIER], **fields})


def test_a_draft_is_submitted_and_approved_by_another_person(clients, account):
    member, approving, approver_write = clients
    made = draft(member, account)
    assert made.status_code == 201, made.content
    order = made.json()
    assert (order["state"], order["kind"], order["delivery"], order["total"], order["payment_count"]) == (
        "draft", "transfer", "file", "250.00", 1)
    assert order["transfers"][0]["iban"] == "DE89370400440532013000"
    assert approver_write.post(f"/payments/{order['id']}/approve").status_code == 403  # a write token
    submitted = member.post(f"/payments/{order['id']}/submit")
    assert submitted.json()["state"] == "pending_approval"
    assert member.post(f"/payments/{order['id']}/submit").json()["code"] == "state_changed"
    approved = approving.post(f"/payments/{order['id']}/approve")
    assert approved.status_code == 200, approved.content
    assert (approved.json()["state"], approved.json()["approved_by"]) == ("approved", "approver")
    assert [o["id"] for o in member.get("/payments", {"state": "approved"}).json()["items"]] == [order["id"]]
    assert member.get(f"/payments/{order['id']}").json()["state"] == "approved"


def test_who_drafted_it_cannot_approve_it(clients, account):
    _member, approving, approver_write = clients
    order = draft(approver_write, account).json()
    approver_write.post(f"/payments/{order['id']}/submit")
    refused = approving.post(f"/payments/{order['id']}/approve")
    assert (refused.status_code, refused.json()["code"]) == (403, "four_eyes")
    assert PaymentOrder.objects.get(pk=order["id"]).state == "pending_approval"


def test_a_draft_the_bank_would_refuse_names_the_field_and_a_cancel_ends_it(clients, account):
    member, _approving, _write = clients
    wrong = draft(member, account, {**SUPPLIER, "iban": "DE00370400440532013000"})
    assert wrong.status_code == 422 and (wrong.json()["code"], wrong.json()["field"]) == ("iban_invalid",
                                                                                          "transfers.0.iban")
    assert draft(member, account, account_id=999999).json()["field"] == "account_id"
    order = draft(member, account).json()
    cancelled = member.post(f"/payments/{order['id']}/cancel", {"reason": "doppelt"})
    assert cancelled.json()["state"] == "cancelled"
    assert member.post(f"/payments/{order['id']}/cancel", {}).status_code == 409


def test_two_drafts_become_one_run_released_at_once_by_an_approver(clients, account):
    member, approving, _write = clients
    first = draft(member, account).json()
    second = draft(member, account, {**SUPPLIER, "amount": "99.50"}).json()
    refused = member.post("/payments/runs", {"order_ids": [first["id"], second["id"]], "approve": True})
    assert refused.status_code == 403  # a write token does not approve
    run = approving.post("/payments/runs", {"order_ids": [first["id"], second["id"]], "approve": True})
    assert run.status_code == 201, run.content
    assert (run.json()["kind"], run.json()["state"], run.json()["total"]) == ("run", "approved", "349.50")
    assert Transfer.objects.filter(order_id=run.json()["id"]).count() == 2
    assert {o["id"] for o in member.get("/payments").json()["items"]} == {run.json()["id"]}
    alone = member.post("/payments/runs", {"order_ids": [draft(member, account).json()["id"]]})
    assert (alone.status_code, alone.json()["code"]) == (422, "run_too_small")


def _business_day(ahead: int):
    day = timezone.localdate() + timedelta(days=ahead)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def test_a_mandate_is_recorded_and_an_open_invoice_collected_under_it(company, debits, drafter, make_token,
                                                                      api_client):
    client = api_client(make_token(company, drafter, "write").secret)
    customer = debits.customer()
    body = {"customer_id": customer.pk, "reference": "MND-API-1", "signed_on": "2026-01-15",
            "debtor_name": customer.name, "iban": "DE89 3704 0044 0532 0130 00"}
    made = client.post("/mandates", body)
    assert made.status_code == 201, made.content
    mandate = made.json()
    assert (mandate["creditor_id"], mandate["iban"], mandate["state"], mandate["customer_number"]) == (
        CREDITOR_ID, "DE89370400440532013000", "active", customer.number)
    taken = client.post("/mandates", body)
    assert taken.status_code == 422 and taken.json()["field"] == "reference"
    assert [m["id"] for m in client.get("/mandates", {"customer_id": customer.pk}).json()["items"]] == [mandate["id"]]
    assert client.get(f"/mandates/{mandate['id']}").json()["reference"] == "MND-API-1"

    invoice = debits.invoice(customer, "RE-API-1", "120.00")
    account = debits.account()
    due = _business_day(20)
    collected = client.post("/collections", {"invoice_id": invoice.pk, "mandate_id": mandate["id"],
                                             "account_id": account.pk, "due_date": due.isoformat()})
    assert collected.status_code == 201, collected.content
    assert (collected.json()["amount"], collected.json()["state"], collected.json()["due_date"]) == (
        "120.00", "planned", due.isoformat())
    again = client.post("/collections", {"invoice_id": invoice.pk, "mandate_id": mandate["id"],
                                         "account_id": account.pk, "due_date": due.isoformat()})
    assert again.status_code == 422 and again.json()["code"] == "invoice_collecting"
    assert [c["id"] for c in client.get("/collections", {"invoice_id": invoice.pk}).json()["items"]] == [
        collected.json()["id"]]
    assert client.get(f"/collections/{collected.json()['id']}").json()["mandate_id"] == mandate["id"]


def test_a_read_token_cannot_draft_or_record(company, member, make_token, api_client, account):
    read = api_client(make_token(company, member, "read").secret)
    assert draft(read, account).status_code == 403
    assert read.post("/mandates", {}).status_code in (403, 422)
    assert read.get("/payments").status_code == 200


def test_a_sepa_rule_problem_is_worded_in_the_caller_s_language(company, member, make_token, api_client, account):
    secret = make_token(company, member, "write").secret
    wrong = {**SUPPLIER, "iban": "DE00370400440532013000"}
    english = draft(api_client(secret, "en"), account, wrong).json()
    german = draft(api_client(secret, "de"), account, wrong).json()
    assert english["code"] == german["code"] == "iban_invalid"
    assert english["message"] == "DE00370400440532013000 is not a valid IBAN (check the digits)."
    assert german["message"] == "DE00370400440532013000 ist keine gültige IBAN (prüfen Sie die Ziffern)."
    charset = draft(api_client(secret, "de"), account, {**SUPPLIER, "remittance": "Rechnung Ω 1"}).json()
    assert (charset["code"], charset["field"]) == ("remittance_charset", "transfers.0.remittance")
    assert charset["message"] == "Enthält Zeichen, die Banken nicht übertragen können: Ω."


def test_a_mandate_s_problem_is_worded_in_german_too(company, debits, drafter, make_token, api_client):
    secret = make_token(company, drafter, "write").secret
    customer = debits.customer()
    body = {"customer_id": customer.pk, "reference": "MND//1", "signed_on": "2026-01-15", "debtor_name": customer.name,
            "iban": "DE89370400440532013000"}
    english = api_client(secret, "en").post("/mandates", body).json()
    german = api_client(secret, "de").post("/mandates", body).json()
    assert (english["code"], english["field"]) == (german["code"], german["field"]) == ("reference_slash", "reference")
    assert english["message"] == "The mandate reference must not start or end with / nor contain //."
    assert german["message"] != english["message"] and "Mandatsreferenz" in german["message"]


# -- the pain file ---------------------------------------------------------------------------
def test_the_exported_pain_file_downloads_byte_for_byte(clients, account, company, member, make_token, api_client):
    from kassenwart.payments import selectors
    from kassenwart.payments.models import SendAttempt

    member_write, approving, approver_write = clients
    order = draft(member_write, account).json()
    member_write.post(f"/payments/{order['id']}/submit")
    assert approving.get(f"/payments/{order['id']}/pain").status_code == 404  # not written yet
    approving.post(f"/payments/{order['id']}/approve")
    sent = approving.post(f"/payments/{order['id']}/send")
    assert (sent.status_code, sent.json()["state"]) == (200, "exported"), sent.content
    pain = approving.get(f"/payments/{order['id']}/pain")
    assert pain.status_code == 200 and pain["Content-Type"] == "application/xml"
    exported = PaymentOrder.objects.get(pk=order["id"])
    attempt = SendAttempt.objects.get(order=exported)
    assert pain.content == bytes(attempt.pain) and b"pain.001" in pain.content
    name = selectors.latest_pain(exported).name
    assert name.endswith(".xml") and pain["Content-Disposition"] == f'attachment; filename="{name}"'
    # the web's rule: who may send it (an approve token), not who drafts
    assert member_write.get(f"/payments/{order['id']}/pain").status_code == 403
    assert approver_write.get(f"/payments/{order['id']}/pain").status_code == 403
