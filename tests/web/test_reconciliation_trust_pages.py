"""What a person undid stays undone on the screens, and a map across customers asks first."""

from decimal import Decimal

from django.urls import reverse

from kassenwart.reconciliation.models import Match
from kassenwart.reconciliation.reasons import app_reason
from kassenwart.reconciliation.services import reconcile_company

KUNDE_EINS_IBAN = "DE12500105170648489890"  # customer 10004 by its master data


def _text(response) -> str:
    return response.content.decode()


def test_an_undone_match_is_shown_again_as_undone_before_and_not_applied(books, company, english):
    match = Match.objects.get(transaction=books.auto)
    english.post(reverse("reconciliation_undo", args=[match.pk]))
    reconcile_company(company)
    assert not Match.objects.filter(transaction=books.auto, undone_at__isnull=True).exists()
    text = _text(english.get(reverse("reconciliation_map", args=[books.auto.pk])))
    assert "RE-2026-0005" in text and "undone by a person before" in text


def test_a_map_across_customers_asks_for_confirmation(books, company, db_rows, english):
    tx = db_rows.transaction(books.account, "250.00", counterparty_name="Kunde Eins GmbH",
                             counterparty_iban=KUNDE_EINS_IBAN, remittance="Zahlung für Beispiel AG")
    invoice = books.invoices["RE-2026-0001"]  # Beispiel AG's (10001)
    url = reverse("reconciliation_map_save", args=[tx.pk])
    rows = {"invoice": [invoice.pk], f"amount_{invoice.pk}": "250,00"}

    response = english.post(url, rows)
    assert response.status_code == 400
    text = _text(response)
    assert "The payer is known as customer 10004, but RE-2026-0001 belongs to another customer (10001)." in text
    assert 'name="confirm_other_customer"' in text
    assert not Match.objects.filter(transaction=tx).exists()

    response = english.post(url, {**rows, "confirm_other_customer": "1"}, follow=True)
    assert "Payment from Kunde Eins GmbH mapped to RE-2026-0001." in _text(response)
    match = Match.objects.get(transaction=tx)
    assert match.reasons == [app_reason("mapped_by_hand"), app_reason("other_customer", invoice="10001", payer="10004")]
    assert books.invoice("RE-2026-0001").open_amount == Decimal("0.00")


def test_a_suggestion_across_customers_is_accepted_only_when_ticked(books, company, db_rows, english):
    tx = db_rows.transaction(books.account, "250.00", counterparty_name="Kunde Eins GmbH",
                             counterparty_iban=KUNDE_EINS_IBAN, remittance="RE-2026-0001")
    reconcile_company(company)
    assert not Match.objects.filter(transaction=tx).exists()
    text = _text(english.get(reverse("reconciliation_map", args=[tx.pk])))
    assert "invoice of customer 10001, payer known as customer 10004" in text
    assert "Yes, another customer's invoice" in text

    key = str(books.invoices["RE-2026-0001"].pk)
    url = reverse("reconciliation_accept", args=[tx.pk])
    response = english.post(url, {"invoices": key}, follow=True)
    assert "belongs to another customer" in _text(response)
    assert not Match.objects.filter(transaction=tx).exists()
    english.post(url, {"invoices": key, "confirm_other_customer": "1"})
    assert Match.objects.get(transaction=tx).kind == "manual"
