"""A bill from upload to the approver's payee check, in Chromium at phone width, in German,
against `kassenwart demo` (its sandbox bank over FinTS): the member uploads an XRechnung of the
landlord (paid before, in the demo's run) that names another IBAN, gathers the due bills into a
run; the approver releases and sends it and sees, in the bank's payee check, the bank's "no
match" beside the bill's flag naming the IBAN the landlord was paid to before; stopping the
transfer offers the bill for a new draft.

Screenshots go to $KASSENWART_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from kassenwart.sandbox.scenarios import CLOSED_ACCOUNT, LANDLORD

from browser_fixtures import PHONE, demo_log_in, run_env, serving
from einvoices import Spec, ubl

pytestmark = pytest.mark.browser
GIRO = "DE82999900001000123456"


@pytest.fixture
def demo(tmp_path):
    with serving(["demo"], run_env(tmp_path), tmp_path, seconds=240) as base:
        yield base


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_bill_gathered_into_a_run_shows_its_iban_flag_beside_the_payee_check(demo, browser, shots, tmp_path):
    from playwright.sync_api import expect

    today = timezone.localdate()
    invoice = tmp_path / "miete-dezember.xml"
    # The landlord's name, but the IBAN of another company's account: the bank will not know the name.
    invoice.write_bytes(ubl(Spec(number="MI-2026-12", seller=LANDLORD.name, seller_vat="", iban=CLOSED_ACCOUNT.iban,
                                 bic=CLOSED_ACCOUNT.bic, issue=today - timedelta(days=10), due=today + timedelta(days=5))))
    context = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    main = page.locator("main")

    demo_log_in(page, demo, "member")
    page.goto(f"{demo}/bills/")
    page.set_input_files("input[name=files]", [str(invoice)])
    page.get_by_role("button", name="Importieren").click()
    expect(main).to_contain_text("weicht von der IBAN ab")
    page.goto(f"{demo}/payments/")
    due = page.locator("#due-bills")
    expect(due).to_contain_text("1 Rechnung wird innerhalb einer Woche fällig")
    account = page.locator("#id_due_account")
    account.select_option(label=next(text for text in account.locator("option").all_inner_texts() if GIRO in text))
    assert fits_the_phone(page), "the transfers list with its due bills scrolls sideways on a phone"
    page.screenshot(path=str(shots / "bill-run-1-due-bills.png"), full_page=True)
    due.get_by_role("button", name="Zahlungslauf aus den fälligen Rechnungen").click()
    expect(main).to_contain_text(re.compile(r"Zahlungslauf #\d+ mit 1 Rechnung erstellt"))
    run = page.url
    context.clear_cookies()

    demo_log_in(page, demo, "approver")
    page.goto(run)
    checks = page.get_by_role("region", name="Aus einer Rechnung entworfen")
    expect(checks).to_contain_text("Rechnung MI-2026-12 von Gewerbepark Süd GmbH")
    expect(checks).to_contain_text(LANDLORD.iban)
    page.get_by_role("button", name="Freigeben", exact=True).click()
    page.get_by_role("button", name="An die Bank senden").click()
    # The worker sends it; the page goes on by itself to the bank's payee check.
    check = page.get_by_role("region", name="Empfängerüberprüfung der Bank")
    expect(check).to_contain_text("Der Name stimmt nicht mit dem Kontoinhaber überein.")
    expect(check).to_contain_text("Was die Rechnung sagt")
    expect(check).to_contain_text(f"IBAN {CLOSED_ACCOUNT.iban} weicht von der IBAN ab")
    expect(check).to_contain_text(LANDLORD.iban)
    expect(check.get_by_role("link", name="Rechnung MI-2026-12 von Gewerbepark Süd GmbH")).to_be_visible()
    assert fits_the_phone(page), "the payee check with the bill's flags scrolls sideways on a phone"
    page.screenshot(path=str(shots / "bill-run-2-payee-check.png"), full_page=True)
    check.get_by_role("button", name="Überweisung stoppen").click()
    expect(main.locator(".badge").first).to_have_text(re.compile("Storniert"))

    page.goto(f"{demo}/bills/")  # to pay again
    page.get_by_role("link", name="Gewerbepark Süd GmbH").click()
    expect(main).to_contain_text("hat diese Rechnung nicht bezahlt")
    expect(page.get_by_role("button", name="Überweisung entwerfen")).to_be_visible()
    assert fits_the_phone(page), "the bill's page with its flag scrolls sideways on a phone"
    page.screenshot(path=str(shots / "bill-run-3-to-draft-again.png"), full_page=True)
    assert not errors, errors
