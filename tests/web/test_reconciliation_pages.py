"""The reconciliation screens: open payments with suggestions, accept, reject, map by hand,
not an invoice payment, matched payments and undo, and what the detail pages show."""

from decimal import Decimal

from django.urls import reverse

from kassenwart.core.models import AuditEvent
from kassenwart.reconciliation.models import Match, RejectedSuggestion, TransactionState
from kassenwart.reconciliation.reasons import app_reason, worded
from kassenwart.reconciliation.services import match_create, reconcile_company


def _key(*invoices) -> str:
    return ",".join(str(pk) for pk in sorted(invoice.pk for invoice in invoices))


def _state(tx) -> TransactionState:
    return TransactionState.objects.get(pk=tx.pk)


def _text(response) -> str:
    return response.content.decode()


# -- the open list -------------------------------------------------------------------------


def test_open_list_shows_payments_with_ranked_suggestions_and_reasons(books, english):
    text = _text(english.get(reverse("reconciliation_open")))
    for expected in (
        "3 payments",
        "Hans Meier", "Vielen Dank", "250.00\u00a0EUR", "07/21/2026",
        "RE-2026-0001", "Beispiel AG", "RE-2026-0002", "Muster KG", "RE-2026-0004", "Nordwind OHG",
        "amount equals open amount", "low confidence",
        "Sammelzahler Nord", "Versicherung AG", "no open invoice fits",
        reverse("reconciliation_accept", args=[books.ambiguous.pk]),
        reverse("reconciliation_reject", args=[books.ambiguous.pk]),
        reverse("reconciliation_map", args=[books.collective.pk]),
        f'name="invoices" value="{_key(books.invoices["RE-2026-0001"])}"',
    ):
        assert expected in text, expected
    assert "Kunde Eins GmbH" not in text  # reconciled automatically


def test_open_list_in_german_says_the_reasons_and_amounts_in_german(books, member, client_for):
    from django.conf import settings

    german = client_for(member)
    german.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    text = _text(german.get(reverse("reconciliation_open")))
    for expected in (
        "Hans Meier", "250,00\u00a0EUR", "21.07.2026", "RE-2026-0002",
        "Betrag gleich dem offenen Betrag", "keine offene Rechnung passt",
    ):
        assert expected in text, expected
    for english in ("amount equals open amount", "no open invoice fits", "250.00\u00a0EUR", "reconciliation.reason."):
        assert english not in text, english


def test_open_list_search_and_filters(books, company, db_rows, english):
    other = db_rows.account(company, name="Tagesgeld")
    db_rows.transaction(other, "12.00", counterparty_name="Zinsgutschrift Bank")
    db_rows.transaction(other, "1897.48", counterparty_name="Großkunde Süd")
    reconcile_company(company)

    def payers(query=""):
        response = english.get(reverse("reconciliation_open") + query)
        return [row.tx.counterparty_name for row in response.context["payments"]]

    assert payers() == ["Hans Meier", "Zinsgutschrift Bank", "Großkunde Süd", "Sammelzahler Nord", "Versicherung AG"]
    assert payers("?q=hans") == ["Hans Meier"]
    assert payers("?q=343,00") == ["Sammelzahler Nord"]
    for typed in ("1897", "1897,48", "1.897,48", "1897.48"):
        assert payers(f"?q={typed}") == ["Großkunde Süd"], typed
    assert payers("?q=1897,49") == []
    assert payers(f"?account={other.pk}") == ["Zinsgutschrift Bank", "Großkunde Süd"]
    assert payers("?date_from=2026-07-22") == ["Sammelzahler Nord", "Versicherung AG"]
    assert payers("?status=ignored") == []
    # htmx asks for the results only
    partial = english.get(reverse("reconciliation_open") + "?q=hans", headers={"HX-Request": "true"})
    assert "<html" not in _text(partial) and "Hans Meier" in _text(partial)


def test_open_list_pages(company, db_rows, english):
    account = db_rows.account(company)
    for n in range(55):
        db_rows.transaction(account, f"{n + 1}.00", counterparty_name=f"Zahler {n:02d}")
    reconcile_company(company)
    first = english.get(reverse("reconciliation_open"))
    assert len(first.context["payments"]) == 50 and "Page 1 of 2" in _text(first)
    second = english.get(reverse("reconciliation_open") + "?page=2")
    assert len(second.context["payments"]) == 5


def _suggested_payments(company, db_rows, count: int):
    """`count` open payments, each with three suggestions, every fifth one partly mapped."""
    account = db_rows.account(company)
    for n in range(count):
        invoices = [db_rows.invoice(company, f"RE-{count}-{n}-{i}", "10.00") for i in range(3)]
        tx = db_rows.transaction(account, "30.00", counterparty_name=f"Zahler {n}")
        suggestions = [
            {"allocations": {str(inv.pk): "10.00"}, "confidence": 0.4, "reasons": [app_reason("amount_equals")]}
            for inv in invoices
        ]
        TransactionState.objects.create(transaction=tx, company=company, suggestions=suggestions)
        if n % 5 == 0:
            match_create(company, tx, [(invoices[0], Decimal("10.00"), Decimal("0.00"))], user=None)


def test_open_list_queries_do_not_grow_with_the_rows(company, db_rows, english, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    english.get(reverse("reconciliation_open"))  # warm up the session
    _suggested_payments(company, db_rows, 2)
    with CaptureQueriesContext(connection) as few:
        english.get(reverse("reconciliation_open"))
    _suggested_payments(company, db_rows, 30)
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as many:
        response = english.get(reverse("reconciliation_open"))
    assert len(many) == len(few)
    assert "partly mapped, 20.00\u00a0EUR left" in _text(response)


# -- accept and reject ---------------------------------------------------------------------


def test_accept_a_suggestion(books, english):
    invoice = books.invoices["RE-2026-0002"]
    url = reverse("reconciliation_accept", args=[books.ambiguous.pk])
    response = english.post(url, {"invoices": _key(invoice), "next": reverse("reconciliation_open")}, follow=True)
    assert "Suggestion accepted: the payment from Hans Meier is reconciled." in _text(response)
    match = Match.objects.get(transaction=books.ambiguous)
    assert match.kind == "manual" and app_reason("suggestion_accepted") in match.reasons
    assert [a.invoice.number for a in match.allocations.all()] == ["RE-2026-0002"]
    assert books.invoice("RE-2026-0002").status == "paid"
    assert _state(books.ambiguous).status == "matched"
    assert "Hans Meier" not in _text(english.get(reverse("reconciliation_open")))
    assert "Hans Meier" in _text(english.get(reverse("reconciliation_matched")))


def test_accept_follows_the_invoices_not_the_rank(books, english):
    """A run may re-rank the suggestions between showing and clicking: the form names the
    invoices, so the right one is accepted, and a vanished one is refused."""
    state = _state(books.ambiguous)
    state.suggestions.reverse()
    state.save()
    url = reverse("reconciliation_accept", args=[books.ambiguous.pk])
    english.post(url, {"invoices": _key(books.invoices["RE-2026-0001"])})
    assert Match.objects.get(transaction=books.ambiguous).allocations.get().invoice.number == "RE-2026-0001"

    url = reverse("reconciliation_accept", args=[books.collective.pk])
    response = english.post(url, {"invoices": _key(books.invoices["RE-2026-0003"])}, follow=True)
    assert "That suggestion is no longer there." in _text(response)
    assert not Match.objects.filter(transaction=books.collective).exists()


def test_reject_a_suggestion_and_it_does_not_come_back(books, company, english):
    rejected = books.invoices["RE-2026-0001"]
    url = reverse("reconciliation_reject", args=[books.ambiguous.pk])
    response = english.post(url, {"invoices": _key(rejected)}, follow=True)
    assert "Suggestion rejected" in _text(response)
    assert RejectedSuggestion.objects.filter(transaction=books.ambiguous).count() == 1
    assert "RE-2026-0001" not in _text(english.get(reverse("reconciliation_open")))
    reconcile_company(company)
    text = _text(english.get(reverse("reconciliation_open")))
    assert "RE-2026-0001" not in text and "RE-2026-0002" in text


# -- map by hand ---------------------------------------------------------------------------


def _rows(client, tx, data, target="mapping"):
    url = reverse("reconciliation_map_rows", args=[tx.pk])
    return client.post(url, data, headers={"HX-Request": "true", "HX-Target": f"div#{target}"})


def test_map_page_shows_payment_suggestions_and_finds_open_invoices(books, english):
    text = _text(english.get(reverse("reconciliation_map", args=[books.ambiguous.pk])))
    for expected in ("Hans Meier", "Vielen Dank", "RE-2026-0001", "amount equals open amount", 'id="map-form"',
                     "Not an invoice payment"):
        assert expected in text, expected
    found = _text(_rows(english, books.collective, {"q": "nordwind"}, target="invoice-results"))
    assert "RE-2026-0003" in found and "RE-2026-0004" in found and "RE-2026-0001" not in found
    assert "<html" not in found
    assert "RE-2026-0002" in _text(_rows(english, books.collective, {"q": "250,00"}, target="invoice-results"))
    whole_euros = _text(_rows(english, books.collective, {"q": "250"}, target="invoice-results"))
    assert "RE-2026-0002" in whole_euros and "RE-2026-0004" in whole_euros and "RE-2026-0003" not in whole_euros
    paid = _text(_rows(english, books.collective, {"q": "RE-2026-0005"}, target="invoice-results"))
    assert "No open invoice matches." in paid  # reconciled automatically, nothing open


def test_map_split_over_two_invoices_with_skonto_written_off(books, english):
    first, second = books.invoices["RE-2026-0003"], books.invoices["RE-2026-0004"]
    # adding invoices prefills the open amount; the last one gets what is left of the payment
    step = _rows(english, books.collective, {"add": first.pk})
    assert f'name="amount_{first.pk}" value="100.00"' in _text(step)
    rows = {"invoice": [first.pk], f"amount_{first.pk}": "100.00", "add": second.pk}
    step = _text(_rows(english, books.collective, rows))
    assert f'name="amount_{second.pk}" value="243.00"' in step
    assert "RE-2026-0004: bank fee (7.00\u00a0EUR)" in step

    rows = {"invoice": [first.pk, second.pk], f"amount_{first.pk}": "98,00", f"amount_{second.pk}": "245,00"}
    difference = _text(_rows(english, books.collective, rows, target="difference"))
    assert "RE-2026-0003: Skonto 2 % (2.00\u00a0EUR) — write it off to close the invoice" in difference
    assert "RE-2026-0004: Skonto 2 % (5.00\u00a0EUR)" in difference
    rows.update({f"write_off_{first.pk}": "on", f"write_off_{second.pk}": "on"})
    assert "RE-2026-0004: Skonto 2 % (5.00\u00a0EUR), written off" in _text(
        _rows(english, books.collective, rows, target="difference")
    )

    response = english.post(reverse("reconciliation_map_save", args=[books.collective.pk]), rows, follow=True)
    assert "Payment from Sammelzahler Nord mapped to RE-2026-0003, RE-2026-0004." in _text(response)
    match = Match.objects.get(transaction=books.collective)
    assert match.kind == "manual"
    assert sorted((a.invoice.number, a.amount, a.write_off) for a in match.allocations.all()) == [
        ("RE-2026-0003", Decimal("98.00"), Decimal("2.00")),
        ("RE-2026-0004", Decimal("245.00"), Decimal("5.00")),
    ]
    assert books.invoice("RE-2026-0003").status == books.invoice("RE-2026-0004").status == "paid"
    assert _state(books.collective).status == "matched"


def test_map_a_partial_payment_keeps_the_rest_open(books, english):
    invoice = books.invoices["RE-2026-0004"]
    rows = {"invoice": [invoice.pk], f"amount_{invoice.pk}": "200,00"}
    difference = _text(_rows(english, books.collective, rows, target="difference"))
    assert "RE-2026-0004: partial payment — 50.00\u00a0EUR left of the invoice" in difference
    assert "143.00\u00a0EUR of the payment left unassigned" in difference
    english.post(reverse("reconciliation_map_save", args=[books.collective.pk]), rows)
    assert books.invoice("RE-2026-0004").open_amount == Decimal("50.00")
    assert _state(books.collective).status == "partially_matched"
    # the rest of the payment still waits, with what is left
    assert "partly mapped, 143.00\u00a0EUR left" in _text(english.get(reverse("reconciliation_open")))


def test_map_shows_what_fits_exactly_and_what_is_too_much(books, english):
    invoice = books.invoices["RE-2026-0001"]
    exact = {"invoice": [invoice.pk], f"amount_{invoice.pk}": "250"}
    assert "Fits exactly." in _text(_rows(english, books.ambiguous, exact, target="difference"))
    too_much = {"invoice": [invoice.pk], f"amount_{invoice.pk}": "260,00"}
    text = _text(_rows(english, books.ambiguous, too_much, target="difference"))
    assert "10.00\u00a0EUR more than is left of the payment" in text
    assert "RE-2026-0001: overpaid by 10.00\u00a0EUR" in text


def test_map_errors_are_shown_on_the_form(books, english):
    invoice = books.invoices["RE-2026-0004"]
    url = reverse("reconciliation_map_save", args=[books.ambiguous.pk])
    response = english.post(url, {"invoice": [invoice.pk], f"amount_{invoice.pk}": "260,00"})
    assert response.status_code == 400
    text = _text(response)
    assert "exceed what is left of the payment" in text  # the service's own words
    assert f'name="amount_{invoice.pk}" value="260,00"' in text  # what was typed stays
    response = english.post(url, {"invoice": [invoice.pk], f"amount_{invoice.pk}": "zweihundert"})
    assert response.status_code == 400 and "Enter the amount for RE-2026-0004 as a number" in _text(response)
    response = english.post(url, {})
    assert response.status_code == 400 and "Choose at least one invoice." in _text(response)
    assert not Match.objects.filter(transaction=books.ambiguous).exists()
    assert books.invoice("RE-2026-0004").open_amount == Decimal("250.00")


def test_start_from_a_suggestion_and_remove_a_row(books, english):
    first, second = books.invoices["RE-2026-0001"], books.invoices["RE-2026-0002"]
    step = _text(_rows(english, books.ambiguous, {"start": _key(first)}))
    assert f'name="amount_{first.pk}" value="250.00"' in step
    rows = {"invoice": [first.pk, second.pk], f"amount_{first.pk}": "125", f"amount_{second.pk}": "125", "remove": first.pk}
    step = _text(_rows(english, books.ambiguous, rows))
    assert f'name="invoice" value="{second.pk}"' in step and f'name="invoice" value="{first.pk}"' not in step


def test_map_works_without_javascript(books, english):
    """Without htmx the buttons post the whole form and get the whole page back."""
    invoice = books.invoices["RE-2026-0001"]
    url = reverse("reconciliation_map_rows", args=[books.ambiguous.pk])
    text = _text(english.post(url, {"q": "RE-2026-0001", "add": invoice.pk}))
    assert "<html" in text and f'name="amount_{invoice.pk}" value="250.00"' in text and "Fits exactly." in text


# -- not an invoice payment ----------------------------------------------------------------


def test_ignore_with_a_reason_and_undo_it(books, english):
    url = reverse("reconciliation_ignore", args=[books.refund.pk])
    response = english.post(url, {"reason": "Erstattung der Versicherung"}, follow=True)
    text = _text(response)
    assert "Marked as not an invoice payment." in text and "Erstattung der Versicherung" in text
    assert reverse("reconciliation_unignore", args=[books.refund.pk]) in text
    state = _state(books.refund)
    assert (state.status, worded(state.ignore_reason)) == ("ignored", "Erstattung der Versicherung")
    assert AuditEvent.objects.filter(action="transaction.ignored").exists()
    assert "Versicherung AG" not in _text(english.get(reverse("reconciliation_open")))
    ignored = _text(english.get(reverse("reconciliation_open") + "?status=ignored"))
    assert "Versicherung AG" in ignored and "Erstattung der Versicherung" in ignored

    response = english.post(reverse("reconciliation_unignore", args=[books.refund.pk]), follow=True)
    assert "The payment waits for a person again." in _text(response)
    assert _state(books.refund).status == "open"
    assert "Versicherung AG" in _text(english.get(reverse("reconciliation_open")))


def test_ignore_needs_a_reason(books, english):
    response = english.post(reverse("reconciliation_ignore", args=[books.refund.pk]), {"reason": "  "})
    assert response.status_code == 400 and "errorlist" in _text(response)
    assert _state(books.refund).status == "open"


# -- matched payments and undo -------------------------------------------------------------


def test_matched_list_shows_who_made_each_match_and_why(books, company, member, english):
    match_create(
        company, books.collective, [(books.invoices["RE-2026-0003"], Decimal("100.00"), Decimal("0.00"))], user=member
    )
    text = _text(english.get(reverse("reconciliation_matched")))
    for expected in (
        "2 matches",
        "Kunde Eins GmbH", "1,234.56\u00a0EUR", "RE-2026-0005", "automatic", "by the matching",
        "invoice number RE-2026-0005 in remittance", "payer IBAN known for customer 10004",
        "Sammelzahler Nord", "RE-2026-0003", "by hand", f"by {member.username}", "mapped by hand",
        reverse("transaction_detail", args=[books.auto.pk]),
    ):
        assert expected in text, expected

    def payers(query):
        response = english.get(reverse("reconciliation_matched") + query)
        return [m.transaction.counterparty_name for m in response.context["page"].object_list]

    assert payers("?kind=auto") == ["Kunde Eins GmbH"]
    assert payers("?q=RE-2026-0003") == ["Sammelzahler Nord"]
    assert payers("?q=1.234,56") == ["Kunde Eins GmbH"]
    assert payers("?q=nordwind") == ["Sammelzahler Nord"]  # the invoice's customer


def test_undo_from_the_matched_list_restores_the_invoice(books, english):
    match = Match.objects.get(transaction=books.auto)
    assert books.invoice("RE-2026-0005").status == "paid"
    listing = reverse("reconciliation_matched")
    response = english.post(reverse("reconciliation_undo", args=[match.pk]), {"next": listing}, follow=True)
    assert response.redirect_chain[-1][0] == listing
    assert "Match undone" in _text(response)
    invoice = books.invoice("RE-2026-0005")
    assert (invoice.open_amount, invoice.status) == (Decimal("1234.56"), "open")
    assert Match.objects.get(pk=match.pk).undone_at is not None
    assert _state(books.auto).status == "open"
    assert "Kunde Eins GmbH" not in _text(english.get(listing))
    assert "Kunde Eins GmbH" in _text(english.get(reverse("reconciliation_open")))
    # undoing twice says so and changes nothing
    again = english.post(reverse("reconciliation_undo", args=[match.pk]), follow=True)
    assert "undone already" in _text(again)


def test_undo_asks_first_and_only_posts(books, english):
    match = Match.objects.get(transaction=books.auto)
    text = _text(english.get(reverse("reconciliation_matched")))
    assert '<details class="confirm">' in text and "Yes, undo this match" in text
    assert english.get(reverse("reconciliation_undo", args=[match.pk])).status_code == 405


def test_matched_list_queries_do_not_grow_with_the_rows(company, db_rows, english, django_assert_max_num_queries):
    account = db_rows.account(company)
    for n in range(30):
        tx = db_rows.transaction(account, "20.00", counterparty_name=f"Zahler {n}")
        invoices = [db_rows.invoice(company, f"RE-M-{n}-{i}", "10.00") for i in range(2)]
        match_create(company, tx, [(inv, Decimal("10.00"), Decimal("0.00")) for inv in invoices], user=None)
    english.get(reverse("reconciliation_matched"))
    with django_assert_max_num_queries(12):
        response = english.get(reverse("reconciliation_matched"))
    assert "RE-M-29-1" in _text(response)


# -- the detail pages ----------------------------------------------------------------------


def test_invoice_detail_lists_its_payments(books, english):
    text = _text(english.get(reverse("invoice_detail", args=[books.invoices["RE-2026-0005"].pk])))
    assert "<title>Invoice RE-2026-0005 · Kassenwart</title>" in text
    assert text.count("<h2>Payments</h2>") == 1 and "Kunde Eins GmbH" in text and "automatic" in text
    assert reverse("transaction_detail", args=[books.auto.pk]) in text
    empty = _text(english.get(reverse("invoice_detail", args=[books.invoices["RE-2026-0001"].pk])))
    assert "No payment is mapped to this invoice yet." in empty


def test_transaction_detail_shows_its_reconciliation(books, english):
    matched = _text(english.get(reverse("transaction_detail", args=[books.auto.pk])))
    assert "Reconciliation" in matched and "RE-2026-0005" in matched and "Yes, undo this match" in matched
    waiting = _text(english.get(reverse("transaction_detail", args=[books.ambiguous.pk])))
    assert reverse("reconciliation_map", args=[books.ambiguous.pk]) in waiting and "3 suggestions" in waiting


def test_outgoing_payments_are_not_reconciled(company, db_rows, english):
    tx = db_rows.transaction(db_rows.account(company), "-50.00", counterparty_name="Lieferant")
    assert "Reconciliation" not in _text(english.get(reverse("transaction_detail", args=[tx.pk])))
    assert english.get(reverse("reconciliation_map", args=[tx.pk])).status_code == 404


# -- in German -----------------------------------------------------------------------------


def test_the_screens_speak_german(books, member, client_for):
    client = client_for(member)  # German is the default
    text = _text(client.get(reverse("reconciliation_open")))
    for german in ("Offene Zahlungen", "Zugeordnet", "3 Zahlungen", "250,00\u00a0EUR", "21.07.2026", "Sicherheit niedrig",
                   "Betrag gleich dem offenen Betrag", "keine offene Rechnung passt", "Annehmen", "Ablehnen", "Zuordnen"):
        assert german in text, german
    first, second = books.invoices["RE-2026-0003"], books.invoices["RE-2026-0004"]
    rows = {"invoice": [first.pk, second.pk], f"amount_{first.pk}": "98,00", f"amount_{second.pk}": "200,00",
            f"write_off_{first.pk}": "on"}
    difference = _text(_rows(client, books.collective, rows, target="difference"))
    assert "RE-2026-0003: Skonto 2 % (2,00\u00a0EUR), ausgebucht" in difference
    assert "RE-2026-0004: Teilzahlung — 50,00\u00a0EUR der Rechnung bleiben offen" in difference
    assert "45,00\u00a0EUR der Zahlung noch nicht zugeordnet" in difference
    matched = _text(client.get(reverse("reconciliation_matched")))
    for german in ("Zugeordnete Zahlungen", "automatisch", "durch den Abgleich", "Rechnungsnummer RE-2026-0005 im Verwendungszweck",
                   "IBAN des Zahlers bei Kunde 10004 bekannt", "Rückgängig machen"):
        assert german in matched, german
