"""Bills through the API: several files uploaded at once, each answered as `import-bill --json`
answers it (a refused file with its reason, not a server error); the list with its filters
and cursor paging; one bill with its flags and the readable e-invoice; the original file byte
for byte; a transfer drafted from a bill, and the services' refusals in the error shape."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kassenwart.banking.models import BankAccount
from kassenwart.payables.models import Bill
from kassenwart.payments.models import PaymentOrder

from einvoices import Spec, cii, girocode_picture, ubl

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SOON = Spec(issue=TODAY, due=TODAY + timedelta(days=30))


@pytest.fixture
def account(company):
    return BankAccount.objects.create(company=company, name="Geschäftskonto", iban="DE89370400440532013000",
                                      bic="COBADEFFXXX", currency="EUR", owner=company.name)


@pytest.fixture
def client(company, member, make_token, api_client):
    return api_client(make_token(company, member, "write").secret)


def upload(client, *files, **headers):
    return client.upload("/bills", {"files": [SimpleUploadedFile(name, data) for name, data in files]}, **headers)


def test_several_files_are_answered_each_with_the_fields_of_the_command(client, company):
    answer = upload(client, ("re.xml", ubl(SOON)), ("again.xml", cii(SOON)),
                    ("bad.xml", ubl(Spec(number="X", overrides={"payable": "1.00"}))), ("code.png", girocode_picture()),
                    ("empty.xml", b""))
    assert answer.status_code == 200, answer.content
    first, again, bad, code, empty = answer.json()["items"]
    bill = Bill.objects.get(company=company, invoice_number="RE-2026-0042")
    assert first == {
        "file": "re.xml", "status": "imported", "supplier": "Bürobedarf Müller GmbH", "iban": "DE02120300000000202051",
        "bic": "BYLADEM1001", "amount": "392.70", "currency": "EUR", "invoice_number": "RE-2026-0042",
        "due_date": (TODAY + timedelta(days=30)).isoformat(), "skonto_date": (TODAY + timedelta(days=14)).isoformat(),
        "skonto_amount": "384.85", "flags": [], "message": "", "kind": "invoice", "id": bill.pk}
    assert (again["status"], again["id"]) == ("duplicate", bill.pk) and "RE-2026-0042" in again["message"]
    assert bad["status"] == "refused" and bad["id"] is None and bad["amount"] is None
    assert "BR-CO-16" in bad["message"] and "cbc:PayableAmount" in bad["message"]
    assert (code["status"], code["invoice_number"], code["amount"]) == ("imported", "Rechnung 4711", "123.45")
    assert empty["status"] == "refused" and "empty" in empty["message"]
    assert Bill.objects.filter(company=company).count() == 2


def test_the_refusal_speaks_the_caller_s_language(client):
    answer = upload(client, ("re.xml", ubl(Spec(number="X", overrides={"payable": "1.00"}))),
                    **{"Accept-Language": "de"})
    assert answer.json()["items"][0]["message"].startswith("abgelehnt")


def test_the_list_filters_by_status_supplier_due_day_and_kind_and_pages_with_cursors(client, company, account):
    upload(client, ("a.xml", ubl(SOON)),
           ("b.xml", ubl(Spec(number="RE-2", issue=TODAY, due=TODAY + timedelta(days=5), terms=""))),
           ("c.xml", cii(Spec(number="RE-3", seller="Druckerei Schmidt KG", seller_vat="DE999999999",
                              due=TODAY + timedelta(days=60)))),
           ("gs.xml", ubl(Spec(credit_note=True, number="GS-1"))))
    client.post(f"/bills/{Bill.objects.get(invoice_number='RE-2').pk}/draft", {"account_id": account.pk})

    def numbers(**filters):
        answer = client.get("/bills", filters)
        assert answer.status_code == 200, answer.content
        return sorted(item["invoice_number"] for item in answer.json()["items"])

    assert numbers() == ["GS-1", "RE-2", "RE-2026-0042", "RE-3"]
    assert numbers(status="open") == ["RE-2026-0042", "RE-3"]
    assert numbers(status="drafted") == ["RE-2"]
    assert numbers(kind="credit_note") == ["GS-1"]
    assert numbers(supplier="schmidt") == ["RE-3"]
    assert numbers(due_by=(TODAY + timedelta(days=30)).isoformat(), kind="invoice") == ["RE-2", "RE-2026-0042"]
    assert client.get("/bills", {"status": "paid-maybe"}).json()["field"] == "status"

    seen, cursor = [], None
    while True:
        answer = client.get("/bills", {"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
        seen += [item["id"] for item in answer["items"]]
        cursor = answer["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(Bill.objects.filter(company=company).values_list("pk", flat=True))


def test_one_bill_shows_its_flags_and_the_readable_e_invoice_and_gives_its_file_unchanged(client, company, account,
                                                                                       member):
    earlier = PaymentOrder.objects.create(company=company, account=account, requested_date=TODAY, created_by=member,
                                          state="booked")
    earlier.transfers.create(drafted_by=member, payee_name="Bürobedarf Müller GmbH", iban="DE75512108001245126199",
                             amount=Decimal("10.00"))
    data = ubl(SOON)
    bill_id = upload(client, ("rechnung.xml", data)).json()["items"][0]["id"]
    bill = client.get(f"/bills/{bill_id}").json()
    assert bill["flags"][0]["code"] == "iban_changed" and "DE75512108001245126199" in bill["flags"][0]["message"]
    assert (bill["amount"], bill["skonto_amount"], bill["skonto_percent"], bill["skonto_days"]) == (
        "392.70", "384.85", "2.00", 14)
    assert (bill["file_name"], bill["file_size"], bill["status"], bill["order_id"]) == (
        "rechnung.xml", len(data), "open", None)
    assert bill["details"]["lines"][0]["name"] == "Papier A4" and bill["details"]["buyer"]["name"] == "Beispiel AG"
    assert bill["details"]["totals"]["payable"] == "392.70"
    listed = client.get("/bills").json()["items"][0]
    assert "details" not in listed and listed["flags"] == bill["flags"]
    original = client.get(f"/bills/{bill_id}/file")
    assert original.status_code == 200 and original.content == data
    assert original["Content-Disposition"] == 'attachment; filename="rechnung.xml"'
    assert client.get("/bills/999999/file").json()["code"] == "not_found"


def test_a_draft_answers_the_order_and_the_services_refusals_in_the_error_shape(client, company, account, other_company):
    items = upload(client, ("a.xml", ubl(SOON)), ("gs.xml", ubl(Spec(credit_note=True, number="GS-1"))),
                   ("noiban.xml", cii(Spec(number="RE-9", iban="")))).json()["items"]
    bill_id, credit_id, no_iban_id = (item["id"] for item in items)
    answer = client.post(f"/bills/{bill_id}/draft", {"account_id": account.pk})
    assert answer.status_code == 201, answer.content
    order = answer.json()
    assert (order["state"], order["account_id"], order["total"]) == ("draft", account.pk, "384.85")
    assert order["transfers"][0]["remittance"] == "RE-2026-0042"
    assert client.get(f"/bills/{bill_id}").json()["order_id"] == order["id"]
    again = client.post(f"/bills/{bill_id}/draft", {"account_id": account.pk})
    assert (again.status_code, again.json()["code"]) == (409, "not_payable")
    credit = client.post(f"/bills/{credit_id}/draft", {"account_id": account.pk})
    assert credit.status_code == 409 and "credit note" in credit.json()["message"]
    assert client.post(f"/bills/{no_iban_id}/draft", {"account_id": account.pk}).json()["code"] == "not_payable"
    theirs = BankAccount.objects.create(company=other_company, name="Their", iban="DE02120300000000202051",
                                        currency="EUR", owner="x")
    refused = client.post(f"/bills/{no_iban_id}/draft", {"account_id": theirs.pk})
    assert (refused.status_code, refused.json()["field"]) == (422, "account_id")
    assert PaymentOrder.objects.filter(company=company).count() == 1


def test_a_read_token_may_read_but_neither_upload_nor_draft(company, member, make_token, api_client, client, account):
    bill_id = upload(client, ("a.xml", ubl(SOON))).json()["items"][0]["id"]
    reader = api_client(make_token(company, member, "read").secret)
    assert reader.get(f"/bills/{bill_id}").status_code == 200
    assert upload(reader, ("b.xml", ubl(Spec(number="RE-2")))).status_code == 403
    assert reader.post(f"/bills/{bill_id}/draft", {"account_id": account.pk}).status_code == 403
