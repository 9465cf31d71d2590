"""Every API route, for every role and scope, and across companies.

ROUTES names each operation of the OpenAPI document with the permission it needs (a new route
without a row fails `test_every_route_is_in_the_table`). A token's company's data is all it
ever sees: another company's objects are 404 and absent from every list, and writes land in
the token's own company."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from schwifty import IBAN

from kassenwart.banking.models import Balance, BankAccount, StatementImport, Transaction
from kassenwart.banking.services import statement_import
from kassenwart.companies import permissions
from kassenwart.companies.models import ApiToken, Role
from kassenwart.receivables.models import Customer, Invoice
from kassenwart.receivables.services import invoice_import

from einvoices import ubl
from statement_samples import camt053

pytestmark = pytest.mark.django_db

MISSING = 2**62  # an id no row has
ROUTES = {
    ("get", "/accounts"): permissions.VIEW,
    ("get", "/accounts/{account_id}"): permissions.VIEW,
    ("get", "/accounts/{account_id}/balances"): permissions.VIEW,
    ("get", "/transactions"): permissions.VIEW,
    ("get", "/transactions/{transaction_id}"): permissions.VIEW,
    ("get", "/statements"): permissions.VIEW,
    ("post", "/statements"): permissions.IMPORT_STATEMENT,
    ("get", "/statements/{import_id}"): permissions.VIEW,
    ("get", "/customers"): permissions.VIEW,
    ("get", "/customers/{customer_id}"): permissions.VIEW,
    ("get", "/invoices"): permissions.VIEW,
    ("post", "/invoices/bulk"): permissions.IMPORT_INVOICES,
    ("get", "/invoices/{invoice_id}"): permissions.VIEW,
}
INVOICE = {"invoice_number": "RE-1", "customer_number": "K1", "customer_name": "Kunde", "amount": "10.00"}


def call(secret, method, path, ids=None):
    """One call of the route `path` (its {…_id} filled from `ids`, else an id no row has)."""
    for name in ("account_id", "transaction_id", "import_id", "customer_id", "invoice_id", *MORE_IDS):
        path = path.replace("{" + name + "}", str((ids or {}).get(name, MISSING)))
    headers = {"Authorization": f"Bearer {secret}"}
    client = Client()
    if method == "get":
        return client.get(f"/api/v1{path}", headers=headers)
    if path == "/statements":
        statement = io.BytesIO(camt053(iban="DE02120300000000202051"))
        statement.name = "day.xml"
        data = {"file": statement, **({"account_id": ids["account_id"]} if ids else {})}
        return client.post("/api/v1/statements", data, headers=headers)
    if path == "/bills":
        return client.post("/api/v1/bills", {"files": [SimpleUploadedFile("re.xml", ubl())]}, headers=headers)
    return getattr(client, method)(f"/api/v1{path}", json.dumps({"items": [INVOICE]}),
                                   content_type="application/json", headers=headers)


def test_every_route_is_in_the_table():
    document = Client().get("/api/v1/openapi.json").json()
    operations = {(method, path.removeprefix("/api/v1")) for path, ops in document["paths"].items() for method in ops}
    assert operations == set(ROUTES)


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("scope", ApiToken.Scope.values)
def test_each_route_is_allowed_by_the_smaller_of_role_and_scope(company, make_user, make_token, role, scope):
    user = make_user(company, role)
    if scope == ApiToken.Scope.APPROVE and not permissions.allows(role, permissions.APPROVE_PAYMENT):
        return  # such a token cannot be made (test_api_basics)
    secret = make_token(company, user, scope).secret
    rank = ApiToken.Scope.values.index
    for (method, path), permission in ROUTES.items():
        needed = "read" if permission == permissions.VIEW else "approve" if permission == permissions.APPROVE_PAYMENT \
            else "write"
        allowed = permissions.allows(role, permission) and rank(scope) >= rank(needed)
        status = call(secret, method, path).status_code
        assert (status != 403) == allowed, (method, path, role, scope, status)
        assert status < 500


def test_a_removed_member_s_token_does_nothing(company, make_user, make_token):
    from kassenwart.companies.models import Membership

    user = make_user(company, Role.ADMIN)
    secret = make_token(company, user, "write").secret
    Membership.objects.filter(user=user).delete()
    assert call(secret, "get", "/accounts").status_code == 403


@pytest.fixture
def theirs(other_company):
    """Another company's account, balance, statement import, transaction, customer and invoice."""
    result = statement_import(other_company, io.BytesIO(camt053(iban="DE89370400440532013000")), file_name="b.xml",
                              via="test")
    invoice_import(other_company, b"invoice_number,customer_number,customer_name,amount\nRE-1,K1,Their Kunde,99.00\n",
                   via="test")
    account = BankAccount.objects.get(company=other_company)
    return {
        "account_id": account.pk, "import_id": result.import_id,
        "transaction_id": Transaction.objects.get(company=other_company).pk,
        "customer_id": Customer.objects.get(company=other_company).pk,
        "invoice_id": Invoice.objects.get(company=other_company).pk,
        "balance_id": Balance.objects.filter(account=account).first().pk,
    }


def test_another_company_s_objects_are_404_and_in_no_list(company, admin, make_token, theirs, other_company):
    secret = make_token(company, admin, "write").secret
    # our own rows beside theirs, so the lists are not empty by accident
    statement_import(company, io.BytesIO(camt053(iban=str(IBAN.generate("DE", bank_code="10010010",
                                                                            account_code="42")))), file_name="a.xml",
                     via="test")
    invoice_import(company, b"invoice_number,customer_number,customer_name,amount\nRE-2,K2,Unser Kunde,5.00\n",
                   via="test")
    seen_ids = set()
    for (method, path), _permission in ROUTES.items():
        if method != "get" or (method, path) in MORE_ROUTES or (method, path) in BILL_ROUTES:  # tests below
            continue
        answer = call(secret, method, path, theirs)
        if "{" in path:
            assert answer.status_code == 404, (path, answer.content)
            continue
        items = answer.json()["items"]
        assert items, path
        seen_ids |= {(path, item["id"]) for item in items}
    theirs_by_list = {"/accounts": "account_id", "/transactions": "transaction_id", "/statements": "import_id",
                      "/customers": "customer_id", "/invoices": "invoice_id"}
    for path, name in theirs_by_list.items():
        assert (path, theirs[name]) not in seen_ids
    balances = call(secret, "get", "/accounts/{account_id}/balances",
                    {"account_id": BankAccount.objects.get(company=company).pk}).json()["items"]
    assert theirs["balance_id"] not in {b["id"] for b in balances}


def test_writes_land_in_the_token_s_company_only(company, admin, make_token, theirs, other_company):
    secret = make_token(company, admin, "write").secret
    # an invoice number they have: ours is made, theirs is left as it was
    assert call(secret, "post", "/invoices/bulk").json()["created"] == 1
    assert Invoice.objects.get(company=other_company, number="RE-1").amount == 99
    assert Invoice.objects.get(company=company, number="RE-1").customer.company == company
    # their account cannot be named for an upload
    assert call(secret, "post", "/statements", {"account_id": theirs["account_id"]}).status_code == 404
    assert StatementImport.objects.filter(company=other_company).count() == 1
    # an idempotency key of theirs is no key of ours
    theirs_secret = make_token(other_company, other_company.admin, "write").secret
    Client().post("/api/v1/invoices/bulk", json.dumps({"items": [INVOICE]}), content_type="application/json",
                  headers={"Authorization": f"Bearer {theirs_secret}", "Idempotency-Key": "same"})
    ours = Client().post("/api/v1/invoices/bulk", json.dumps({"items": [INVOICE]}), content_type="application/json",
                         headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": "same"})
    assert ours.status_code == 200 and "Idempotent-Replayed" not in ours


# -- api2: reconciliation, payments, mandates, collections, notifications ----------------------
MORE_IDS = ("match_id", "order_id", "mandate_id", "collection_id", "run_id", "endpoint_id", "delivery_id", "bill_id",
            "plan_id")
MORE_ROUTES = {
    ("get", "/reconciliation/payments"): permissions.VIEW,
    ("get", "/reconciliation/payments/{transaction_id}"): permissions.VIEW,
    ("post", "/reconciliation/payments/{transaction_id}/map"): permissions.MAP_TRANSACTION,
    ("post", "/reconciliation/payments/{transaction_id}/accept"): permissions.MAP_TRANSACTION,
    ("post", "/reconciliation/payments/{transaction_id}/reject"): permissions.MAP_TRANSACTION,
    ("post", "/reconciliation/payments/{transaction_id}/ignore"): permissions.MAP_TRANSACTION,
    ("post", "/reconciliation/payments/{transaction_id}/unignore"): permissions.MAP_TRANSACTION,
    ("get", "/reconciliation/matches"): permissions.VIEW,
    ("get", "/reconciliation/matches/{match_id}"): permissions.VIEW,
    ("post", "/reconciliation/matches/{match_id}/undo"): permissions.MAP_TRANSACTION,
    ("post", "/reconciliation/runs"): permissions.MAP_TRANSACTION,
    ("get", "/reconciliation/runs/{run_id}"): permissions.VIEW,
    ("get", "/payments"): permissions.VIEW,
    ("post", "/payments"): permissions.DRAFT_TRANSFER,
    ("post", "/payments/runs"): permissions.DRAFT_TRANSFER,
    ("get", "/payments/{order_id}"): permissions.VIEW,
    ("post", "/payments/{order_id}/submit"): permissions.DRAFT_TRANSFER,
    ("post", "/payments/{order_id}/approve"): permissions.APPROVE_PAYMENT,
    ("post", "/payments/{order_id}/cancel"): permissions.DRAFT_TRANSFER,
    ("post", "/payments/{order_id}/send"): permissions.APPROVE_PAYMENT,
    ("get", "/payments/{order_id}/step"): permissions.VIEW,
    ("post", "/payments/{order_id}/tan"): permissions.APPROVE_PAYMENT,
    ("post", "/payments/{order_id}/payee"): permissions.APPROVE_PAYMENT,
    ("post", "/payments/{order_id}/uploaded"): permissions.APPROVE_PAYMENT,
    ("get", "/payments/{order_id}/pain"): permissions.APPROVE_PAYMENT,
    ("get", "/mandates"): permissions.VIEW,
    ("post", "/mandates"): permissions.MANAGE_MANDATES,
    ("get", "/mandates/{mandate_id}"): permissions.VIEW,
    ("post", "/mandates/{mandate_id}/amend"): permissions.MANAGE_MANDATES,
    ("post", "/mandates/{mandate_id}/revoke"): permissions.MANAGE_MANDATES,
    ("get", "/collections"): permissions.VIEW,
    ("post", "/collections"): permissions.DRAFT_DEBIT,
    ("get", "/collections/{collection_id}"): permissions.VIEW,
    ("get", "/collection-plans"): permissions.VIEW,
    ("post", "/collection-plans"): permissions.DRAFT_DEBIT,
    ("get", "/collection-plans/{plan_id}"): permissions.VIEW,
    ("patch", "/collection-plans/{plan_id}"): permissions.DRAFT_DEBIT,
    ("post", "/collection-plans/{plan_id}/end"): permissions.DRAFT_DEBIT,
    ("get", "/notifications"): permissions.VIEW,
    ("post", "/notifications/read"): permissions.VIEW,
    ("get", "/webhooks/endpoints"): permissions.MANAGE_SETTINGS,
    ("post", "/webhooks/endpoints"): permissions.MANAGE_SETTINGS,
    ("get", "/webhooks/endpoints/{endpoint_id}"): permissions.MANAGE_SETTINGS,
    ("patch", "/webhooks/endpoints/{endpoint_id}"): permissions.MANAGE_SETTINGS,
    ("delete", "/webhooks/endpoints/{endpoint_id}"): permissions.MANAGE_SETTINGS,
    ("post", "/webhooks/endpoints/{endpoint_id}/secret"): permissions.MANAGE_SETTINGS,
    ("get", "/webhooks/deliveries"): permissions.MANAGE_SETTINGS,
    ("get", "/webhooks/deliveries/{delivery_id}"): permissions.MANAGE_SETTINGS,
    ("post", "/webhooks/deliveries/{delivery_id}/replay"): permissions.MANAGE_SETTINGS,
}
ROUTES.update(MORE_ROUTES)


@pytest.fixture
def theirs_more(other_company, debits, approver):
    """Another company's open payment, match, transfer order (exported as a pain file),
    mandate, collection, collection plan, matching run and notification."""
    from datetime import date
    from decimal import Decimal

    from django.utils import timezone

    from kassenwart.core.messages import message
    from kassenwart.notifications.models import Notification
    from kassenwart.notifications.services import notify
    from kassenwart.payments import services
    from kassenwart.payments.models import Collection, CollectionPlan, Mandate, SendAttempt
    from kassenwart.reconciliation.schedule import matching_run_request
    from kassenwart.reconciliation.services import match_create, reconcile_company

    from debit_data import DebitBooks

    invoice_import(other_company, b"invoice_number,customer_number,customer_name,amount\nRT-1,K9,Their Kunde,40.00\n"
                   b"RT-2,K9,Their Kunde,50.00\n", via="test")
    account = BankAccount.objects.create(company=other_company, name="Their Giro", iban="DE89370400440532013000",
                                         currency="EUR", owner=other_company.name)
    source = StatementImport.objects.create(company=other_company, file_name="t", sha256="1", status="imported")
    paid, waiting = (Transaction.objects.create(
        company=other_company, account=account, statement_import=source, booking_date=date(2026, 10, 5),
        amount=Decimal(amount), currency="EUR", counterparty_name="Payer", counterparty_iban="DE02120300000000202051",
        remittance=text, fingerprint=f"{n:040d}", bank_reference=f"T{n}") for n, amount, text in (
        (91, "40.00", "x"), (92, "77.00", "y")))
    reconcile_company(other_company)
    match = match_create(other_company, paid, [(Invoice.objects.get(company=other_company, number="RT-1"),
                                                Decimal("40.00"), Decimal("0"))], user=other_company.admin)
    order = services.order_create(other_company, user=other_company.admin, account=account,
                                  requested_date=timezone.localdate(), transfers=[services.TransferInput(
                                      payee_name="Lieferant", iban="DE02120300000000202051", amount=Decimal("5.00"))])
    books = DebitBooks(other_company, other_company.admin)
    mandate = books.mandate(books.customer())
    collection = Collection.objects.create(company=other_company, mandate=mandate, account=account,
                                           amount=Decimal("9.00"), due_date=date(2026, 11, 2),
                                           drafted_by=other_company.admin)
    plan = CollectionPlan.objects.create(company=other_company, mandate=mandate, account=account,
                                         amount=Decimal("19.00"), day=3, starts_on=date(2026, 11, 1),
                                         remittance="Lizenz", invoice_prefix="LIC-", created_by=other_company.admin)
    SendAttempt.objects.create(order=order, requested_date=timezone.localdate(), delivery="file", outcome="exported",
                               pain=b"<Document>theirs</Document>")
    notify(other_company, Notification.Kind.INFO, message("reconciliation.needs_person", count=1))
    from kassenwart.webhooks.fanout import webhooks_fan_out
    from kassenwart.webhooks.models import Delivery
    from kassenwart.webhooks.services import endpoint_create

    endpoint, _secret = endpoint_create(other_company, url="http://127.0.0.1:9/theirs", events=["payment.matched"],
                                        user=None, via="test")
    match_create(other_company, waiting, [(Invoice.objects.get(company=other_company, number="RT-2"),
                                           Decimal("50.00"), Decimal("0"))], user=other_company.admin)
    webhooks_fan_out()
    return {"endpoint_id": endpoint.pk, "delivery_id": Delivery.objects.filter(endpoint=endpoint).first().pk,
            "transaction_id": waiting.pk, "match_id": match.pk, "order_id": order.pk,
            "mandate_id": Mandate.objects.get(pk=mandate.pk).pk, "collection_id": collection.pk,
            "run_id": matching_run_request(other_company, user=None, via="test"),
            "invoice_id": Invoice.objects.get(company=other_company, number="RT-2").pk, "account_id": account.pk,
            "customer_id": mandate.customer_id, "plan_id": plan.pk,
            "notification_id": Notification.objects.filter(company=other_company).latest("pk").pk}


MORE_LISTS = {"/reconciliation/payments": "transaction_id", "/reconciliation/matches": "match_id",
              "/payments": "order_id", "/mandates": "mandate_id", "/collections": "collection_id",
              "/notifications": "notification_id", "/webhooks/endpoints": "endpoint_id",
              "/webhooks/deliveries": "delivery_id", "/collection-plans": "plan_id"}


def test_another_company_s_payments_matches_orders_mandates_and_runs_are_404_and_in_no_list(
        company, admin, make_token, theirs_more, other_company):
    secret = make_token(company, admin, "approve").secret
    for (method, path), _permission in MORE_ROUTES.items():
        if method == "get":
            answer = call(secret, method, path, theirs_more)
            if "{" in path:
                assert answer.status_code == 404, (path, answer.content)
            else:
                assert theirs_more[MORE_LISTS[path]] not in {i["id"] for i in answer.json()["items"]}, path
    client = Client()
    headers = {"Authorization": f"Bearer {secret}"}

    def post(path, body):
        return client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers)

    tx, match, order = theirs_more["transaction_id"], theirs_more["match_id"], theirs_more["order_id"]
    assert post(f"/reconciliation/payments/{tx}/ignore", {"reason": "x"}).status_code == 404
    assert post(f"/reconciliation/payments/{tx}/map", {"allocations": [
        {"invoice_id": theirs_more["invoice_id"], "amount": "1.00"}]}).status_code == 404
    assert post(f"/reconciliation/matches/{match}/undo", {}).status_code == 404
    assert post(f"/webhooks/deliveries/{theirs_more['delivery_id']}/replay", {}).status_code == 404
    assert post(f"/webhooks/endpoints/{theirs_more['endpoint_id']}/secret", {}).status_code == 404
    assert client.delete(f"/api/v1/webhooks/endpoints/{theirs_more['endpoint_id']}", headers=headers
                         ).status_code == 404
    for step, body in (("submit", {}), ("approve", {}), ("cancel", {}), ("send", {}), ("tan", {"tan": "1"}),
                       ("payee", {"confirm": True}), ("uploaded", {})):
        assert post(f"/payments/{order}/{step}", body).status_code == 404, step
    mandate, plan = theirs_more["mandate_id"], theirs_more["plan_id"]
    assert post(f"/mandates/{mandate}/amend", {"reference": "MINE-1"}).status_code == 404
    assert post(f"/mandates/{mandate}/revoke", {}).status_code == 404
    assert post(f"/collection-plans/{plan}/end", {}).status_code == 404
    assert client.patch(f"/api/v1/collection-plans/{plan}", json.dumps({"amount": "1.00"}),
                        content_type="application/json", headers=headers).status_code == 404
    # their invoices, accounts and customers cannot be named in our writes
    assert post("/payments", {"account_id": theirs_more["account_id"], "requested_date": "2030-01-02",
                              "transfers": [{"payee_name": "X", "iban": "DE02120300000000202051",
                                             "amount": "1.00"}]}).json()["field"] == "account_id"
    assert post("/mandates", {"customer_id": theirs_more["customer_id"], "reference": "M-1", "signed_on": "2026-01-02",
                              "debtor_name": "X", "iban": "DE02120300000000202051"}).json()["field"] == "customer_id"
    assert post("/collections", {"invoice_id": theirs_more["invoice_id"], "mandate_id": theirs_more["mandate_id"],
                                 "account_id": theirs_more["account_id"], "due_date": "2030-01-02"}
                ).json()["field"] == "invoice_id"
    assert post("/collection-plans", {"mandate_id": mandate, "account_id": theirs_more["account_id"], "amount": "5.00",
                                      "interval": "monthly", "day": 1, "starts_on": "2030-01-02", "remittance": "x",
                                      "invoice_prefix": "X-"}).json()["field"] == "mandate_id"
    # marking all read marks none of theirs
    post("/notifications/read", {})
    from kassenwart.notifications.models import Notification

    assert Notification.objects.get(pk=theirs_more["notification_id"]).read_at is None
    from decimal import Decimal

    from kassenwart.payments.models import CollectionPlan, Mandate, PaymentOrder
    from kassenwart.reconciliation.models import Match

    assert PaymentOrder.objects.get(pk=order).state == "draft" and Match.objects.get(pk=match).undone_at is None
    assert Mandate.objects.get(pk=mandate).state == "active" and CollectionPlan.objects.get(pk=plan).active
    assert CollectionPlan.objects.get(pk=plan).amount == Decimal("19.00")


# -- bills -------------------------------------------------------------------------------------
BILL_ROUTES = {
    ("post", "/bills"): permissions.DRAFT_TRANSFER,
    ("get", "/bills"): permissions.VIEW,
    ("get", "/bills/{bill_id}"): permissions.VIEW,
    ("get", "/bills/{bill_id}/file"): permissions.VIEW,
    ("post", "/bills/{bill_id}/draft"): permissions.DRAFT_TRANSFER,
}
ROUTES.update(BILL_ROUTES)


def test_another_company_s_bills_are_404_and_in_no_list_and_not_drafted(company, admin, make_token, other_company):
    from kassenwart.flows.bills import bill_import
    from kassenwart.payables.models import Bill

    from einvoices import Spec

    theirs = bill_import(other_company, ubl(), file_name="theirs.xml", user=None, via="test").bill
    ours = bill_import(company, ubl(Spec(number="RE-OURS")), file_name="ours.xml", user=None, via="test").bill
    account = BankAccount.objects.create(company=company, name="Giro", iban="DE89370400440532013000",
                                         currency="EUR", owner=company.name)
    secret = make_token(company, admin, "write").secret
    for (method, path), _permission in BILL_ROUTES.items():
        if method == "get" and "{" in path:
            assert call(secret, method, path, {"bill_id": theirs.pk}).status_code == 404, path
    listed = {item["id"] for item in call(secret, "get", "/bills").json()["items"]}
    assert listed == {ours.pk}
    answer = Client().post(f"/api/v1/bills/{theirs.pk}/draft", json.dumps({"account_id": account.pk}),
                           content_type="application/json", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 404
    # the same invoice as theirs is a new bill of ours, not a duplicate of theirs
    assert call(secret, "post", "/bills").json()["items"][0]["status"] == "imported"
    assert Bill.objects.get(pk=theirs.pk).status == "open" and Bill.objects.filter(company=other_company).count() == 1
