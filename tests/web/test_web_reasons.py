"""The engine's reasons are shown in the reader's language (no database)."""

import re
from decimal import Decimal

from django.utils import translation

from kassenwart.reconciliation import engine
from kassenwart.web.reasons import translate

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


def engine_reasons() -> set[str]:
    """Every reason and note the engine gives for the payments above, one at a time."""
    found = set()
    for n, (amount, text, name, iban, ref) in enumerate(PAYMENTS):
        tx = engine.Transaction(str(n), D(amount), "EUR", remittance=text, counterparty_name=name,
                                counterparty_iban=iban, structured_reference=ref)
        decision = engine.reconcile(INVOICES, [tx])[0]
        proposals = [decision.match] if decision.match else list(decision.suggestions)
        found |= {reason for proposal in proposals for reason in proposal.reasons}
        found |= {decision.note} if decision.note else set()
    return found


def test_every_reason_of_the_engine_is_said_in_german():
    reasons = engine_reasons()
    assert len(reasons) >= 20, sorted(reasons)  # the cases above still reach every kind of evidence
    with translation.override("de"):
        untranslated = sorted(reason for reason in reasons if translate(reason) == reason)
    assert not untranslated, f"reasons the web cannot say in German yet (web/reasons.py): {untranslated}"


def test_examples_in_german():
    with translation.override("de"):
        assert translate("invoice number RE-2026-01234 in remittance, 1 transposition") == (
            "Rechnungsnummer RE-2026-01234 im Verwendungszweck, 1 Zahlendreher"
        )
        assert translate("Skonto 2 % (1234.50 deducted)") == "Skonto 2 % (1.234,50 abgezogen)"
        assert translate("invoice number 00020/26 in remittance, without leading zeros, right after other digits") == (
            "Rechnungsnummer 00020/26 im Verwendungszweck, ohne führende Nullen, direkt nach anderen Ziffern"
        )
        assert translate("amount equals sum of 3 open amounts") == "Betrag gleich der Summe von 3 offenen Beträgen"


def test_english_stays_as_the_engine_says_it_and_unknown_reasons_pass_through():
    reasons = engine_reasons()
    assert any("'" in reason for reason in reasons)  # a quoted remittance text is among them
    for reason in reasons:
        # word for word, only the engine's straight quotes around remittance text become typographic
        assert translate(reason) == re.sub(r"'(.+?)'", r"“\1”", reason)
    assert translate("a reason the engine learns next year") == "a reason the engine learns next year"


def test_what_a_person_did_and_exact_deviations_in_german():
    with translation.override("de"):
        assert translate("invoice number AB-2026-00140 in remittance, prefix RE instead of AB") == (
            "Rechnungsnummer AB-2026-00140 im Verwendungszweck, Präfix RE statt AB"
        )
        assert translate("invoice of customer 10577, payer known as customer 10234") == (
            "Rechnung von Kunde 10577, Zahler bekannt als Kunde 10234"
        )
        assert translate("undone by a person before") == "schon einmal von Hand rückgängig gemacht"
        assert translate("mapped by hand") == "von Hand zugeordnet"
        assert translate("suggestion accepted") == "Vorschlag angenommen"
