"""The API token page: an admin makes a token (shown once), sees the list and revokes it; an
approve token needs the second factor entered just before; members never get there."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kassenwart.companies.models import ApiToken, Membership
from kassenwart.core.models import AuditEvent
from kassenwart.web.step_up import SESSION_KEY

from logins import log_in


@pytest.fixture
def admin_client(admin):
    client = log_in(Client(), admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def create(client, membership, scope="read", **more):
    return client.post(reverse("api_token_list"), {"name": "CRM", "user": membership.pk, "scope": scope, **more})


def test_a_token_is_shown_once_works_and_is_revoked(admin_client, admin, company):
    membership = Membership.objects.get(user=admin, company=company)
    page = create(admin_client, membership, expires_days=30)
    assert page.status_code == 200
    secret = re.search(r'id="new-token">(kw_[^<]+)<', page.content.decode()).group(1)
    token = ApiToken.objects.get(company=company)
    assert token.name == "CRM" and token.scope == "read" and token.expires_at is not None
    listed = admin_client.get(reverse("api_token_list")).content.decode()
    assert f"kw_{token.prefix}_" in listed and secret not in listed  # never shown again
    api = Client()
    assert api.get("/api/v1/accounts", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert admin_client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 302
    assert api.get("/api/v1/accounts", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert set(AuditEvent.objects.filter(object_id=str(token.pk), object_type="companies.apitoken")
               .values_list("action", flat=True)) == {"api_token.created", "api_token.revoked"}


def test_an_approve_token_asks_for_the_second_factor_first(admin_client, admin, company):
    membership = Membership.objects.get(user=admin, company=company)
    session = admin_client.session
    del session[SESSION_KEY]  # the code was entered long ago
    session.save()
    answer = create(admin_client, membership, scope="approve")
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("step_up"))
    assert not ApiToken.objects.exists()
    log_in(admin_client, admin)  # the code entered just now
    assert create(admin_client, membership, scope="approve").status_code == 200
    assert ApiToken.objects.get().scope == "approve"


def test_an_approve_token_for_a_member_is_refused_with_a_reason(admin_client, member, company):
    answer = create(admin_client, Membership.objects.get(user=member), scope="approve")
    assert answer.status_code == 400 and b"may not approve payments" in answer.content
    assert not ApiToken.objects.exists()


def test_members_and_other_companies_tokens_stay_out_of_reach(member, company, admin_client, other_company,
                                                             make_user):
    from kassenwart.companies.api_tokens import token_create

    assert log_in(Client(), member).get(reverse("api_token_list")).status_code == 403
    other_admin = make_user(other_company, "admin", "other-admin")
    theirs = token_create(other_company, user=other_admin, name="theirs", scope="read", by=None, via="test").token
    assert "theirs" not in admin_client.get(reverse("api_token_list")).content.decode()
    assert admin_client.post(reverse("api_token_revoke", args=[theirs.pk])).status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
