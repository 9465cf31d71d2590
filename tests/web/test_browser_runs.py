"""A payment run in a real browser on a phone, against `kassenwart demo` (its sandbox bank over
FinTS): the member drafts three transfers, the approver selects them on the list, approves
them as one run (it goes to the bank at once) and gives ONE TAN, whose challenge names the
number of transfers and their total; the bank executes the one order.

Screenshots go to $KASSENWART_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import re

import pytest

from kassenwart.sandbox.scenarios import LANDLORD, SUPPLIERS

from browser_fixtures import PHONE, demo_log_in, run_env, serving

pytestmark = pytest.mark.browser
PAYMENTS = [(SUPPLIERS[1], "1.250,00", "Rechnung WK-2026-118"), (SUPPLIERS[2], "80,50", "Fracht 11/2026"),
            (LANDLORD, "19,49", "Nebenkosten November")]
TOTAL = "1.349,99"


@pytest.fixture
def demo(tmp_path):
    with serving(["demo"], run_env(tmp_path), tmp_path, seconds=240) as base:
        yield base, tmp_path / "serve.log"


def log_in(page, base, username):
    demo_log_in(page, base, username)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_run_of_three_transfers_with_one_tan(demo, browser, shots):
    from playwright.sync_api import expect

    base, log = demo
    tan = re.search(r"The sandbox bank's TAN is (\d+)\.", log.read_text()).group(1)  # the demo prints it
    context = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    main = page.locator("main")

    log_in(page, base, "member")
    drafted = []
    for payee, amount, remittance in PAYMENTS:
        page.goto(f"{base}/payments/new/")
        account = page.get_by_label("From account")
        giro = next(text for text in account.locator("option").all_inner_texts() if "DE82999900001000123456" in text)
        account.select_option(label=giro)
        page.get_by_label("Payee").fill(payee.name)
        page.get_by_label("IBAN").fill(payee.iban)
        page.get_by_label("Amount (EUR)").fill(amount)
        page.get_by_label("Remittance information").fill(remittance)
        page.get_by_role("button", name="Save draft").click()
        expect(main).to_contain_text("Draft saved")
        drafted.append(int(re.search(r"/payments/(\d+)/", page.url).group(1)))
    context.clear_cookies()

    log_in(page, base, "approver")
    page.goto(f"{base}/payments/")
    for number, (payee, _, _) in zip(drafted, PAYMENTS, strict=True):
        page.get_by_label(f"Select #{number} to {payee.name}").check()
    assert fits_the_phone(page), "the list scrolls sideways on a phone"
    page.screenshot(path=str(shots / "run-1-selected.png"), full_page=True)
    page.get_by_role("button", name="Approve as run").click()
    expect(main).to_contain_text("of 3 transfers approved")
    expect(main.locator("h1")).to_have_text(re.compile(r"Run #\d+"))
    # The worker sends it at once; the page goes on by itself to the TAN.
    step = page.get_by_role("region", name="Confirm with a TAN")
    expect(step).to_contain_text(f"Sammelüberweisung: 3 Posten, Summe {TOTAL} EUR")
    for payee, amount, _ in PAYMENTS:
        expect(main).to_contain_text(payee.name)
        expect(main).to_contain_text(amount.replace(".", "#").replace(",", ".").replace("#", ","))
    assert fits_the_phone(page), "the run's page scrolls sideways on a phone"
    page.screenshot(path=str(shots / "run-2-tan.png"), full_page=True)
    step.get_by_label("TAN").fill(tan)
    step.get_by_role("button", name="Send TAN").click()
    expect(main).to_contain_text("The bank has accepted the run.")
    expect(main).to_contain_text("Auftrag ausgeführt")  # the bank's words: it executed the one order
    expect(main.locator(".badge").first).to_have_text(re.compile("Accepted by the bank"))
    page.screenshot(path=str(shots / "run-3-accepted.png"), full_page=True)

    page.goto(f"{base}/payments/?state=accepted")
    rows = main.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Run of transfers")
    expect(rows.first).to_contain_text(TOTAL.replace(".", "#").replace(",", ".").replace("#", ","))
    assert not errors, errors
