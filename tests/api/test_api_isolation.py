"""Every API route, for every role and scope, and across companies.

ROUTES names each operation of the OpenAPI document with the permission it needs (a new route
without a row fails `test_every_route_is_in_the_table`). A token's company's data is all it
ever sees: another company's objects are 404 and absent from every list, and writes land in
the token's own company."""

import io
import json

import pytest
from django.test import Client
from schwifty import IBAN
from statement_samples import camt053

from kassenwart.api.models import ApiToken
from kassenwart.banking.models import Balance, BankAccount, StatementImport, Transaction
from kassenwart.banking.services import statement_import
from kassenwart.companies import permissions
from kassenwart.companies.models import Role
from kassenwart.receivables.models import Customer, Invoice
from kassenwart.receivables.services import invoice_import

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
    for name in ("account_id", "transaction_id", "import_id", "customer_id", "invoice_id"):
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
    return client.post(f"/api/v1{path}", json.dumps({"items": [INVOICE]}), content_type="application/json",
                       headers=headers)


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
        if method != "get":
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
