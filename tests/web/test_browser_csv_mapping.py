"""Mapping an unknown CSV layout in a real browser, on a phone: the upload is refused with a
way out, the columns are picked beside the file's first rows, the preview shows the signs the
S/H column gives, the import keeps the mapping, and the next file of the layout imports from
the plain upload without asking. Against a real `kassenwart serve`.

Screenshots go to $KASSENWART_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import pytest

from browser_fixtures import PHONE, log_in, serving_books

pytestmark = pytest.mark.browser

BOOKS = """
import django
django.setup()
from kassenwart.banking.models import BankAccount
from kassenwart.companies.models import Company
account = BankAccount.objects.create(company=Company.objects.get(), name="Giro", iban="DE89370400440532013000")
print(account.pk)
"""
# A bank no profile knows: a preamble-free header, unsigned amounts, debit/credit in "S/H".
JANUARY = (
    "Tag;Wer;Zweck;Summe;S/H\r\n"
    "01.02.2026;Vermieter GmbH;Miete Februar;1.500,00;S\r\n"
    "02.02.2026;Kunde AG;RE-2026-7;20,50;H\r\n"
)
FEBRUARY = "Tag;Wer;Zweck;Summe;S/H\r\n03.03.2026;Stadtwerke;Strom;80,00;S\r\n"


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_a_person_maps_an_s_h_layout_on_a_phone_and_the_next_file_imports_without_asking(
        tmp_path, browser, shots):
    from playwright.sync_api import expect

    (tmp_path / "januar.csv").write_text(JANUARY, encoding="cp1252")
    (tmp_path / "februar.csv").write_text(FEBRUARY, encoding="cp1252")
    with serving_books(tmp_path, BOOKS) as (base, account, _env):
        context = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True)
        page = context.new_page()
        page.set_default_timeout(20_000)
        log_in(page, base, "a", "p")

        # the plain upload does not know the layout and says what to do
        page.goto(f"{base}/statements/")
        page.set_input_files("input[name=files]", tmp_path / "januar.csv")
        page.select_option("select[name=account]", str(account))
        page.get_by_role("button", name="Importieren").click()
        expect(page.locator("main")).to_contain_text("Dieses CSV-Format ist unbekannt")
        page.get_by_role("link", name="Spalten zuordnen").click()

        # the account and the file, then the columns beside the file's first rows
        page.select_option("select[name=account]", str(account))
        page.set_input_files("input[name=file]", tmp_path / "januar.csv")
        page.get_by_role("button", name="Spalten zeigen").click()
        expect(page.locator("#file-rows")).to_contain_text("Vermieter GmbH")
        expect(page.get_by_label("Die erste Zeile benennt die Spalten")).to_be_checked()
        for label, column in (("Buchungstag", "#1"), ("Name des Zahlungsbeteiligten", "#2"),
                              ("Verwendungszweck", "#3"), ("Betrag", "#4"), ("Soll/Haben-Kennzeichen (S/H)", "#5")):
            page.get_by_label(label, exact=True).select_option(column)
        page.get_by_role("button", name="Vorschau").click()

        # the preview: the rent is money out, the payment money in; nothing imported yet
        preview = page.locator("#preview")
        expect(preview.locator("tr").nth(1)).to_contain_text("-1.500,00")
        expect(preview.locator("tr").nth(2)).to_contain_text("+20,50")
        expect(preview.locator(".amount.neg")).to_have_count(1)
        page.screenshot(path=shots / "phone-csv-mapping-preview.png", full_page=True)
        assert overflow(page) <= 0, f"the mapping page is {overflow(page)} px wider than the phone"
        page.get_by_role("button", name="Mit dieser Zuordnung importieren").click()
        expect(page.locator("main")).to_contain_text("2 Umsätze neu")

        # the next file of the layout: the plain upload, the account, no questions
        page.goto(f"{base}/statements/")
        page.set_input_files("input[name=files]", tmp_path / "februar.csv")
        page.select_option("select[name=account]", str(account))
        page.get_by_role("button", name="Importieren").click()
        expect(page.locator("main")).to_contain_text("1 Umsatz neu")
        page.goto(f"{base}/transactions/?q=Stadtwerke")
        expect(page.locator("#results")).to_contain_text("-80,00")
        page.screenshot(path=shots / "phone-csv-mapping-next-file.png", full_page=True)
        context.close()
