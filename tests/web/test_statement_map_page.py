"""Mapping an unknown CSV layout on the statements page (Django's test client; the browser
test in test_browser_csv_mapping.py goes the same way in Chromium)."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kassenwart.banking.models import BankAccount, StatementImport, Transaction

IBAN = "DE89370400440532013000"
# No profile knows it: a header row, unsigned amounts and an S/H column.
JANUARY = "Tag;Wer;Zweck;Summe;S/H\r\n01.02.2026;Vermieter;Miete Februar;1.500,00;S\r\n02.02.2026;Kunde AG;RE-7;20,50;H\r\n"
FEBRUARY = "Tag;Wer;Zweck;Summe;S/H\r\n03.03.2026;Stadtwerke;Strom;80,00;S\r\n"


def columns_page(client, account):
    return client.post(reverse("statement_map"), {
        "account": account.pk, "file": SimpleUploadedFile("jan.csv", JANUARY.encode("cp1252"))})


def fields(page, **choices) -> dict:
    """The mapping form of the page as the browser would send it, with the person's choices."""
    text = page.content.decode()
    found = {name: value for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', text)}
    found.pop("csrfmiddlewaretoken", None)
    return {**found, "delimiter": ";", "date_format": "%d.%m.%Y|%d.%m.%y", "decimal_comma": "comma",
            "has_header": "on", **choices}


def test_an_unknown_layout_is_mapped_previewed_with_signs_imported_and_its_next_file_needs_no_mapping(
        company, admin, client_for):
    account = BankAccount.objects.create(company=company, name="Giro", iban=IBAN)
    client = client_for(admin)
    refused = client.post(reverse("statement_upload"), {
        "files": [SimpleUploadedFile("jan.csv", JANUARY.encode("cp1252"))], "account": account.pk}, follow=True)
    assert "Spalten zuordnen" in refused.content.decode() and reverse("statement_map") in refused.content.decode()

    page = columns_page(client, account)
    assert page.status_code == 200
    text = page.content.decode()
    assert "<td>Vermieter</td>" in text and '<input type="checkbox" name="has_header"' in text and "checked" in text

    chosen = {"booking_date": "#1", "counterparty_name": "#2", "remittance_1": "#3", "amount": "#4", "indicator": "#5"}
    preview = client.post(reverse("statement_map"), {**fields(page), **chosen, "action": "preview"})
    shown = preview.content.decode()
    assert preview.status_code == 200 and 'id="preview"' in shown
    assert re.search(r'<span class="amount neg">-1\.500,00\xa0EUR</span>', shown)
    assert re.search(r'\+<span class="amount">20,50\xa0EUR</span>', shown)
    assert not Transaction.objects.exists()  # a preview imports nothing

    done = client.post(reverse("statement_map"), {**fields(page), **chosen, "action": "import"}, follow=True)
    assert done.status_code == 200
    assert sorted(str(a) for a in Transaction.objects.values_list("amount", flat=True)) == ["-1500.00", "20.50"]
    account.refresh_from_db()
    assert account.csv_mapping["indicator"] == "S/H" and account.csv_mapping["amount"] == "Summe"

    client.post(reverse("statement_upload"), {
        "files": [SimpleUploadedFile("feb.csv", FEBRUARY.encode("cp1252"))], "account": account.pk})
    assert StatementImport.objects.get(file_name="feb.csv").added == 1
    assert Transaction.objects.filter(account=account).count() == 3


def test_a_mapping_that_does_not_read_the_file_shows_the_line_and_column(company, admin, client_for):
    account = BankAccount.objects.create(company=company, name="Giro", iban=IBAN)
    client = client_for(admin)
    page = columns_page(client, account)
    unsigned = client.post(reverse("statement_map"), {**fields(page), "booking_date": "#1", "amount": "#4",
                                                      "action": "preview"})
    assert "column 5 holds debit/credit marks" in unsigned.content.decode()
    wrong_date = client.post(reverse("statement_map"), {**fields(page), "booking_date": "#2", "amount": "#4",
                                                        "indicator": "#5", "action": "import"})
    assert 'line 2, column &quot;Wer&quot;: &quot;Vermieter&quot; is not a date' in wrong_date.content.decode()
    assert not Transaction.objects.exists() and account.csv_mapping is None


def test_another_companys_account_cannot_be_chosen(company, admin, client_for):
    from kassenwart.companies.services import company_create

    foreign = BankAccount.objects.create(company=company_create("Andere GmbH", via="test"), name="Fremd", iban=IBAN)
    client = client_for(admin)
    assert columns_page(client, foreign).status_code == 400
