"""The engine's reasons are stored as message keys with parameters and shown in the reader's
language and number format; reasons stored as English words before are turned into keys once
(migration 0003)."""

import importlib
import json
from decimal import Decimal

from django.apps import apps
from django.utils import translation

from kassenwart.core.messages import defined
from kassenwart.reconciliation import engine
from kassenwart.reconciliation.engine.reasons import REASONS, reason
from kassenwart.reconciliation.models import Match, TransactionState
from kassenwart.reconciliation.reasons import PREFIX, StoredOnce, app_reason, note_key, stored, worded

from reconciliation_books import INVOICES as BOOK_INVOICES
from reconciliation_books import open_books

MIGRATION = importlib.import_module("kassenwart.reconciliation.migrations.0003_reasons_as_message_keys")

D = Decimal
INVOICES = [
    engine.Invoice("1", "RE-2026-01234", "10234", "Muster GmbH", D("1000.00"), D("1000.00"),
                   customer_ibans=("DE12500105170648489890",), payment_reference="RF18539007547034"),
    engine.Invoice("2", "RE-2026-01235", "10235", "Beispiel AG", D("500.00"), D("500.00")),
    engine.Invoice("3", "RE-2026-01236", "10235", "Beispiel AG", D("300.00"), D("300.00")),
    engine.Invoice("4", "RE-2026-01237", "10236", "Nordwind OHG", D("120.00"), D("120.00")),
    engine.Invoice("5", "RE-2026-01238", "10237", "Südwind OHG", D("120.00"), D("120.00")),
]
PAYMENTS = [  # amount, remittance, payer name, payer IBAN, structured reference
    ("1000.00", "RE-2026-01234", "Muster GmbH", "DE12500105170648489890", ""),
    ("1000.00", "RE-2026-01243", "", "", ""),
    ("980.00", "RE-2026-01234", "", "", ""),
    ("995.00", "RE-2026-01234", "", "", ""),
    ("400.00", "RE-2026-01235", "", "", ""),
    ("505.00", "RE-2026-01235", "", "", ""),
    ("250.00", "RE-2026-01235", "", "", ""),
    ("800.00", "RE-2026-01235 RE-2026-01236", "", "", ""),
    ("1000.00", "", "", "", "RF18539007547034"),
    ("1000.00", "Zahlung RF18539007547034", "", "", ""),
    ("500.00", "Kd-Nr 10235", "", "", ""),
    ("500.00", "Rechnung 01235", "", "", ""),
    ("500.00", "RE-2026-1235", "", "", ""),
    ("120.00", "RE-2026-01237", "Südwind OHG", "", ""),
    ("120.00", "Danke", "Beispiel", "", ""),
    ("500.00", "Danke", "Beispiel GmbH", "", ""),  # the customer is an AG
    ("500.00", "RE-2026-01235", "", "DE12500105170648489890", ""),  # Muster GmbH pays Beispiel AG's
    ("-50.00", "x", "", "", ""),
    ("12.34", "xyz", "", "", ""),
]


def engine_reasons() -> list:
    """Every reason and note the engine gives for the payments above, one at a time."""
    found = {}
    for n, (amount, text, name, iban, ref) in enumerate(PAYMENTS):
        tx = engine.Transaction(str(n), D(amount), "EUR", remittance=text, counterparty_name=name,
                                counterparty_iban=iban, structured_reference=ref)
        decision = engine.reconcile(INVOICES, [tx])[0]
        proposals = [decision.match] if decision.match else list(decision.suggestions)
        found |= {str(r): r for proposal in proposals for r in proposal.reasons}
        found |= {str(decision.note): decision.note} if decision.note else {}
    return list(found.values())


def in_language(language: str, message: dict | str) -> str:
    with translation.override(language):
        return worded(message)


def test_every_reason_of_the_engine_is_stored_by_key_and_said_in_german_and_english():
    reasons = engine_reasons()
    assert len(reasons) >= 20, sorted(reasons)  # the cases above still reach every kind of evidence
    for said in reasons:
        message = stored(said)
        assert message["key"] == PREFIX + said.key
        german, english = in_language("de", message), in_language("en", message)
        assert german != english, said
        assert PREFIX not in german + english, said  # nothing shown as a bare key
        assert english == str(said)  # one English wording: the engine's, on the page too
    assert all(defined(PREFIX + key) for key in REASONS)


def test_each_kind_of_reason_in_german_and_english():
    examples = [
        (reason("invoice_number_deviating", number="RE-2026-0042", detail=[reason("transposition")]),
         "Rechnungsnummer RE-2026-0042 im Verwendungszweck, 1 Zahlendreher",
         "invoice number RE-2026-0042 in remittance, 1 transposition"),
        (reason("invoice_number_deviating", number="AB-2026-00140",
                detail=[reason("other_prefix", found="RE", expected="AB")]),
         "Rechnungsnummer AB-2026-00140 im Verwendungszweck, Präfix RE statt AB",
         "invoice number AB-2026-00140 in remittance, prefix RE instead of AB"),
        (reason("invoice_number_deviating", number="00020/26",
                detail=[reason("without_leading_zeros"), reason("after_other_digits")]),
         "Rechnungsnummer 00020/26 im Verwendungszweck, ohne führende Nullen, direkt nach anderen Ziffern",
         "invoice number 00020/26 in remittance, without leading zeros, right after other digits"),
        (reason("iban_known", customer="10234"), "IBAN des Zahlers bei Kunde 10234 bekannt",
         "payer IBAN known for customer 10234"),
        (reason("name_matches", label=reason("name_truncated"), customer="10234"),
         "Name des Zahlers (abgekürzt) passt zu Kunde 10234", "payer name (truncated) matches customer 10234"),
        (reason("other_customer", invoice="10577", payer="10234"),
         "Rechnung von Kunde 10577, Zahler bekannt als Kunde 10234",
         "invoice of customer 10577, payer known as customer 10234"),
        (reason("skonto", percent="2.5", amount=D("1234.50")), "Skonto 2,5 % (1.234,50 abgezogen)",
         "Skonto 2.5 % (1,234.50 deducted)"),
        (reason("amount_equals_sum", count=3), "Betrag gleich der Summe von 3 offenen Beträgen",
         "amount equals sum of 3 open amounts"),
        (reason("partial", amount=D("20.00")), "Teilzahlung, 20,00 des offenen Betrags bleiben offen",
         "partial payment, 20.00 of open amount stays open"),
        (reason("undone_before"), "schon einmal von Hand rückgängig gemacht", "undone by a person before"),
    ]
    for said, german, english in examples:
        assert (in_language("de", stored(said)), in_language("en", stored(said))) == (german, english)
    assert in_language("de", app_reason("mapped_by_hand")) == "von Hand zugeordnet"
    assert in_language("de", app_reason("suggestion_accepted")) == "Vorschlag angenommen"
    assert in_language("de", app_reason("mandate_collected", mandate="M-7")) == "Lastschrift eingezogen unter Mandat M-7"
    assert in_language("de", note_key(reason("no_fit"))) == "keine offene Rechnung passt"


def test_a_run_writes_the_reasons_as_the_text_json_makes_of_them():
    """A matching run encodes each reason once and writes the list as text (core.bulk.JSONText):
    the same text json.dumps makes of the stored messages, whatever the parameters."""
    tricky = [
        reason("invoice_number", number='RE "2026" \\ 0042 Süd\u2013'),
        reason("skonto", percent="2.5", amount=D("1234.50")),
        reason("installment_sum", parts=3, count=2),
        reason("invoice_number_deviating", number="00020/26",
               detail=[reason("without_leading_zeros"), reason("other_prefix", found="RE", expected="AB")]),
        reason("name_matches", label=reason("name_truncated"), customer="10234"),
        reason("undone_before"),
    ]
    said = StoredOnce()
    for reasons in ([], tricky, engine_reasons(), [tricky[0], tricky[0]]):
        text = said.listed(reasons)
        assert text == json.dumps([stored(r) for r in reasons])
        assert json.loads(text) == [said(r) for r in reasons]


def test_a_text_stored_before_keys_is_shown_as_it_is():
    assert in_language("de", "a reason the engine learns next year") == "a reason the engine learns next year"


def test_every_english_reason_stored_before_becomes_the_key_the_engine_gives_now():
    for said in engine_reasons():
        assert MIGRATION.as_message(str(said)) == stored(said), str(said)
    assert MIGRATION.as_message("mapped by hand") == app_reason("mapped_by_hand")
    assert MIGRATION.as_message("direct debit collected under mandate M-7") == app_reason("mandate_collected", mandate="M-7")
    assert MIGRATION.as_message("Grund 7") is None


def test_the_migration_turns_stored_words_into_keys(company):
    pay = open_books(company, BOOK_INVOICES, payer_iban="DE02120300000000202051")
    matched, waiting, outgoing = pay("100.00", "AB-1001"), pay("250.00", "x"), pay("-5.00", "fee")
    Match.objects.create(company=company, transaction=matched, kind="manual",
                         reasons=["mapped by hand", "invoice of customer 502, payer known as customer 501", "Grund"])
    TransactionState.objects.create(transaction=waiting, company=company, suggestions=[
        {"allocations": {"1": "250.00"}, "confidence": 0.4,
         "reasons": ["invoice number AB-1002 in remittance, 1 wrong digit", "amount equals sum of 2 open amounts"]},
    ])
    TransactionState.objects.create(transaction=outgoing, company=company, note="outgoing payment")

    MIGRATION.reasons_as_keys(apps, None)

    assert Match.objects.get(transaction=matched).reasons == [
        app_reason("mapped_by_hand"), app_reason("other_customer", invoice="502", payer="501"), "Grund",
    ]
    (suggestion,) = TransactionState.objects.get(pk=waiting.pk).suggestions
    assert [in_language("de", r) for r in suggestion["reasons"]] == [
        "Rechnungsnummer AB-1002 im Verwendungszweck, 1 falsche Ziffer", "Betrag gleich der Summe von 2 offenen Beträgen",
    ]
    note = TransactionState.objects.get(pk=outgoing.pk).note
    assert note == PREFIX + "outgoing" and in_language("de", note) == "ausgehende Zahlung"


IGNORE_MIGRATION = importlib.import_module("kassenwart.reconciliation.migrations.0004_ignore_reason_as_message")


def test_why_a_payment_is_no_invoice_payment_is_a_message_too():
    returned, given = IGNORE_MIGRATION.as_message("direct debit returned (AC04)"), IGNORE_MIGRATION.as_message("Darlehen")
    assert (returned, given) == (app_reason("debit_returned", code="AC04"), app_reason("given", text="Darlehen"))
    assert in_language("de", returned) == "Lastschrift zurückgegeben (Rückgabegrund AC04)"
    assert in_language("en", returned) == "direct debit returned (return code AC04)"
    assert in_language("de", given) == "Darlehen" and worded(None) == ""

