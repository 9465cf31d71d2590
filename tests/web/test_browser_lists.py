"""The lists in a real browser: no page wider than a phone, the navigation as a menu on a
phone and whole at 1366 px, a CSV export downloaded and read back, an invoice upload with a
bad row. Data through the CLI, against a real `kassenwart serve`.

Screenshots go to $KASSENWART_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from browser_fixtures import PHONE, kassenwart_command, log_in, open_tab, run_env, serving
from statement_samples import camt053

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PAST = (timezone.localdate() - timedelta(days=20)).isoformat()
LATER = (timezone.localdate() + timedelta(days=20)).isoformat()
INVOICES = f"""invoice_number,customer_number,customer_name,customer_iban,issue_date,due_date,amount,currency,payment_reference
RE-2026-0101,50001,Kunde Eins GmbH,DE12500105170648489890,2026-07-01,{PAST},1234.56,EUR,
RE-2026-0102,50002,Beispiel AG mit einem sehr langen Firmennamen fuer das Telefon,,2026-07-02,{PAST},250.00,EUR,
RE-2026-0103,50003,Muster KG,,2026-07-03,{LATER},99.00,EUR,
"""
PAYMENTS = (
    ("1234.56", "CRDT", "Kunde Eins GmbH", "DE12500105170648489890", "RE-2026-0101 Danke"),
    ("250.00", "CRDT", "Hans Meier", "DE02120300000000202051", "Vielen Dank"),
    ("89.90", "DBIT", "Stadtwerke Musterstadt mit einem langen Namen", "DE02120300000000202051",
     "Abschlag Strom Kundennummer 4711-0815-2026-Juli-Abrechnungszeitraum-ohne-Leerzeichen"),
)
BAD_UPLOAD = (
    "invoice_number;customer_number;customer_name;amount;due_date\n"
    "RE-9001;K-1;Neukunde GmbH;1.190,00;31.12.2026\n"
    "RE-9002;K-2;Neukunde Zwei;12,3x;31.12.2026\n"
)
LIST_PAGES = ("/transactions/", "/statements/", "/invoices/", "/reconciliation/open/", "/reconciliation/matched/",
              "/payments/", "/customers/", "/collections/", "/invoices/upload/")


@pytest.fixture
def server(tmp_path):
    env = run_env(tmp_path)
    command = kassenwart_command()
    (tmp_path / "invoices.csv").write_text(INVOICES)
    statement = tmp_path / "kontoauszug-geschaeftskonto-2026-07-juli-mit-einem-sehr-langen-dateinamen.xml"
    statement.write_bytes(camt053(entries=PAYMENTS))
    for step in (
        ["init", "--company", "Nordlicht Software GmbH", "--admin", "a", "--password", "p"],
        ["import-invoices", str(tmp_path / "invoices.csv")],
        ["import-statement", str(statement)],
        ["reconcile"],
    ):
        done = subprocess.run([*command, *step], env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"kassenwart {step[0]}: {done.stderr[-2000:]}"
    with serving(["serve"], env, tmp_path) as base:
        yield base


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_phone_lists_fit_the_menu_opens_and_a_bad_invoice_file_is_shown_by_line(server, browser, shots, tmp_path):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, server, "a", "p")

    for path in LIST_PAGES:
        page.goto(f"{server}{path}")
        name = path.strip("/").replace("/", "-")
        page.screenshot(path=shots / f"phone-{name}.png", full_page=True)
        assert overflow(page) <= 0, f"{path} is {overflow(page)} px wider than the phone"

    # the navigation is a menu: closed, its links are hidden; opened, every one is there
    nav = page.get_by_role("navigation", name="Hauptmenü")
    invoices = nav.get_by_role("link", name="Rechnungen", exact=True)
    expect(invoices).to_be_hidden()
    nav.get_by_text("Menü").click()
    for name in ("Konten", "Umsätze", "Kontoauszüge", "Offene Zahlungen", "Zugeordnet", "Überweisungen",
                 "Benutzer", "Protokoll"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    page.screenshot(path=shots / "phone-menu-open.png", full_page=True)
    assert overflow(page) <= 0
    invoices.click()

    # the invoices list flags the overdue ones and filters them
    results = page.locator("#results")
    expect(results).to_contain_text("3 Rechnungen")
    expect(results.locator(".badge.overdue")).to_have_count(1)  # RE-0101 was paid by the statement
    page.select_option("select[name=status]", "overdue")
    expect(results).to_contain_text("1 Rechnung")
    expect(results).to_contain_text("RE-2026-0102")

    # an upload with a bad row: every problem by line and column, nothing imported
    page.get_by_role("link", name="Rechnungen importieren").click()
    bad = tmp_path / "crm-export.csv"
    bad.write_text(BAD_UPLOAD)
    page.set_input_files("input[name=file]", bad)
    page.get_by_role("button", name="Importieren").click()
    problems = page.locator("#problems")
    expect(page.get_by_role("heading", name="crm-export.csv: 1 Problem, nichts wurde importiert")).to_be_visible()
    expect(problems).to_contain_text("Zeile 3")
    expect(problems).to_contain_text("amount")
    expect(problems).to_contain_text("12,3x ist kein Betrag")
    page.screenshot(path=shots / "phone-invoice-upload-problems.png", full_page=True)
    assert overflow(page) <= 0
    page.goto(f"{server}/invoices/?q=RE-9001")
    expect(page.locator("#results")).to_contain_text("0 Rechnungen")
    context.close()


def test_desktop_every_tab_is_there_and_the_csv_export_downloads(server, browser, shots):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=DESKTOP, locale="de-DE", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, server, "a", "p")

    nav = page.get_by_role("navigation", name="Hauptmenü")
    links = nav.get_by_role("link")
    expect(links).to_have_count(15)  # the admin sees every tab
    width = page.evaluate("window.innerWidth")
    for index in range(links.count()):
        link = links.nth(index)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{link.inner_text()} is cut off"
    expect(nav.get_by_text("Menü")).to_be_hidden()  # no menu button where the tabs fit
    page.screenshot(path=shots / "desktop-tabs.png")
    nav.get_by_role("link", name="Protokoll", exact=True).click()
    expect(page.get_by_role("heading", name="Protokoll")).to_be_visible()

    # the transactions, money in above 100 EUR, smallest first; the export has the same rows
    nav.get_by_role("link", name="Umsätze", exact=True).click()
    results = page.locator("#results")
    page.fill("input[name=amount_from]", "100")
    page.select_option("select[name=sort]", "amount")
    expect(results).to_contain_text("2 Umsätze")
    expect(results).to_contain_text("Summe (EUR)")
    expect(results).to_contain_text("1.484,56\u00a0EUR")
    page.screenshot(path=shots / "desktop-transactions-filtered.png", full_page=True)
    assert overflow(page) <= 0
    with page.expect_download() as download_info:
        results.get_by_role("link", name="CSV-Export").click()
    download = download_info.value
    assert download.suggested_filename.startswith("transactions-") and download.suggested_filename.endswith(".csv")
    data = open(download.path(), "rb").read()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][0] == "Buchungstag" and rows[0][7] == "Betrag"
    assert [(row[3], row[7]) for row in rows[1:]] == [("Hans Meier", "250,00"), ("Kunde Eins GmbH", "1234,56")]
    context.close()


def test_phone_exports_the_settings_and_a_datev_batch(server, browser, shots):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True,
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, server, "a", "p")
    open_tab(page, "Exporte")
    expect(page.get_by_role("heading", name="Exporte für die Buchhaltung")).to_be_visible()
    expect(page.locator(".note.bad")).to_contain_text("Die Beraternummer fehlt.")
    page.screenshot(path=shots / "phone-exports.png", full_page=True)
    assert overflow(page) <= 0

    page.get_by_role("link", name="In den Export-Einstellungen eintragen.").click()
    page.fill("input[name=consultant_number]", "29098")
    page.fill("input[name=client_number]", "55003")
    page.fill("input[name=debtor_account]", "10000")
    page.check("input[name=customer_number_is_debtor]")
    page.locator("input[name^=ledger_]").fill("1200")
    page.screenshot(path=shots / "phone-export-settings.png", full_page=True)
    assert overflow(page) <= 0
    page.locator("form.settings button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Export-Einstellungen gespeichert.")

    page.goto(f"{server}/exports/")
    expect(page.locator(".note.bad")).to_have_count(0)
    page.fill("input[name=date_from]", "2026-07-01")
    page.fill("input[name=date_to]", "2026-07-31")
    page.check("input[name=format][value=datev]")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Herunterladen").click()
    download = download_info.value
    assert download.suggested_filename == "EXTF_Buchungsstapel_20260701_20260731.csv"
    text = open(download.path(), "rb").read().decode("cp1252")
    header, _columns, *rows = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    assert header[:4] == ["EXTF", "700", "21", "Buchungsstapel"] and header[10:12] == ["29098", "55003"]
    assert [(row[0], row[1], row[6], row[7], row[9], row[10]) for row in rows] == [
        ("1234,56", "S", "1200", "50001", "2107", "RE-2026-0101"),
        ("250,00", "S", "1200", "1590", "2107", ""),
        ("89,90", "H", "1200", "1590", "2107", ""),
    ]
    context.close()
