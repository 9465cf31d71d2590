"""Two-factor login, step-up, throttling and passwords through the pages (Django's test client)."""

import re
import time

import pytest
from django.core import mail
from django.urls import reverse

from kassenwart.companies import two_factor
from kassenwart.companies.login_throttle import USER_LIMIT
from kassenwart.companies.models import LoginThrottle, Membership
from kassenwart.core.models import AuditEvent
from kassenwart.notifications.models import Notification
from kassenwart.web.step_up import SESSION_KEY

from logins import log_in, totp_code

PASSWORD = "correct horse battery"


def _password(client, user, password=PASSWORD, **headers):
    return client.post(reverse("login"), {"username": user.username, "password": password},
                       HTTP_ACCEPT_LANGUAGE="en", **headers)


def _code_for(user, at=None):
    return totp_code(two_factor.authenticator_key(two_factor.authenticator_of(user)), at)


@pytest.fixture
def approver(company, make_user):
    return make_user(company, "approver")


def test_an_approvers_password_alone_reaches_no_page(client, approver):
    assert _password(client, approver).status_code == 302
    for name in ("home", "payment_list", "transaction_list", "security", "notification_list"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_setup")), name


def test_setting_up_the_app_shows_qr_and_key_and_recovery_codes_once(client, approver):
    _password(client, approver)
    page = client.get(reverse("two_factor_setup"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<svg" in page
    device = two_factor.TotpDevice.objects.get(user=approver, confirmed=False)
    secret = two_factor.authenticator_secret(device)
    assert secret in page and "seal" not in secret
    assert bytes(device.sealed_key).find(two_factor.authenticator_key(device)) == -1  # sealed at rest
    wrong = client.post(reverse("two_factor_setup"), {"code": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "This code is not right" in wrong.content.decode()
    done = client.post(reverse("two_factor_setup"), {"code": totp_code(two_factor.authenticator_key(device))},
                       HTTP_ACCEPT_LANGUAGE="en")
    codes = re.findall(r"<li><code>([^<]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert client.get(reverse("home")).status_code == 200
    stored = set(two_factor.RecoveryCode.objects.filter(device__user=approver).values_list("digest", flat=True))
    assert not any(code in digest for code in codes for digest in stored)
    assert AuditEvent.objects.filter(action="two_factor.enabled", actor=approver).exists()


def test_with_the_app_the_code_follows_the_password_and_works_once(client, approver):
    two_factor.authenticator_issue(approver, via="test")
    _password(client, approver)
    assert client.get(reverse("home"))["Location"].startswith(reverse("login_code"))
    code = _code_for(approver)
    assert client.post(reverse("login_code"), {"code": code}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.logout()
    _password(client, approver)
    again = client.post(reverse("login_code"), {"code": code}, HTTP_ACCEPT_LANGUAGE="en")
    assert "was used already" in again.content.decode()  # the same code, a second time
    assert client.get(reverse("home")).status_code == 302


def test_a_recovery_code_logs_in_once(client, approver):
    device = two_factor.authenticator_start(approver)
    codes = two_factor.authenticator_confirm(device, totp_code(two_factor.authenticator_key(device)))
    _password(client, approver)
    assert client.post(reverse("login_code"), {"code": codes[3].upper()}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert two_factor.recovery_codes_left(approver) == 9
    client.logout()
    _password(client, approver)
    assert client.post(reverse("login_code"), {"code": codes[3]}).status_code == 200  # refused
    assert AuditEvent.objects.filter(action="two_factor.recovery_code_used").count() == 1


def test_a_member_logs_in_with_the_password_unless_the_company_asks_for_more(client, company, member, admin):
    _password(client, member)
    assert client.get(reverse("home")).status_code == 200
    client.logout()
    two_factor.company_two_factor_set(company, True, by=admin)
    _password(client, member)
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_setup"))
    assert AuditEvent.objects.filter(action="company.two_factor_changed").count() == 1


@pytest.fixture
def pending(company, member, connection):
    """A transfer a member drafted and submitted, waiting for an approver."""
    from decimal import Decimal

    from django.utils import timezone

    from kassenwart.banking import fints
    from kassenwart.banking.models import BankAccount
    from kassenwart.payments import services
    from kassenwart.sandbox.scenarios import SUPPLIERS

    fints.connection_sync(connection)
    account = BankAccount.objects.filter(connection=connection).order_by("pk").first()
    transfer = services.TransferInput(payee_name=SUPPLIERS[0].name, iban=SUPPLIERS[0].iban, amount=Decimal("12.50"))
    order = services.order_create(company, user=member, account=account, requested_date=timezone.localdate(),
                                  transfers=[transfer])
    services.order_submit(order, user=member)
    return order


def test_approving_asks_for_the_code_again_after_ten_minutes(client, approver, pending):
    order = pending
    log_in(client, approver)
    session = client.session
    session[SESSION_KEY] = time.time() - 11 * 60
    session.save()
    detail = reverse("payment_detail", args=[order.pk])
    response = client.post(reverse("payment_approve", args=[order.pk]), HTTP_REFERER=f"http://testserver{detail}")
    assert response["Location"].startswith(reverse("step_up"))
    order.refresh_from_db()
    assert order.state == "pending_approval"
    back = client.post(reverse("step_up"), {"code": _code_for(approver), "next": detail})
    assert back["Location"] == detail
    client.post(reverse("payment_approve", args=[order.pk]))
    order.refresh_from_db()
    assert order.state == "approved"


def test_changing_a_role_asks_for_the_code_again(client, company, admin, member):
    log_in(client, admin)
    session = client.session
    del session[SESSION_KEY]
    session.save()
    target = Membership.objects.get(company=company, user=member)
    response = client.post(reverse("member_change", args=[target.pk]), {"role": "approver"})
    assert response["Location"].startswith(reverse("step_up"))
    assert Membership.objects.get(pk=target.pk).role == "member"


def test_ten_wrong_passwords_lock_the_login_with_a_message_an_audit_event_and_a_notification(client, member, admin):
    for _ in range(USER_LIMIT - 1):
        assert "Please enter a correct" in _password(client, member, "wrong").content.decode()
    locked = _password(client, member, "wrong").content.decode()
    assert "Too many failed logins" in locked
    right = _password(client, member)  # the right password, during the lock
    assert right.status_code == 200 and "Too many failed logins" in right.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action="login.locked").count() == 1
    told = Notification.objects.get(user=admin, key="companies.login_locked")
    assert told.params["user"] == member.username
    assert not Notification.objects.filter(user=member, key="companies.login_locked").exists()


def test_the_lock_ends_and_a_login_clears_the_count(client, member):
    from datetime import timedelta

    from django.utils import timezone

    for _ in range(USER_LIMIT):
        _password(client, member, "wrong")
    LoginThrottle.objects.filter(key=member.username).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert _password(client, member).status_code == 302
    assert LoginThrottle.objects.get(scope="user", key=member.username).failures == 0


def test_each_lock_in_a_row_lasts_twice_as_long_until_a_login_succeeds(db):
    from datetime import timedelta

    from django.utils import timezone

    from kassenwart.companies import login_throttle

    now = timezone.now()
    lengths = []
    for _lock in range(4):
        for _failure in range(USER_LIMIT):
            started = login_throttle.login_failed("mallory", "", now=now)
        (lock,) = started
        lengths.append(lock.until - now)
        now = lock.until + timedelta(seconds=1)
    assert lengths == [timedelta(minutes=minutes) for minutes in (15, 30, 60, 120)]
    login_throttle.login_succeeded("Mallory")
    for _failure in range(USER_LIMIT):
        started = login_throttle.login_failed("mallory", "", now=now)
    assert started[0].until - now == timedelta(minutes=15)


def test_wrong_codes_count_too_and_lock_the_login(client, approver):
    two_factor.authenticator_issue(approver, via="test")
    _password(client, approver)
    for _ in range(USER_LIMIT - 1):
        assert client.post(reverse("login_code"), {"code": "000000"}).status_code == 200
    response = client.post(reverse("login_code"), {"code": "000000"})
    assert response["Location"] == reverse("login")
    assert not client.session.get("_auth_user_id")


def test_many_names_from_one_address_lock_the_address(client, member):
    from kassenwart.companies.login_throttle import ADDRESS_LIMIT

    for n in range(ADDRESS_LIMIT):
        client.post(reverse("login"), {"username": f"guess{n}", "password": "x"})
    assert "Too many failed logins" in _password(client, member).content.decode()
    other = client.post(reverse("login"), {"username": member.username, "password": PASSWORD},
                        REMOTE_ADDR="192.0.2.99")
    assert other.status_code == 302


def test_password_change(client, member):
    log_in(client, member)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "a brand new secret 42", "new_password2": "a brand new secret 42"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a brand new secret 42")
    assert client.get(reverse("home")).status_code == 200  # still logged in
    assert AuditEvent.objects.filter(action="user.password_changed", actor=member).exists()


def test_an_admins_reset_link_works_once(client, company, admin, member):
    log_in(client, admin)
    target = Membership.objects.get(company=company, user=member)
    response = client.post(reverse("member_change", args=[target.pk]), {"action": "reset_link"}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    link = text[text.index("http://testserver/password-reset/"):].split()[0].split("<")[0]
    client.logout()
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0]
    new = {"new_password1": "set by the link 2026", "new_password2": "set by the link 2026"}
    assert client.post(form_url, new).status_code == 302
    member.refresh_from_db()
    assert member.check_password("set by the link 2026")
    again = client.get(link, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "does not work" in again.content.decode()


def test_an_admin_of_one_company_cannot_reset_a_login_another_company_relies_on(client, company, other_company,
                                                                                 admin, member):
    from kassenwart.companies.services import membership_set

    membership_set(other_company, member, "admin", by=None, via="test")
    log_in(client, admin)
    target = Membership.objects.get(company=company, user=member)
    client.post(reverse("member_change", args=[target.pk]), {"action": "reset_link"})
    assert not AuditEvent.objects.filter(action="user.password_reset_link_created").exists()


def test_reset_by_mail_only_where_smtp_is_set_up(client, member, settings):
    member.email = "mia@example.com"
    member.save()
    assert client.get(reverse("password_reset")).status_code == 404
    assert "Forgot your password" not in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    settings.EMAIL_HOST = "smtp.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert "Forgot your password" in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post(reverse("password_reset"), {"email": "mia@example.com"})
    assert len(mail.outbox) == 1 and "/password-reset/" in mail.outbox[0].body
