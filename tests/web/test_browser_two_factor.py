"""Two-factor login in Chromium against `kassenwart serve`: the set-up after the first password,
the app's code at the next login, a recovery code, the code asked again before an approval
when it is older than ten minutes, the lock after ten wrong passwords."""

import re
import subprocess
import sys

import pytest

from browser_fixtures import authenticator_code, log_in, serving_books, wrong_code

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# A member "m" who drafted a transfer that waits for approval; prints the order's id.
BOOKS = """
import django
django.setup()
from decimal import Decimal
from django.utils import timezone
from kassenwart.banking.models import BankAccount
from kassenwart.companies.models import Company
from kassenwart.companies.services import membership_set, user_create
from kassenwart.payments import services

company = Company.objects.get()
member = user_create("m", "member password 1", via="test")
membership_set(company, member, "member", by=None, via="test")
account = BankAccount.objects.create(company=company, name="Giro", iban="DE89370400440532013000",
                                     bic="COBADEFFXXX", currency="EUR", owner=company.name)
transfer = services.TransferInput(payee_name="Lieferant GmbH", iban="DE02120300000000202051", amount=Decimal("12.50"))
order = services.order_create(company, user=member, account=account, requested_date=timezone.localdate(),
                              transfers=[transfer])
services.order_submit(order, user=member)
print(order.pk)
"""

# The second factor of session KEY entered eleven minutes ago.
AGED = """
import django, sys
django.setup()
from django.contrib.sessions.backends.db import SessionStore
from kassenwart.web.step_up import SESSION_KEY
session = SessionStore(session_key=sys.argv[1])
session[SESSION_KEY] = session[SESSION_KEY] - 11 * 60
session.save()
"""


@pytest.fixture
def books(tmp_path):
    with serving_books(tmp_path, BOOKS) as served:
        yield served


def _english(browser):
    page = browser.new_context(locale="en-GB").new_page()
    page.set_default_timeout(20_000)
    return page


def _password(page, base, username, password):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()


def _code(page, code):
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()


def test_set_up_then_the_code_then_a_recovery_code_and_the_step_up_on_approve(books, browser, shots):
    from playwright.sync_api import expect

    base, order, env = books
    page = _english(browser)
    main = page.locator("main")

    # the admin's first password leads to the set-up, and to no other page
    _password(page, base, "a", "p")
    assert "/security/two-factor/" in page.url
    page.goto(f"{base}/payments/")
    assert "/security/two-factor/" in page.url
    expect(main.locator("svg")).to_be_visible()  # the QR code
    secret = page.locator("[data-secret]").inner_text().strip()
    page.screenshot(path=str(shots / "two-factor-1-setup.png"), full_page=True)
    _code(page, authenticator_code(secret))
    codes = re.findall(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", main.inner_text())
    assert len(codes) == 10
    with page.expect_navigation():
        main.locator("a.button").click()
    expect(page.get_by_role("heading", name="Transfers")).to_be_visible()  # on to the page asked for

    # the next login: the password, then the app's code
    page.context.clear_cookies()
    _password(page, base, "a", "p")
    assert "/login/code/" in page.url
    _code(page, wrong_code(secret))
    expect(main.locator(".errorlist")).to_contain_text("not right")
    _code(page, authenticator_code(secret))
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()

    # ten minutes later, approving asks for the code again
    session = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    subprocess.run([sys.executable, "-c", AGED, session], env=env, check=True, capture_output=True, timeout=120)
    page.goto(f"{base}/payments/{order}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.screenshot(path=str(shots / "two-factor-2-step-up.png"), full_page=True)
    _code(page, authenticator_code(secret))
    assert page.url == f"{base}/payments/{order}/"
    with page.expect_navigation():
        page.get_by_role("button", name="Approve", exact=True).click()
    expect(main).to_contain_text("Approved.")

    # a recovery code in place of the app, once
    page.context.clear_cookies()
    _password(page, base, "a", "p")
    _code(page, codes[0])
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    page.context.clear_cookies()
    _password(page, base, "a", "p")
    _code(page, codes[0])
    expect(main.locator(".errorlist")).to_contain_text("used already")


def test_ten_wrong_passwords_lock_the_member_with_a_message(books, browser):
    from playwright.sync_api import expect

    base, _order, _env = books
    page = _english(browser)
    for attempt in range(9):
        _password(page, base, "m", f"wrong {attempt}")
        expect(page.locator(".errorlist")).to_contain_text("correct username and password")
    _password(page, base, "m", "wrong 9")
    expect(page.locator(".errorlist")).to_contain_text("Too many failed logins")
    log_in(page, base, "m", "member password 1")  # the right password, during the lock
    expect(page.locator(".errorlist")).to_contain_text("Too many failed logins")
    assert page.url.startswith(f"{base}/login/")
