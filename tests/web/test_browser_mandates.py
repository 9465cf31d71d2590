"""Mandates in a real browser on a phone: the admin enters the creditor id the import page asks
for, uploads a mandate CSV with one bad row, sees that row's line and column and that nothing
was imported, fixes the file and imports it; against a real `kassenwart serve` with its own
data directory (customers from `kassenwart import-invoices`).

In English: the German words of these pages reach the catalogue with the lead's merge
(locale-todo/mandates.json). Screenshots go to $KASSENWART_SCREENSHOTS.
"""

from __future__ import annotations

import subprocess

import pytest

from browser_fixtures import PHONE, kassenwart_command, log_in, open_tab, run_env, serving

pytestmark = pytest.mark.browser

INVOICES = """invoice_number,customer_number,customer_name,customer_iban,issue_date,due_date,amount,currency,payment_reference
RE-2026-0201,50001,Kunde Eins GmbH,DE89370400440532013000,2026-07-01,2026-07-15,49.00,EUR,
RE-2026-0202,50002,Beispiel AG,,2026-07-02,2026-07-16,99.00,EUR,
RE-2026-0203,50003,Muster KG,,2026-07-03,2026-07-17,149.00,EUR,
"""
HEADER = "mandate_reference;customer_number;debtor_name;debtor_iban;debtor_bic;signed_on;scheme;kind"
ROWS = [
    "LIZ-50001-1;50001;Kunde Eins GmbH;DE89 3704 0044 0532 0130 00;COBADEFFXXX;01.03.2026;CORE;wiederkehrend",
    "LIZ-50002-1;50002;Beispiel AG;DE02120300000000202052;;02.03.2026;B2B;wiederkehrend",  # a typo in the IBAN
    "LIZ-50003-1;50003;Muster KG;DE12500105170648489890;;2026-03-03;CORE;einmalig",
]
FIXED = ROWS[1].replace("DE02120300000000202052", "DE02120300000000202051")


@pytest.fixture
def server(tmp_path):
    env = run_env(tmp_path)
    command = kassenwart_command()
    (tmp_path / "invoices.csv").write_text(INVOICES)
    for step in (
        ["init", "--company", "Nordlicht Software GmbH", "--admin", "a", "--password", "p"],
        ["import-invoices", str(tmp_path / "invoices.csv")],
    ):
        done = subprocess.run([*command, *step], env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"kassenwart {step[0]}: {done.stderr[-2000:]}"
    with serving(["serve"], env, tmp_path) as base:
        yield base


def csv_file(*rows: str) -> dict:
    return {"name": "mandate.csv", "mimeType": "text/csv", "buffer": "\n".join([HEADER, *rows, ""]).encode()}


def test_phone_import_with_a_bad_row_shows_the_row_then_imports(server, browser, shots):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    main = page.locator("main")

    def no_horizontal_scroll():
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px screen"

    log_in(page, server, "a", "p")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()

    # Customers -> Mandates -> Import: without a creditor id the page says so and sends the admin on
    open_tab(page, "Customers")
    expect(main).to_contain_text("3 customers")
    main.get_by_role("link", name="Mandates").click()
    main.get_by_role("link", name="Import mandates").click()
    expect(page.get_by_role("alert")).to_contain_text("No creditor identifier is set.")
    expect(main.get_by_role("button", name="Import")).to_be_disabled()
    page.screenshot(path=shots / "mandates-1-no-creditor-id.png", full_page=True)
    page.get_by_role("link", name="Enter it in the direct debit settings.").click()
    expect(page.get_by_role("heading", name="Direct debits")).to_be_visible()
    expect(main).to_contain_text("EPC allows RCUR from the first collection since November 2016")
    no_horizontal_scroll()
    page.get_by_label("Creditor identifier (Gläubiger-ID)").fill("DE98 ZZZ 0999 9999 990")
    page.get_by_role("button", name="Save settings").click()
    expect(main).to_contain_text("has wrong check digits")
    page.get_by_label("Creditor identifier (Gläubiger-ID)").fill("DE98 ZZZ 0999 9999 999")
    page.get_by_role("button", name="Save settings").click()
    expect(main).to_contain_text("Direct debit settings saved.")
    expect(page.get_by_role("alert")).to_have_count(0)

    # the file with one bad row: its line and column, and nothing imported
    page.goto(f"{server}/mandates/import/")
    page.set_input_files("input[type=file]", files=[csv_file(*ROWS)])
    main.get_by_role("button", name="Import").click()
    problems = page.locator("#problems")
    expect(main).to_contain_text("mandate.csv: 1 problem, nothing was imported")
    row = problems.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Line 3")
    expect(row).to_contain_text("debtor_iban")
    expect(row).to_contain_text("DE02120300000000202052 is not a valid IBAN")
    no_horizontal_scroll()
    page.screenshot(path=shots / "mandates-2-bad-row.png", full_page=True)
    page.goto(f"{server}/mandates/")
    expect(main).to_contain_text("0 mandates")

    # fixed and uploaded again: all three, and a mandate's page
    page.goto(f"{server}/mandates/import/")
    page.set_input_files("input[type=file]", files=[csv_file(ROWS[0], FIXED, ROWS[2])])
    main.get_by_role("button", name="Import").click()
    expect(main).to_contain_text("3 mandates imported.")
    expect(main).to_contain_text("3 mandates")
    no_horizontal_scroll()
    page.screenshot(path=shots / "mandates-3-imported.png", full_page=True)
    main.get_by_role("link", name="LIZ-50002-1").click()
    expect(page.get_by_role("heading", name="Mandate LIZ-50002-1")).to_be_visible()
    expect(main).to_contain_text("DE02\u00a01203\u00a00000\u00a00000\u00a02020\u00a051")
    expect(main).to_contain_text("DE98ZZZ09999999999")
    no_horizontal_scroll()
    main.get_by_role("link", name="Beispiel AG").click()
    expect(page.get_by_role("heading", name="Beispiel AG")).to_be_visible()
    expect(main).to_contain_text("LIZ-50002-1")
    expect(main).to_contain_text("RE-2026-0202")
    no_horizontal_scroll()
    page.screenshot(path=shots / "mandates-4-customer.png", full_page=True)

    assert not errors, errors
    context.close()
