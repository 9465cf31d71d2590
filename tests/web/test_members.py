"""Admins manage the company's users; nobody else can, and the last admin stays."""

import pytest
from django.test import Client
from django.urls import reverse

from kassenwart.companies.models import Membership
from kassenwart.core.models import AuditEvent

from logins import log_in


@pytest.fixture
def admin_client(client, admin):
    log_in(client, admin)
    return client


@pytest.mark.parametrize("language", ["de", "en"])
def test_admin_adds_a_new_user_who_can_log_in(admin_client, company, language):
    response = admin_client.post(reverse("member_list"), {"username": "berta", "role": "approver"}, follow=True,
                                 headers={"accept-language": language})
    assert response.wsgi_request.LANGUAGE_CODE == language
    [message] = [str(m) for m in response.context["messages"]]
    password = message.rsplit(" ", 1)[-1]  # in either language the message ends with the password
    assert password in response.content.decode()
    membership = Membership.objects.get(company=company, user__username="berta")
    assert membership.role == "approver"
    created = AuditEvent.objects.get(action="user.created", after__username="berta")
    assert password not in str(created.after)
    # the password shown is the one that logs berta in (through the login page, as she would)
    berta = Client()
    login = berta.post(reverse("login"), {"username": "berta", "password": password})
    assert login.status_code == 302 and berta.session["_auth_user_id"] == str(membership.user_id)
    assert Client().post(reverse("login"), {"username": "berta", "password": password[:-1]}).status_code == 200


def test_admin_changes_role_and_removes(admin_client, company, member):
    membership = Membership.objects.get(company=company, user=member)
    admin_client.post(reverse("member_change", args=[membership.pk]), {"role": "approver"})
    membership.refresh_from_db()
    assert membership.role == "approver"
    admin_client.post(reverse("member_change", args=[membership.pk]), {"action": "remove"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="membership.removed").exists()


def test_the_last_admin_cannot_be_demoted_or_removed(admin_client, company, admin):
    own = Membership.objects.get(company=company, user=admin)
    admin_client.post(reverse("member_change", args=[own.pk]), {"role": "member"})
    admin_client.post(reverse("member_change", args=[own.pk]), {"action": "remove"})
    own.refresh_from_db()
    assert own.role == "admin"


def test_members_and_approvers_cannot_manage_users(client, company, member, make_user):
    approver = make_user(company, "approver")
    for user in (member, approver):
        log_in(client, user)
        assert client.get(reverse("member_list")).status_code == 403
        target = Membership.objects.get(company=company, user=member)
        assert client.post(reverse("member_change", args=[target.pk]), {"role": "admin"}).status_code == 403
    assert Membership.objects.get(company=company, user=member).role == "member"


def test_memberships_of_another_company_are_404(admin_client, make_user):
    from kassenwart.companies.services import company_create

    other = company_create("Fremd GmbH", via="test")
    stranger = make_user(other, "member", "stranger")
    foreign = Membership.objects.get(company=other, user=stranger)
    assert admin_client.post(reverse("member_change", args=[foreign.pk]), {"role": "admin"}).status_code == 404
