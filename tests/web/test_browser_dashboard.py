"""The home page in a real browser against `kassenwart demo` (its sandbox bank over FinTS, the
statements, invoices and payments it makes): what each role sees and may act on at 1366 px
and on a phone, the chart drawn by Chart.js from the app's static files, and a person's own
layout and its reset."""

from __future__ import annotations

import re
import sqlite3
from decimal import Decimal

import pytest

from kassenwart.demo.services import DEMO_COMPANY

from browser_fixtures import PHONE, demo_log_in, run_env, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def demo(tmp_path):
    with serving(["demo"], run_env(tmp_path), tmp_path, seconds=240) as base:
        yield base, tmp_path / "data" / "kassenwart.sqlite3"


def latest_booked_total(database) -> Decimal:
    """The sum of every demo account's latest booked balance, read straight from the database."""
    with sqlite3.connect(database) as db:
        rows = db.execute(
            """SELECT (SELECT CAST(b.amount AS TEXT) FROM banking_balance b WHERE b.account_id = a.id
                       AND b.kind = 'booked' ORDER BY b.date DESC, b.id DESC LIMIT 1)
               FROM banking_bankaccount a JOIN companies_company c ON c.id = a.company_id WHERE c.name = ?""",
            (DEMO_COMPANY,)).fetchall()
    return sum((Decimal(amount) for (amount,) in rows if amount is not None), Decimal("0"))


def german(amount: Decimal) -> str:
    text = f"{amount:,.2f}".replace(",", "#").replace(".", ",").replace("#", ".")
    return f"{text}\u00a0EUR"


def log_in(page, base, username):
    page.context.clear_cookies()
    demo_log_in(page, base, username)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def columns(page) -> int:
    return page.evaluate("getComputedStyle(document.querySelector('.dash-grid')).gridTemplateColumns.split(' ').length")


def test_home_for_each_role_and_a_layout_of_ones_own(demo, browser, shots):
    from playwright.sync_api import expect

    base, database = demo
    errors = []
    scripts = []

    def page_at(viewport, **extra):
        context = browser.new_context(viewport=viewport, locale="de-DE", **extra)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda r: scripts.append(r.url) if r.url.endswith(".js") else None)
        return page

    # the approver at 1366 px: the total of the latest booked balances, in German, and the
    # orders that wait for them; the charts drawn by Chart.js from the app's static files
    page = page_at(DESKTOP)
    log_in(page, base, "approver")
    expect(page.get_by_role("heading", name="Übersicht")).to_be_visible()
    balances = page.locator("#widget-balances")
    expect(balances.locator(".total")).to_have_text(german(latest_booked_total(database)))
    todos = page.locator("#widget-todos")
    expect(todos).to_contain_text(re.compile(r"\d+ Zahlungsaufträge? warte"))
    expect(todos.get_by_role("link", name=re.compile(r"Transfer #\d+|Überweisung #\d+")).first).to_be_visible()
    expect(page.locator("canvas[data-chart='chart-forecast']")).to_have_attribute("data-drawn", "true")
    expect(page.locator("canvas[data-chart='chart-in_out']")).to_have_attribute("data-drawn", "true")
    assert any(re.search(r"/static/vendor/chart\.umd\.min(\.[0-9a-f]+)?\.js$", url) for url in scripts), scripts
    assert page.evaluate("typeof Chart") == "function"
    page.locator("#widget-in_out summary").click()
    expect(page.locator("#widget-in_out table")).to_contain_text(re.compile(r"\d{1,3}(\.\d{3})*,\d\d\u00a0EUR"))
    assert columns(page) == 2 and fits(page)
    page.screenshot(path=str(shots / "home-approver-1366.png"), full_page=True)

    # the member on a phone: one column, no approvals, no connections, a transfer to draft
    page = page_at(PHONE, is_mobile=True, has_touch=True)
    log_in(page, base, "member")
    expect(page.get_by_role("heading", name="Übersicht")).to_be_visible()
    expect(page.locator("#widget-todos")).not_to_contain_text("Freigabe")
    expect(page.locator("#widget-todos").get_by_role("link", name="Neue Überweisung")).to_be_visible()
    expect(page.locator("#widget-forecast")).to_have_count(0)
    expect(page.locator("#widget-receivables")).to_contain_text("mehr als 60 Tage überfällig")
    assert columns(page) == 1 and fits(page), "the home page scrolls sideways on a phone"
    page.screenshot(path=str(shots / "home-member-390.png"), full_page=True)

    # the admin on a phone: their own layout, then back to the role's default
    log_in(page, base, "admin")
    expect(page.locator(".widget").first).to_have_attribute("id", "widget-todos")
    page.get_by_role("link", name="Anpassen").click()
    page.get_by_label("Zu erledigen", exact=True).uncheck()
    page.get_by_label("Position von Offene Forderungen nach Alter").select_option("1")
    page.get_by_label("Eingänge und Ausgänge über").select_option("3")
    page.screenshot(path=str(shots / "home-customize-390.png"), full_page=True)
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".widget").first).to_have_attribute("id", "widget-receivables")
    expect(page.locator("#widget-todos")).to_have_count(0)
    expect(page.locator("#widget-in_out")).to_contain_text("Letzte 3 Monate")
    assert fits(page)
    page = page_at(DESKTOP)  # stored for the person, not the browser
    log_in(page, base, "admin")
    expect(page.locator(".widget").first).to_have_attribute("id", "widget-receivables")
    page.get_by_role("link", name="Anpassen").click()
    page.get_by_role("button", name="Auf die Vorgabe der Rolle zurücksetzen").click()
    expect(page.locator(".widget").first).to_have_attribute("id", "widget-todos")
    expect(page.locator("#widget-in_out")).to_contain_text("Letzte 12 Monate")
    expect(page.locator(".widget")).to_have_count(6)
    page.screenshot(path=str(shots / "home-admin-1366.png"), full_page=True)
    # the accounts list stays one click away
    page.get_by_role("navigation", name="Hauptmenü").get_by_role("link", name="Konten", exact=True).click()
    # four bank accounts, and the demo's PayPal, Qonto and Stripe accounts beside them
    expect(page.locator(".account-card")).to_have_count(7)
    expect(page.locator("main")).to_contain_text("Qonto Hauptkonto")
    assert not errors, errors
