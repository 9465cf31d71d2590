"""Two-factor login in Chromium against a live server: the app's code after the password, a
recovery code, the code asked again before an approval, the lock after ten wrong passwords."""

import time

import pytest
from django.contrib.sessions.backends.db import SessionStore

from kassenwart.companies import two_factor
from kassenwart.payments.models import PaymentOrder
from kassenwart.web.step_up import SESSION_KEY

from browser_fixtures import authenticator_code, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def orm_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in this thread; the test reads and ages rows
    through the ORM between its steps, which Django refuses in such a thread unless told."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def pending(company, member, connection):
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


def _english_page(browser):
    context = browser.new_context(locale="en-GB")
    context.add_cookies([{"name": "django_language", "value": "en", "url": "http://localhost"}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def test_the_code_after_the_password_a_recovery_code_and_the_step_up_on_approve(
        live_server, browser, company, make_user, pending):
    from playwright.sync_api import expect

    base = live_server.url
    approver = make_user(company, "approver")
    secret = two_factor.authenticator_secret(two_factor.authenticator_issue(approver, via="test"))
    codes = two_factor.recovery_codes_renew(approver, via="test")
    page = _english_page(browser)

    # the password alone reaches no page
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", approver.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url("**/login/code/**")
    page.goto(f"{base}/payments/")
    assert "/login/code/" in page.url

    # with the app's code it does
    page.fill("input[name=code]", authenticator_code(secret))
    page.locator("main button[type=submit]").first.click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()

    # ten minutes later, approving asks for the code again
    session_key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=session_key)
    session[SESSION_KEY] = time.time() - 11 * 60
    session.save()
    page.goto(f"{base}/payments/{pending.pk}/")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    pending.refresh_from_db()
    assert pending.state == PaymentOrder.State.PENDING_APPROVAL
    page.fill("input[name=code]", authenticator_code(secret))
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(f"{base}/payments/{pending.pk}/")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator("main")).to_contain_text("Approved.")
    pending.refresh_from_db()
    assert pending.state == PaymentOrder.State.APPROVED and pending.approved_by == approver

    # a recovery code instead of the app, once
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", approver.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url("**/login/code/**")
    page.fill("input[name=code]", codes[0])
    page.locator("main button[type=submit]").first.click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    assert two_factor.recovery_codes_left(approver) == len(codes) - 1


def test_ten_wrong_passwords_lock_the_member_out_with_a_message(live_server, browser, member):
    from playwright.sync_api import expect

    page = _english_page(browser)
    for attempt in range(10):
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", member.username)
        page.fill("input[name=password]", f"wrong {attempt}")
        page.locator("main button[type=submit]").first.click()
        expect(page.locator(".errorlist")).to_be_visible()
    expect(page.locator(".errorlist")).to_contain_text("Too many failed logins")
    log_in(page, live_server.url, member.username, PASSWORD)  # the right password, during the lock
    expect(page.locator(".errorlist")).to_contain_text("Too many failed logins")
    assert "/login/" in page.url
