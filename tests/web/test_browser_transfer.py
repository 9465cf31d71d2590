"""A transfer in a real browser against `kassenwart demo` (its sandbox bank over FinTS): the
member drafts and submits it, the approver releases it, sends it, sees the bank's name for
the payee (close match), confirms, gives the TAN, and the bank accepts it.

Screenshots go to $KASSENWART_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import re

import pytest

from kassenwart.sandbox.scenarios import SUPPLIERS

from browser_fixtures import PHONE, demo_log_in, run_env, serving

pytestmark = pytest.mark.browser
SUPPLIER = SUPPLIERS[0]  # registered at its bank as "Stahlhandel Nord GmbH"


@pytest.fixture
def demo(tmp_path):
    with serving(["demo"], run_env(tmp_path), tmp_path, seconds=240) as base:
        yield base


def log_in(page, base, username):
    demo_log_in(page, base, username)


def test_phone_transfer_with_payee_check_and_tan(demo, browser, shots):  # noqa: F811 (fixtures)
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    main = page.locator("main")

    log_in(page, demo, "member")
    page.goto(f"{demo}/payments/")
    main.get_by_role("link", name="Neue Überweisung").click()
    account = page.get_by_label("Vom Konto")
    giro = next(text for text in account.locator("option").all_inner_texts() if "DE82999900001000123456" in text)
    account.select_option(label=giro)
    page.get_by_label("Empfänger").fill("Stahlhandel Nord")
    page.get_by_label("IBAN").fill(SUPPLIER.iban)
    page.get_by_label("Betrag (EUR)").fill("1.250,00")
    page.get_by_label("Verwendungszweck").fill("Rechnung ER-2026-77")
    page.screenshot(path=str(shots / "transfer-1-draft.png"), full_page=True)
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(main).to_contain_text("1.250,00")
    page.get_by_role("button", name="Zur Freigabe einreichen").click()
    expect(main).to_contain_text("Wartet auf die Freigabe durch eine andere Person")
    detail = page.url
    context.clear_cookies()

    log_in(page, demo, "approver")
    page.goto(detail)
    page.get_by_role("button", name="Freigeben").click()
    page.get_by_role("button", name="An die Bank senden").click()
    # The worker sends it; the page goes on by itself to the bank's payee check.
    check = page.get_by_role("region", name="Empfängerüberprüfung der Bank")
    expect(check).to_contain_text("Stahlhandel Nord GmbH")
    expect(check).to_contain_text("ähnelt dem des Kontoinhabers")
    page.screenshot(path=str(shots / "transfer-2-payee-check.png"), full_page=True)
    check.get_by_label("Ich habe den Empfänger geprüft").check()
    check.get_by_role("button", name="Trotzdem senden").click()
    tan = page.get_by_role("region", name="Mit TAN bestätigen")
    expect(tan).to_be_visible()
    tan.get_by_label("TAN").fill("123456")
    page.screenshot(path=str(shots / "transfer-3-tan.png"), full_page=True)
    tan.get_by_role("button", name="TAN senden").click()
    expect(main).to_contain_text("Die Bank hat die Überweisung angenommen.")
    expect(main.locator(".badge").first).to_have_text(re.compile("Von der Bank angenommen"))
    page.screenshot(path=str(shots / "transfer-4-accepted.png"), full_page=True)
    assert not errors, errors
