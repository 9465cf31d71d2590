"""German by default, English on request; numbers and dates follow the language."""

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse


@pytest.fixture
def page(company, db_rows, admin, client_for):
    account = db_rows.account(company, name="Giro")
    db_rows.transaction(account, "-1234.56", counterparty_name="Lieferant Zwei AG", booking_date=date(2026, 7, 21))
    return client_for(admin)


def test_german_is_the_default(page):
    response = page.get(reverse("transaction_list"))
    text = response.content.decode()
    assert '<html lang="de">' in text
    for german in ("Umsätze", "Kontoauszüge", "Rechnungen", "Verwendungszweck", "Abmelden", "1 Umsatz"):
        assert german in text, german
    assert "-1.234,56\u00a0EUR" in text
    assert "21.07.2026" in text
    assert 'class="amount neg"' in text


def test_english_after_switching_the_language(page):
    response = page.post(reverse("set_language"), {"language": "en", "next": reverse("transaction_list")})
    assert response.status_code == 302
    assert page.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    text = page.get(reverse("transaction_list")).content.decode()
    assert '<html lang="en">' in text
    for english in ("Transactions", "Statements", "Invoices", "Remittance information", "Log out", "1 transaction"):
        assert english in text, english
    assert "Umsätze" not in text
    assert "-1,234.56\u00a0EUR" in text
    assert "07/21/2026" in text


def test_the_browser_language_counts_until_one_is_chosen(page):
    text = page.get(reverse("home"), headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "Accounts" in text
    page.post(reverse("set_language"), {"language": "de"})
    text = page.get(reverse("home"), headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "Konten" in text


def test_login_page_in_both_languages(db, client):
    assert "Anmelden" in client.get(reverse("login")).content.decode()
    assert "Log in" in client.get(reverse("login"), headers={"Accept-Language": "en"}).content.decode()
