"""Finding transactions and invoices: text, amounts in German or English, filters, pages."""

from datetime import date

import pytest
from django.urls import reverse


@pytest.fixture
def rows(company, db_rows):
    giro = db_rows.account(company, name="Giro")
    tagesgeld = db_rows.account(company, name="Tagesgeld")
    db_rows.transaction(giro, "1234.56", counterparty_name="Kunde Eins GmbH", remittance="RE-2026-0042",
                     counterparty_iban="DE12500105170648489890", booking_date=date(2026, 7, 20))
    db_rows.transaction(giro, "-1234.56", counterparty_name="Lieferant Zwei AG", remittance="Bestellung 77",
                     booking_date=date(2026, 7, 21))
    db_rows.transaction(giro, "1234.50", counterparty_name="Fast Gleich KG", remittance="knapp daneben",
                     booking_date=date(2026, 7, 22))
    db_rows.transaction(tagesgeld, "15.00", counterparty_name="Zinsen", remittance="Habenzinsen",
                     booking_date=date(2026, 6, 30))
    db_rows.pending(giro, "-80.00", counterparty_name="Kartenzahlung Tankstelle", booking_date=None)
    db_rows.pending(tagesgeld, "-5.00", counterparty_name="Kontoführung vorgemerkt", booking_date=None)
    return giro, tagesgeld


def _names(client, query=""):
    response = client.get(reverse("transaction_list") + query)
    assert response.status_code == 200
    page = response.context["page"]
    return [tx.counterparty_name for tx in page.object_list]


def test_search_by_amount_in_german_format(rows, admin, client_for):
    client = client_for(admin)
    assert _names(client, "?q=1.234,56") == ["Lieferant Zwei AG", "Kunde Eins GmbH"]
    assert _names(client, "?q=1234,56") == ["Lieferant Zwei AG", "Kunde Eins GmbH"]
    assert _names(client, "?q=-1.234,56") == ["Lieferant Zwei AG"]


def test_search_by_amount_with_a_decimal_point(rows, admin, client_for):
    assert _names(client_for(admin), "?q=1234.56") == ["Lieferant Zwei AG", "Kunde Eins GmbH"]


def test_search_by_whole_euros_finds_every_amount_of_those_euros(rows, admin, client_for):
    client = client_for(admin)
    assert _names(client, "?q=1234") == ["Fast Gleich KG", "Lieferant Zwei AG", "Kunde Eins GmbH"]
    assert _names(client, "?q=1.234") == ["Fast Gleich KG", "Lieferant Zwei AG", "Kunde Eins GmbH"]
    assert _names(client, "?q=-1234") == ["Lieferant Zwei AG"]
    assert _names(client, "?q=1234,50") == ["Fast Gleich KG"]
    assert _names(client, "?q=1235") == []


def test_search_by_text_name_and_iban(rows, admin, client_for):
    client = client_for(admin)
    assert _names(client, "?q=re-2026-0042") == ["Kunde Eins GmbH"]
    assert _names(client, "?q=lieferant") == ["Lieferant Zwei AG"]
    assert _names(client, "?q=DE12 5001 0517") == ["Kunde Eins GmbH"]


def test_newest_first_and_filters(rows, admin, client_for):
    giro, tagesgeld = rows
    client = client_for(admin)
    assert _names(client) == ["Fast Gleich KG", "Lieferant Zwei AG", "Kunde Eins GmbH", "Zinsen"]
    assert _names(client, f"?account={tagesgeld.pk}") == ["Zinsen"]
    assert _names(client, "?direction=debit") == ["Lieferant Zwei AG"]
    assert _names(client, "?direction=credit&date_from=2026-07-01&date_to=2026-07-21") == ["Kunde Eins GmbH"]
    assert _names(client, "?date_from=21.07.2026") == ["Fast Gleich KG", "Lieferant Zwei AG"]


def test_bad_filter_values_are_ignored_not_fatal(rows, admin, client_for):
    client = client_for(admin)
    assert len(_names(client, "?account=999999&date_from=gestern&page=abc&direction=sideways")) == 4


def test_pending_shown_apart_for_the_account_filter(rows, admin, client_for):
    giro, tagesgeld = rows
    client = client_for(admin)
    response = client.get(reverse("transaction_list"))
    assert {p.counterparty_name for p in response.context["pending"]} == {
        "Kontoführung vorgemerkt", "Kartenzahlung Tankstelle"
    }
    response = client.get(reverse("transaction_list") + f"?account={giro.pk}")
    assert [p.counterparty_name for p in response.context["pending"]] == ["Kartenzahlung Tankstelle"]
    text = response.content.decode()
    assert text.index("Kartenzahlung Tankstelle") < text.index("Lieferant Zwei AG")


def test_htmx_gets_only_the_results(rows, admin, client_for):
    client = client_for(admin)
    response = client.get(reverse("transaction_list") + "?q=1.234,56", headers={"HX-Request": "true"})
    text = response.content.decode()
    assert "<html" not in text and "Lieferant Zwei AG" in text and "Fast Gleich" not in text
    assert "HX-Request" in response["Vary"]
    restore = client.get(
        reverse("transaction_list"), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()


def test_live_search_attributes(rows, admin, client_for):
    text = client_for(admin).get(reverse("transaction_list")).content.decode()
    assert 'hx-trigger="keyup changed delay:300ms, search"' in text
    assert 'hx-target="#results"' in text and 'id="results"' in text


def test_fifty_per_page(company, db_rows, admin, client_for):
    account = db_rows.account(company)
    for day in range(1, 31):
        for n in range(2):
            db_rows.transaction(account, f"{day}.{n:02d}", booking_date=date(2026, 5, day), counterparty_name=f"T{day}-{n}")
    db_rows.pending(account, "-1.00", counterparty_name="Nur auf Seite eins")
    client = client_for(admin)
    first = client.get(reverse("transaction_list"))
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].object_list[0].counterparty_name == "T30-1"
    assert "Nur auf Seite eins" in first.content.decode()
    assert "?page=2" in first.content.decode()
    second = client.get(reverse("transaction_list") + "?page=2")
    assert len(second.context["page"].object_list) == 10
    assert "Nur auf Seite eins" not in second.content.decode()


def test_pagination_keeps_the_filters(company, db_rows, admin, client_for):
    account = db_rows.account(company)
    for n in range(51):
        db_rows.transaction(account, "9.99", counterparty_name=f"Kunde {n}")
    text = client_for(admin).get(reverse("transaction_list") + "?q=9%2C99&direction=credit").content.decode()
    assert "?q=9%2C99&amp;direction=credit&amp;page=2" in text


@pytest.fixture
def invoices(company, db_rows):
    db_rows.invoice(company, "RE-2026-0001", "1234.56")
    db_rows.invoice(company, "RE-2026-0002", "500.00", open_amount="200.00")
    db_rows.invoice(company, "RE-2026-0003", "99.00", open_amount="0.00", status="paid")


def _numbers(client, query=""):
    response = client.get(reverse("invoice_list") + query)
    assert response.status_code == 200
    return sorted(i.number for i in response.context["page"].object_list)


def test_invoice_search(invoices, member, client_for):
    client = client_for(member)
    assert _numbers(client, "?q=1.234,56") == ["RE-2026-0001"]
    assert _numbers(client, "?q=200,00") == ["RE-2026-0002"]
    assert _numbers(client, "?q=musterkunde") == ["RE-2026-0001", "RE-2026-0002", "RE-2026-0003"]
    assert _numbers(client, "?q=0003") == ["RE-2026-0003"]
    assert _numbers(client, "?status=partially_paid") == ["RE-2026-0002"]
    assert _numbers(client, "?status=paid&q=RE-2026") == ["RE-2026-0003"]
    partial = client.get(reverse("invoice_list") + "?q=0001", headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and "RE-2026-0001" in partial.content.decode()
