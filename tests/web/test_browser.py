"""The real product in a real browser: `kassenwart serve`, Debian's Chromium, a phone's screen."""

from __future__ import annotations

import pytest

from browser_fixtures import HTMX, PHONE, log_in, open_tab
from statement_samples import camt053, mt940

pytestmark = pytest.mark.browser


def test_phone_login_upload_search_detail(server, browser, shots, tmp_path):
    from playwright.sync_api import expect

    assert HTMX.exists(), "htmx is missing: run `npm install` (it copies htmx into static/vendor)"
    statements = tmp_path / "files"
    statements.mkdir()
    (statements / "juli.xml").write_bytes(
        camt053(
            entries=(
                ("1234.56", "CRDT", "Kunde Eins GmbH", "DE12500105170648489890", "RE-2026-0042 Danke für den Auftrag"),
                ("89.90", "DBIT", "Stadtwerke Musterstadt", "DE02120300000000202051", "Abschlag Strom Juli Kundennr 4711"),
            )
        )
    )
    (statements / "juli.sta").write_bytes(mt940(account="1234567890"))

    context = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # log in
    page.goto(f"{server}/")
    expect(page).to_have_url(f"{server}/login/?next=/")
    log_in(page, server, "a", "p")
    expect(page.get_by_role("heading", name="Übersicht")).to_be_visible()
    assert page.evaluate("typeof htmx") == "object", "htmx did not load"

    # upload two statements at once
    open_tab(page, "Kontoauszüge")
    page.set_input_files("input[name=files]", [statements / "juli.xml", statements / "juli.sta"])
    page.get_by_role("button", name="Importieren").click()
    expect(page.get_by_role("heading", name="Ergebnis des Imports")).to_be_visible()
    expect(page.locator("article")).to_have_count(2)
    expect(page.locator("article").first).to_contain_text("2 Umsätze neu")
    expect(page.locator("article").first).to_contain_text("Salden stimmen")
    page.screenshot(path=shots / "1-import-result.png", full_page=True)

    # the accounts page shows the balance in German format
    open_tab(page, "Konten")
    expect(page.locator(".account-card")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("2.144,66\u00a0EUR")
    expect(page.locator("main")).to_contain_text("1.050,00\u00a0EUR")
    page.screenshot(path=shots / "2-accounts.png", full_page=True)

    # transactions, newest first, then a live search by German amount
    open_tab(page, "Umsätze")
    results = page.locator("#results")
    expect(results).to_contain_text("Kunde Eins GmbH")
    expect(results).to_contain_text("Kunde Zwei OHG")
    expect(results).to_contain_text("3 Umsätze")
    page.screenshot(path=shots / "3-transactions.png", full_page=True)
    page.locator("input[name=q]").press_sequentially("1.234,56", delay=40)
    expect(results).to_contain_text("1 Umsatz")
    expect(results).not_to_contain_text("Kunde Zwei OHG")
    expect(page).to_have_url(f"{server}/transactions/?q=1.234%2C56&account=&direction=&matched=&date_from=&date_to=&amount_from=&amount_to=&sort=-date&statement=")
    page.screenshot(path=shots / "4-search.png", full_page=True)

    # open the detail
    results.get_by_role("link", name="Kunde Eins GmbH").click()
    expect(page.get_by_role("heading", name="Kunde Eins GmbH")).to_be_visible()
    expect(page.locator("main")).to_contain_text("E2E-0001")
    expect(page.locator("main")).to_contain_text("1.234,56")
    expect(page.locator("main")).to_contain_text("juli.xml")
    page.screenshot(path=shots / "5-detail.png", full_page=True)

    # no horizontal scrolling on a phone
    for path in ("/", "/transactions/", "/statements/", "/invoices/", "/audit/"):
        page.goto(f"{server}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide on a {PHONE['width']}px screen"
    page.goto(f"{server}/statements/")
    page.screenshot(path=shots / "6-statements.png", full_page=True)
    page.locator(".topbar .menu > summary").click()
    page.screenshot(path=shots / "7-menu.png")

    # and the same list as a table on a desktop screen
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{server}/transactions/")
    expect(page.locator("table.tx thead")).to_be_visible()
    page.screenshot(path=shots / "8-desktop-transactions.png", full_page=True)
    page.goto(f"{server}/statements/")
    cell = page.locator("table.list td[data-label]").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "table-cell"

    assert not errors, errors
    context.close()
