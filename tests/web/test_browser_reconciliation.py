"""Reconciliation in a real browser on a phone: invoices and a statement imported with the CLI,
`kassenwart reconcile`, then the open list, a map by hand on the Map page, the matched list
and undo, against a real `kassenwart serve` with its own data directory.

Screenshots go to $KASSENWART_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import re
import subprocess

import pytest

from browser_fixtures import PHONE, kassenwart_command, log_in, open_tab, run_env, serving
from statement_samples import camt053

pytestmark = pytest.mark.browser

INVOICES = """invoice_number,customer_number,customer_name,customer_iban,issue_date,due_date,amount,currency,payment_reference
RE-2026-0101,50001,Kunde Eins GmbH,DE12500105170648489890,2026-07-01,2026-07-15,1234.56,EUR,
RE-2026-0102,50002,Beispiel AG,,2026-07-02,2026-07-16,250.00,EUR,
RE-2026-0103,50003,Muster KG,,2026-07-03,2026-07-17,250.00,EUR,
RE-2026-0104,50004,Nordwind OHG,,2026-07-04,2026-07-18,100.00,EUR,
RE-2026-0105,50004,Nordwind OHG,,2026-07-05,2026-07-19,250.00,EUR,
"""
PAYMENTS = (
    ("1234.56", "CRDT", "Kunde Eins GmbH", "DE12500105170648489890", "RE-2026-0101 Danke"),
    ("250.00", "CRDT", "Hans Meier", "DE02120300000000202051", "Vielen Dank"),
    ("343.00", "CRDT", "Sammelzahler Nord", "DE02100100100006820101", "Zahlung Juli abzgl. Skonto"),
    ("89.90", "DBIT", "Stadtwerke Musterstadt", "DE02120300000000202051", "Abschlag Strom"),
)


@pytest.fixture
def server(tmp_path):
    """A data directory with invoices, a statement and one matching run, served on a free port."""
    env = run_env(tmp_path)
    command = kassenwart_command()
    (tmp_path / "invoices.csv").write_text(INVOICES)
    (tmp_path / "juli.xml").write_bytes(camt053(entries=PAYMENTS))
    for step in (
        ["init", "--company", "Nordlicht Software GmbH", "--admin", "a", "--password", "p"],
        ["import-invoices", str(tmp_path / "invoices.csv")],
        ["import-statement", str(tmp_path / "juli.xml")],
        ["reconcile"],
    ):
        done = subprocess.run([*command, *step], env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"kassenwart {step[0]}: {done.stderr[-2000:]}"
    assert "1 reconciled automatically, 2 waiting for a person" in done.stdout
    with serving(["serve"], env, tmp_path) as base:
        yield base


def test_phone_map_a_payment_by_hand_then_undo(server, browser, shots):  # noqa: F811 (fixtures)
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    main = page.locator("main")

    log_in(page, server, "a", "p")
    expect(page.get_by_role("heading", name="Übersicht")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"Benachrichtigungen: \d+ ungelesen"))).to_be_visible()

    # the open list: two payments wait, one with ranked suggestions and their reasons
    open_tab(page, "Offene Zahlungen")
    expect(page.get_by_role("heading", name="Offene Zahlungen")).to_be_visible()
    expect(main).to_contain_text("2 Zahlungen")
    waiting = page.locator("article", has_text="Hans Meier")
    expect(waiting).to_contain_text("RE-2026-0102")
    expect(waiting).to_contain_text("RE-2026-0103")
    expect(waiting).to_contain_text("Betrag gleich dem offenen Betrag")
    expect(waiting.get_by_role("button", name="Annehmen")).to_have_count(3)
    expect(main).not_to_contain_text("Kunde Eins GmbH")  # reconciled automatically
    page.screenshot(path=shots / "recon-1-open.png", full_page=True)

    # map the collective payment by hand: find both invoices, take 2 % Skonto on each
    page.locator("article", has_text="Sammelzahler Nord").get_by_role("link", name="Zuordnen").click()
    expect(page.get_by_role("heading", name="Sammelzahler Nord")).to_be_visible()
    page.locator("#map-q").press_sequentially("Nordwind", delay=40)
    results = page.locator("#invoice-results")
    expect(results).to_contain_text("RE-2026-0105")
    page.get_by_role("button", name="RE-2026-0104 hinzufügen").click()
    first = page.get_by_label("Betrag für RE-2026-0104")
    expect(first).to_have_value("100,00")
    page.get_by_role("button", name="RE-2026-0105 hinzufügen").click()
    second = page.get_by_label("Betrag für RE-2026-0105")
    expect(second).to_have_value("243,00")  # the last one takes what is left of the payment
    difference = page.locator("#difference")
    expect(difference).to_contain_text("RE-2026-0105: Bankgebühr (7,00\u00a0EUR)")
    first.fill("98,00")
    second.fill("245,00")
    expect(difference).to_contain_text("RE-2026-0105: Skonto 2 % (5,00\u00a0EUR)")
    for checkbox in page.get_by_label("Rest ausbuchen (Skonto, Gebühr)").all():
        checkbox.check()
    expect(difference).to_contain_text("RE-2026-0104: Skonto 2 % (2,00\u00a0EUR), ausgebucht")
    expect(difference).to_contain_text("RE-2026-0105: Skonto 2 % (5,00\u00a0EUR), ausgebucht")
    page.screenshot(path=shots / "recon-2-map.png", full_page=True)
    page.get_by_role("button", name="Zahlung zuordnen").click()
    expect(main).to_contain_text("Zahlung von Sammelzahler Nord zugeordnet zu RE-2026-0104, RE-2026-0105.")
    expect(main).to_contain_text("1 Zahlung")

    # the matched list shows it with who made it; undo asks first
    open_tab(page, "Zugeordnet")
    expect(page.get_by_role("heading", name="Zugeordnete Zahlungen")).to_be_visible()
    card = page.locator("article", has_text="Sammelzahler Nord")
    expect(card).to_contain_text("von a")
    expect(card).to_contain_text("und 5,00\u00a0EUR ausgebucht")
    expect(page.locator("article", has_text="Kunde Eins GmbH")).to_contain_text("durch den Abgleich")
    page.screenshot(path=shots / "recon-3-matched.png", full_page=True)
    card.locator("summary", has_text="Rückgängig machen").click()
    card.get_by_role("button", name="Ja, diese Zuordnung rückgängig machen").click()
    expect(main).to_contain_text("Zuordnung rückgängig gemacht")
    expect(page.locator("article", has_text="Sammelzahler Nord")).to_have_count(0)

    # the payment waits again and the invoices are open again
    open_tab(page, "Offene Zahlungen")
    expect(main).to_contain_text("2 Zahlungen")
    expect(main).to_contain_text("Sammelzahler Nord")
    page.goto(f"{server}/invoices/?q=Nordwind")
    expect(page.locator("#results")).to_contain_text("250,00\u00a0EUR")
    expect(page.locator("#results")).not_to_contain_text("bezahlt")

    # no horizontal scrolling on a phone
    for path in ("/reconciliation/open/", "/reconciliation/matched/", "/reconciliation/settings/", "/notifications/"):
        page.goto(f"{server}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide on a {PHONE['width']}px screen"
    page.screenshot(path=shots / "recon-4-notifications.png", full_page=True)

    assert not errors, errors
    context.close()


def test_phone_undo_then_map_to_another_customers_invoice_asks_first(server, browser, shots):  # noqa: F811
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    main = page.locator("main")
    log_in(page, server, "a", "p")

    # undo the automatic match of Kunde Eins GmbH (customer 50001 by its IBAN)
    page.goto(f"{server}/reconciliation/matched/")
    card = page.locator("article", has_text="Kunde Eins GmbH")
    card.locator("summary", has_text="Rückgängig machen").click()
    card.get_by_role("button", name="Ja, diese Zuordnung rückgängig machen").click()
    expect(main).to_contain_text("Zuordnung rückgängig gemacht")

    # map it by hand to Beispiel AG's invoice: the page asks first
    page.goto(f"{server}/reconciliation/open/")
    page.locator("article", has_text="Kunde Eins GmbH").get_by_role("link", name="Zuordnen").click()
    page.locator("#map-q").press_sequentially("RE-2026-0102", delay=40)
    page.get_by_role("button", name="RE-2026-0102 hinzufügen").click()
    expect(page.get_by_label("Betrag für RE-2026-0102")).to_have_value("250,00")
    page.get_by_role("button", name="Zahlung zuordnen").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Der Zahler ist als Kunde 50001 bekannt, aber RE-2026-0102 gehört einem anderen Kunden (50002)."
    )
    confirm = page.get_by_label("Ja, diese Zahlung bezahlt Rechnungen eines anderen Kunden")
    expect(page.get_by_label("Betrag für RE-2026-0102")).to_have_value("250,00")  # what was chosen stays
    page.screenshot(path=shots / "recon-5-other-customer.png", full_page=True)
    confirm.check()
    page.get_by_role("button", name="Zahlung zuordnen").click()
    expect(main).to_contain_text("Zahlung von Kunde Eins GmbH zugeordnet zu RE-2026-0102.")

    page.goto(f"{server}/reconciliation/matched/")
    expect(page.locator("article", has_text="Kunde Eins GmbH")).to_contain_text(
        "Rechnung von Kunde 50002, Zahler bekannt als Kunde 50001"
    )
    assert not errors, errors
    context.close()
