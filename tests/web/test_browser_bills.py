"""Bills in Chromium at phone width, in German: several files uploaded at once, the list and
a bill's page fit the screen, the readable e-invoice and the changed-IBAN flag are there, and
the draft button leads to the transfer."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from browser_fixtures import PHONE, kassenwart_command, log_in, run_env, serving
from einvoices import Spec, cii, girocode_picture, ubl
from statement_samples import camt053

pytestmark = pytest.mark.browser


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def server(tmp_path):
    env = run_env(tmp_path)
    statement = tmp_path / "auszug.xml"
    statement.write_bytes(camt053())  # the company's account comes with its first statement
    for step in (["init", "--company", "Nordlicht Software GmbH", "--admin", "a", "--password", "p"],
                 ["import-statement", str(statement)]):
        done = subprocess.run([*kassenwart_command(), *step], env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr[-2000:]
    with serving(["serve"], env, tmp_path) as base:
        yield base


def test_phone_upload_list_detail_and_draft(server, browser, shots, tmp_path):
    from playwright.sync_api import expect

    today = timezone.localdate()
    files = {
        "lieferant-rechnung-mit-langem-dateinamen-2026-12.xml": ubl(Spec(
            issue=today, due=today + timedelta(days=30),
            seller="Bürobedarf Müller GmbH & Co. KG mit einem sehr langen Firmennamen",
            lines=(("Kopierpapier A4 80 g/m² weiß, 500 Blatt je Paket, 5 Pakete je Karton", Decimal("10"), Decimal("25.00")),)),
        ),
        "cii.xml": cii(Spec(number="RE-77", issue=today, due=today + timedelta(days=5), terms="")),
        "girocode.png": girocode_picture(),
        "kaputt.xml": ubl(Spec(number="RE-X", overrides={"payable": "1.00"})),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    context = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, server, "a", "p")
    page.goto(f"{server}/bills/")
    page.set_input_files("input[name=files]", [str(tmp_path / name) for name in files])
    page.get_by_role("button", name="Importieren").click()
    expect(page.locator("body")).to_contain_text("kaputt.xml: abgelehnt")
    expect(page.locator("body")).to_contain_text("BR-CO-16")
    expect(page.locator("table.bills tbody tr")).to_have_count(3)
    expect(page.locator("table.bills")).to_contain_text("bald fällig")
    page.screenshot(path=shots / "phone-bills.png", full_page=True)
    assert overflow(page) <= 0, f"the bills list is {overflow(page)} px wider than the phone"

    page.get_by_role("link", name="Bürobedarf Müller GmbH & Co. KG mit einem sehr langen Firmennamen").click()
    expect(page.locator("body")).to_contain_text("Kopierpapier A4")
    expect(page.locator("body")).to_contain_text("mit Skonto")
    page.screenshot(path=shots / "phone-bill-detail.png", full_page=True)
    assert overflow(page) <= 0, f"the bill's page is {overflow(page)} px wider than the phone"
    page.get_by_role("button", name="Überweisung entwerfen").click()
    expect(page).to_have_url(re.compile(r"/payments/\d+/$"))
    expect(page.locator("body")).to_contain_text("Überweisung entworfen")
