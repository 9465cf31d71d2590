"""Time-limited support access: an admin lets a named support user into the company for some
hours, read-only unless full access is given; every member sees a notice while it runs; it
can be ended early, ends by itself, and what support does is audited under its name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kassenwart.companies import two_factor
from kassenwart.companies.models import SupportGrant
from kassenwart.companies.support import SupportAccessError, support_grant, support_revoke
from kassenwart.core.models import AuditEvent, User
from kassenwart.web.step_up import SESSION_KEY

from logins import log_in, totp_code


@pytest.fixture
def helper(db):
    """Someone of the vendor's support: a user of this installation, member of no company."""
    return User.objects.create_user("sam-support", password="correct horse battery")


@pytest.fixture
def english_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def grant_by_page(client, admin, **fields):
    log_in(client, admin)
    return client.post(reverse("support_access"), {"username": "sam-support", "hours": 4, **fields})


def test_an_admin_grants_read_only_access_and_every_member_sees_it(company, admin, member, helper, english_client):
    answer = grant_by_page(english_client, admin)
    assert answer.status_code == 302
    grant = SupportGrant.objects.get()
    assert (grant.company, grant.user, grant.full_access, grant.granted_by) == (company, helper, False, admin)
    assert timedelta(hours=3, minutes=59) < grant.ends_at - timezone.now() <= timedelta(hours=4)
    granted = AuditEvent.objects.get(action="support.granted")
    assert (granted.actor_label, granted.after["user"], granted.after["full_access"]) == (admin.username, "sam-support", False)

    log_in(english_client, member)
    page = english_client.get(reverse("home")).content.decode()
    assert "Support access: sam-support can see this company's data (read-only) until" in page


def test_read_only_support_sees_the_pages_and_changes_nothing(company, admin, helper, english_client, db_rows):
    support_grant(company, "sam-support", 2, by=admin)
    account = db_rows.account(company)
    log_in(english_client, helper, with_app=True)
    for url in (reverse("home"), reverse("account_detail", args=[account.pk]), reverse("member_list"),
                reverse("audit_log")):
        assert english_client.get(url).status_code == 200, url
    assert english_client.post(reverse("dashboard_customize"), {}).status_code == 403
    assert english_client.post(reverse("member_list"), {"username": "mallory", "role": "admin"}).status_code == 403
    assert not User.objects.filter(username="mallory").exists()
    assert english_client.post(reverse("support_access"), {"username": "sam-support", "hours": 9}).status_code == 403
    # Their own session is theirs to end.
    assert english_client.post(reverse("logout")).status_code == 302
    opened = AuditEvent.objects.get(action="support.opened")
    assert (opened.company, opened.actor, opened.actor_label) == (company, helper, "sam-support")


def test_full_access_changes_are_audited_with_the_support_users_name(company, admin, helper, english_client,
                                                                    db_rows):
    payment = db_rows.transaction(db_rows.account(company), "50.00")
    grant_by_page(english_client, admin, full_access="on")
    log_in(english_client, helper, with_app=True)
    answer = english_client.post(reverse("reconciliation_ignore", args=[payment.pk]), {"reason": "Darlehen"})
    assert answer.status_code == 302
    ignored = AuditEvent.objects.get(action="transaction.ignored")
    assert (ignored.company, ignored.actor, ignored.actor_label) == (company, helper, "sam-support")
    # Support never changes who belongs to the company or who has support access: it could
    # make itself a member and stay.
    assert english_client.post(reverse("member_list"), {"username": "sam-support", "role": "admin"}).status_code == 403
    assert not company.memberships.filter(user=helper).exists()
    assert english_client.get(reverse("support_access")).status_code == 403
    # Nor the company's two-factor rule: it would weaken every member's login.
    company.require_two_factor = True
    company.save(update_fields=["require_two_factor"])
    assert english_client.post(reverse("company_two_factor"), {}).status_code == 403
    company.refresh_from_db()
    assert company.require_two_factor


def test_access_ends_by_itself_at_its_end(company, admin, helper, english_client):
    grant = support_grant(company, "sam-support", 1, by=admin)
    log_in(english_client, helper, with_app=True)
    assert english_client.get(reverse("home")).status_code == 200
    # As if the hour had passed: no job switches it off, the next request finds it over.
    SupportGrant.objects.filter(pk=grant.pk).update(starts_at=grant.starts_at - timedelta(hours=2),
                                                    ends_at=timezone.now() - timedelta(seconds=1))
    assert english_client.get(reverse("home")).status_code == 403
    log_in(english_client, admin)
    page = english_client.get(reverse("home")).content.decode()
    assert "Support access" not in page


def test_an_admin_ends_it_early(company, admin, helper, english_client):
    grant = support_grant(company, "sam-support", 8, by=admin)
    log_in(english_client, admin)
    answer = english_client.post(reverse("support_end", args=[grant.pk]), follow=True)
    assert "Support access of sam-support ended." in answer.content.decode()
    grant.refresh_from_db()
    assert grant.revoked_by == admin and grant.revoked_at is not None
    assert AuditEvent.objects.filter(action="support.revoked", actor=admin).count() == 1
    again = english_client.post(reverse("support_end", args=[grant.pk]), follow=True)
    assert "This support access has ended already." in again.content.decode()
    log_in(english_client, helper, with_app=True)
    assert english_client.get(reverse("home")).status_code == 403


@pytest.mark.parametrize(("username", "hours", "says"), [
    ("nobody", 4, "There is no user nobody."),
    ("member-{pk}", 4, "is a member already"),
    ("sam-support", 0, "from 1 to 168 hours"),
    ("sam-support", 169, "from 1 to 168 hours"),
])
def test_grants_that_are_refused(company, admin, member, helper, username, hours, says):
    with pytest.raises(SupportAccessError, match=says):
        support_grant(company, username.format(pk=company.pk), hours, by=admin)


def test_one_running_grant_per_support_user(company, admin, helper):
    support_grant(company, "sam-support", 4, by=admin)
    with pytest.raises(SupportAccessError, match="revoke it first"):
        support_grant(company, "sam-support", 4, by=admin, full_access=True)


def test_read_only_support_logs_in_with_password_and_app_code(company, admin, helper, english_client):
    """The code step is the support user's own login, not a change to the company: allowed."""
    support_grant(company, "sam-support", 2, by=admin)
    key = two_factor.authenticator_key(two_factor.authenticator_issue(helper, via="test"))
    english_client.post(reverse("login"), {"username": "sam-support", "password": "correct horse battery"})
    assert english_client.post(reverse("login_code"), {"code": totp_code(key)}).status_code == 302
    assert english_client.get(reverse("home")).status_code == 200


def test_granting_asks_for_the_code_again(company, admin, helper, english_client):
    log_in(english_client, admin)
    session = english_client.session
    del session[SESSION_KEY]
    session.save()
    answer = english_client.post(reverse("support_access"), {"username": "sam-support", "hours": 4, "full_access": "on"})
    assert answer["Location"].startswith(reverse("step_up"))
    assert not SupportGrant.objects.exists()


def test_only_an_admin_grants_or_ends_support_access(company, admin, member, helper):
    with pytest.raises(SupportAccessError, match="Only an admin"):
        support_grant(company, "sam-support", 4, by=member)
    full = support_grant(company, "sam-support", 4, by=admin, full_access=True)
    with pytest.raises(SupportAccessError, match="Only an admin"):
        support_revoke(company, full.pk, by=helper)  # support with full access acts as an admin, not here
    assert SupportGrant.objects.running().filter(pk=full.pk).exists()
