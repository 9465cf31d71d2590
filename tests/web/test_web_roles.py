"""What each role may see and do."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kassenwart.banking.models import StatementImport, Transaction
from kassenwart.web.decorators import company_required

IBAN = "DE89370400440532013000"


def test_member_cannot_see_the_audit_log(member, client_for):
    client = client_for(member)
    assert client.get(reverse("audit_log")).status_code == 403
    assert reverse("audit_log") not in client.get(reverse("home")).content.decode()


def test_admin_sees_the_audit_log(admin, client_for):
    client = client_for(admin)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    assert "company.created" in response.content.decode()
    assert reverse("audit_log") in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("role", ["member", "approver", "admin"])
def test_every_role_may_view_and_upload(role, company, make_user, client_for, db_rows, camt_file):
    user = make_user(company, role)
    client = client_for(user)
    for name in ("home", "transaction_list", "statement_list", "invoice_list"):
        assert client.get(reverse(name)).status_code == 200, name

    account = db_rows.account(company, iban=IBAN)  # every role imports into a known account
    upload = SimpleUploadedFile("juli.xml", camt_file(iban=IBAN))
    response = client.post(reverse("statement_upload"), {"files": [upload]}, follow=True)
    assert response.status_code == 200
    (record,) = response.context["imports"]
    assert (record.status, record.added, record.balance_ok) == (StatementImport.Status.IMPORTED, 1, True)
    assert record.created_by == user and record.company == company
    assert Transaction.objects.get(account=account).counterparty_name == "Kunde Eins GmbH"
    assert "juli.xml" in client.get(reverse("statement_list")).content.decode()


def test_a_user_without_company_gets_403_not_a_crash(db, client_for):
    from kassenwart.companies.services import user_create

    client = client_for(user_create("lonely", "correct horse battery", via="test"))
    response = client.get(reverse("home"))
    assert response.status_code == 403


def test_decorator_refuses_a_permission_the_role_lacks(rf, member, company):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    from kassenwart.companies.models import Membership

    @company_required("approve_payment")
    def view(request):
        return "ran"

    request = rf.get("/x/")
    request.user, request.company = member, company
    request.membership = Membership.objects.get(user=member, company=company)
    with pytest.raises(PermissionDenied):
        view(request)
    request.membership.role = "approver"
    assert view(request) == "ran"
    request.user = AnonymousUser()
    assert view(request).status_code == 302
