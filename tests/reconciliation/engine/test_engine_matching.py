"""The engine end to end, one case of how customers really pay per test."""

import subprocess
import sys
from decimal import Decimal

import pytest

from kassenwart.reconciliation.engine import (
    Automation,
    Criterion,
    Knowledge,
    MatchingConfig,
    Status,
)

from engine_factories import auto_ids, invoice, numbered, one, payment, run, suggested

IBAN = "DE44360200414158498029"
OTHER_IBAN = "AT041500039253540320"
BACKGROUND = numbered(300)


def books(*invoices):
    return [*BACKGROUND, *invoices]


ACME = dict(customer="10234", customer_name="Böhm Bau e.K.", customer_ibans=(IBAN,))
TARGET = invoice("RE-2026-02345", "741.31", **ACME)


# -- the invoice number in any spelling ----------------------------------------------------


@pytest.mark.parametrize(
    "remittance",
    [
        "RE-2026-02345",
        "Ihre Rechnung re-2026-02345 vom 19.07.2026",
        "Rg.Nr. RE 2026 02345",
        "RE2026/02345",
        "202602345 Danke",
        "Zahlung aus Rechnung RE-\n2026-02345 vielen Dank",
        "Zahlung aus Rechnung RE-2026-0\n2345 vielen Dank",
        "Rechnung RE-2026-2345",
        "Rechnung RE-2026-O2345",
    ],
)
def test_invoice_number_in_any_spelling_matches_even_from_a_stranger(remittance):
    decision = one(books(TARGET), payment("741.31", remittance))
    assert auto_ids(decision) == {"RE-2026-02345"}
    assert decision.match.allocations == {"RE-2026-02345": Decimal("741.31")}
    assert "amount equals open amount" in decision.match.reasons


@pytest.mark.parametrize(
    ("remittance", "reason"),
    [
        ("Rechnung RE-2026-02354", "1 transposition"),
        ("Rechnung RE-2026-02845", "1 wrong digit"),
        ("Rechnung RE-2026-0234", "1 missing digit"),
    ],
)
def test_one_typo_is_corrected_when_payer_and_amount_confirm_it(remittance, reason):
    decision = one(books(TARGET), payment("741.31", remittance, counterparty_iban=IBAN))
    assert auto_ids(decision) == {"RE-2026-02345"}
    assert f"invoice number RE-2026-02345 in remittance, {reason}" in decision.match.reasons
    assert "payer IBAN known for customer 10234" in decision.match.reasons


def test_a_typo_that_hits_another_customers_invoice_is_corrected():
    other = invoice("RE-2026-02354", "99.00", customer="55555", customer_name="Andere AG")
    decision = one(books(TARGET, other), payment("741.31", "RE-2026-02354", counterparty_iban=IBAN))
    assert auto_ids(decision) == {"RE-2026-02345"}


def test_a_typo_from_an_unknown_payer_is_only_suggested():
    decision = one(books(TARGET), payment("741.31", "Rechnung RE-2026-02354"))
    assert suggested(decision)[0] == {"RE-2026-02345"}


# Numbers given in sequence: one typing error away from a number there is another open one.
WRITTEN = invoice("RE-2026-02382", "27.85", **ACME)
NEIGHBOUR = invoice("RE-2026-02384", "35.77", **ACME)


def test_a_number_written_exactly_is_that_invoice_overpaid_not_a_neighbour_less_a_fee():
    decision = one(books(WRITTEN, NEIGHBOUR), payment("30.00", "Rg.Nr. RE-2026-02382", counterparty_iban=IBAN))
    assert auto_ids(decision) == {"RE-2026-02382"}
    assert decision.match.surplus == Decimal("2.15")


def test_a_number_written_exactly_is_a_neighbours_typo_when_the_neighbours_amount_is_paid():
    decision = one(books(WRITTEN, NEIGHBOUR), payment("35.77", "Rg.Nr. RE-2026-02382", counterparty_iban=IBAN))
    assert auto_ids(decision) == {"RE-2026-02384"}
    assert "invoice number RE-2026-02384 in remittance, 1 wrong digit" in decision.match.reasons


@pytest.mark.parametrize(
    ("numbers", "target", "remittance"),
    [
        ([f"INV{n:06d}" for n in range(100, 400)], "INV000777", "Invoice INV-777 thanks"),
        ([f"INV{n:06d}" for n in range(100, 400)], "INV000777", "inv000777"),
        ([str(n) for n in range(480000, 480300)], "480777", "Beleg 480777 / Kunde 10234"),
        ([f"2026/{n:04d}" for n in range(1, 300)], "2026/0777", "AR 2026-777"),
        ([f"{n:05d}/26" for n in range(1, 300)], "00777/26", "Zahlung 777/26"),
    ],
)
def test_the_number_shape_is_learned_from_the_invoices(numbers, target, remittance):
    others = [
        invoice(n, f"{100 + i}.{i % 100:02d}", customer=str(30000 + i)) for i, n in enumerate(numbers)
    ]
    decision = one([*others, invoice(target, "4711.00", **ACME)], payment("4711.00", remittance))
    assert auto_ids(decision) == {target}


def test_where_invoice_and_customer_numbers_look_alike_the_payer_decides():
    invoices = [
        invoice(str(n), f"{100 + n % 900}.{n % 100:02d}", customer=str(n + 500), customer_name=f"Firma {n}")
        for n in range(12000, 12400)
    ]
    target = invoice("12999", "741.31", customer="12100", customer_ibans=(IBAN,))
    # 12100 is also the number of an invoice of customer 12600
    by_customer = one([*invoices, target], payment("741.31", "Kd.Nr. 12100", counterparty_iban=IBAN))
    assert auto_ids(by_customer) == {"12999"}
    by_number = one([*invoices, target], payment("741.31", "Rechnung 12999", counterparty_iban=IBAN))
    assert auto_ids(by_number) == {"12999"}


def test_a_number_after_the_invoice_prefix_is_the_invoice_even_if_a_customer_has_it_too():
    invoices = [
        invoice(f"INV-DE-{n}", f"{100 + n % 900}.{n % 100:02d}", customer=str(n - 2000), customer_name=f"Firma {n}")
        for n in range(122000, 122400)
    ]
    target = invoice("INV-DE-122640", "900.00", customer="120001", customer_ibans=(IBAN,))
    other = invoice("INV-DE-122999", "50.00", customer="122640", customer_name="Firma mit Nummer")
    # 122640 is also customer 122640's number; "INV-DE-" in front says which is meant
    tx = payment("400.00", "Teilzahlung INV-DE-122640", counterparty_iban=IBAN)
    decision = one([*invoices, target, other], tx)
    assert auto_ids(decision) == {"INV-DE-122640"}


# -- references ------------------------------------------------------------------------------

RF = "RF18539007547034"


def test_structured_rf_reference():
    target = invoice("RE-2026-02345", "741.31", payment_reference=RF)
    decision = one(books(target), payment("741.31", structured_reference=RF))
    assert auto_ids(decision) == {"RE-2026-02345"}
    assert f"payment reference {RF} matches" in decision.match.reasons


def test_rf_reference_in_the_text_cut_across_lines():
    target = invoice("RE-2026-02345", "741.31", payment_reference="RF18 5390 0754 7034")
    decision = one(books(target), payment("741.31", "Ref RF18 5390 07\n54 7034"))
    assert auto_ids(decision) == {"RE-2026-02345"}


def test_rf_reference_with_wrong_check_digits_is_no_reference():
    target = invoice("RE-2026-02345", "741.31", payment_reference=RF)
    decision = one(books(target), payment("741.31", structured_reference="RF19539007547034"))
    assert decision.status is Status.OPEN


def test_invoice_number_in_the_end_to_end_id():
    decision = one(books(TARGET), payment("741.31", "Zahlung", end_to_end_id="RE-2026-02345"))
    assert auto_ids(decision) == {"RE-2026-02345"}


# -- several invoices, parts of one -----------------------------------------------------------


def test_collective_payment_listing_its_invoices():
    second = invoice("RE-2026-02346", "3043.24", **ACME)
    tx = payment("3784.55", "Rg. 202602345, RE-2026-0234\n6 Danke")
    decision = one(books(TARGET, second), tx)
    assert decision.match.allocations == {
        "RE-2026-02345": Decimal("741.31"),
        "RE-2026-02346": Decimal("3043.24"),
    }
    assert "amount equals sum of 2 open amounts" in decision.match.reasons


def test_collective_payment_with_a_shortened_number():
    second = invoice("RE-2026-02399", "100.00", **ACME)
    tx = payment("841.31", "RE-2026-02345 2399", counterparty_iban=IBAN)
    decision = one(books(TARGET, second), tx)
    assert auto_ids(decision) == {"RE-2026-02345", "RE-2026-02399"}


def test_collective_payment_not_listed_but_summing_to_one_customers_invoices():
    invoices = books(
        invoice("RE-2026-02345", "124.95", **ACME),
        invoice("RE-2026-02346", "1075.47", **ACME),
        invoice("RE-2026-02347", "936.13", **ACME),
        invoice("RE-2026-02348", "5000.00", **ACME),
    )
    decision = one(invoices, payment("2136.55", "Ausgleich", counterparty_iban=IBAN))
    assert auto_ids(decision) == {"RE-2026-02345", "RE-2026-02346", "RE-2026-02347"}


def test_installments_reduce_the_open_amount_within_one_run():
    target = invoice("RE-2026-02345", "420.00", **ACME)
    rates = [payment("140.00", f"Rate {i}/3 RE-2026-02345", counterparty_iban=IBAN) for i in "123"]
    late = payment("140.00", "Rate 4/3 RE-2026-02345", counterparty_iban=IBAN)
    decisions = run(books(target), [*rates, late])
    assert [d.status for d in decisions] == [Status.AUTO, Status.AUTO, Status.AUTO, Status.OPEN]
    assert all(d.match.allocations == {"RE-2026-02345": Decimal("140.00")} for d in decisions[:3])
    assert "installment: amount is 1/3 of open amount" in decisions[0].match.reasons


def test_partial_payment_from_a_stranger_is_only_suggested():
    target = invoice("RE-2026-02345", "420.00", **ACME)
    decision = one(books(target), payment("100.00", "RE-2026-02345", counterparty_iban=OTHER_IBAN))
    assert suggested(decision)[0] == {"RE-2026-02345"}


def test_skonto():
    target = invoice("RE-2026-02345", "800.65", **ACME)
    decision = one(books(target), payment("784.64", "Rg.Nr. RE-2026-02345 abzgl. 2% Skonto"))
    assert decision.match.allocations == {"RE-2026-02345": Decimal("784.64")}
    assert decision.match.write_off == Decimal("16.01")
    assert "Skonto 2 % (16.01 deducted)" in decision.match.reasons


def test_bank_fee_deducted():
    target = invoice("RE-2026-02345", "2347.41", **ACME)
    decision = one(books(target), payment("2332.41", "RE-2026-02345"))
    assert decision.match.write_off == Decimal("15.00")
    assert "15.00 less than open amount (bank fee)" in decision.match.reasons


def test_overpayment_states_the_surplus():
    target = invoice("RE-2026-02345", "214.28", **ACME)
    decision = one(books(target), payment("220.00", "RE RE-2026-02345", counterparty_iban=IBAN))
    assert decision.match.allocations == {"RE-2026-02345": Decimal("214.28")}
    assert decision.match.surplus == Decimal("5.72")


def test_a_large_overpayment_goes_to_a_person():
    target = invoice("RE-2026-02345", "1624.62", **ACME)
    decision = one(books(target), payment("6124.62", "RE-2026-02345", counterparty_iban=IBAN))
    assert suggested(decision)[0] == {"RE-2026-02345"}
    assert decision.suggestions[0].surplus == Decimal("4500.00")


def test_credit_note_offset_listed():
    credit = invoice("GS-2026-00017", "-300.00", **ACME)
    target = invoice("RE-2026-02345", "800.00", **ACME)
    tx = payment("500.00", "RE-2026-02345 abzgl. Gutschrift GS-2026-00017")
    decision = one(books(target, credit), tx)
    assert decision.match.allocations == {
        "GS-2026-00017": Decimal("-300.00"),
        "RE-2026-02345": Decimal("800.00"),
    }


def test_credit_note_offset_without_reference():
    credit = invoice("RE-2026-02399", "-300.00", **ACME)
    target = invoice("RE-2026-02345", "800.00", **ACME)
    decision = one(books(target, credit), payment("500.00", "Ausgleich", counterparty_iban=IBAN))
    assert auto_ids(decision) == {"RE-2026-02345", "RE-2026-02399"}


# -- no reference at all ---------------------------------------------------------------------


def test_no_reference_payer_iban_from_the_crm():
    decision = one(books(TARGET), payment("741.31", "Zahlung", counterparty_iban=IBAN))
    assert auto_ids(decision) == {"RE-2026-02345"}
    assert "payer IBAN known for customer 10234" in decision.match.reasons


def test_no_reference_payer_iban_learned_earlier():
    target = invoice("RE-2026-02345", "741.31", customer="10234", customer_name="Böhm Bau e.K.")
    knowledge = Knowledge(customers_by_iban={"de44 3602 0041 4158 4980 29": "10234"})
    tx = payment("741.31", "", counterparty_iban=IBAN)
    decision = one(books(target), tx, knowledge=knowledge)
    assert "payer IBAN learned for customer 10234" in decision.match.reasons


@pytest.mark.parametrize("name", ["BOEHM BAU E.K.", "Böhm Bau", "böhm bau e. k."])
def test_no_reference_payer_name(name):
    target = invoice("RE-2026-02345", "741.31", customer="10234", customer_name="Böhm Bau e.K.")
    tx = payment("741.31", "Danke für die Lieferung", counterparty_name=name)
    decision = one(books(target), tx)
    assert auto_ids(decision) == {"RE-2026-02345"}


def test_no_reference_payer_name_truncated_by_the_bank():
    name = "Aigner Optik UG (haftungsbeschränkt)"
    target = invoice("RE-2026-02345", "741.31", customer="10234", customer_name=name)
    tx = payment("741.31", "", counterparty_name="AIGNER OPTIK UG (HAFTUNGSBESCHRAENK")
    decision = one(books(target), tx)
    assert auto_ids(decision) == {"RE-2026-02345"}


def test_no_reference_customer_number_in_the_text():
    decision = one(books(TARGET), payment("741.31", "Kd.Nr. 10234"))
    assert "customer number 10234 in remittance" in decision.match.reasons


def test_a_payer_with_another_legal_form_is_not_surely_the_customer():
    target = invoice("RE-2026-02345", "741.31", customer="10234", customer_name="Dental Elbe AG")
    decision = one(books(target), payment("741.31", "", counterparty_name="DENTAL ELBE GMBH"))
    assert suggested(decision)[0] == {"RE-2026-02345"}
    assert "payer name (other legal form) matches customer 10234" in decision.suggestions[0].reasons


def test_an_installment_without_its_invoice_number_is_suggested():
    target = invoice("RE-2026-02345", "420.00", **ACME)
    other = invoice("RE-2026-02346", "77.00", **ACME)
    tx = payment("140.00", "Rate 3 von 3 Kd.Nr. 10234 Rech", counterparty_iban=IBAN)  # cut by the bank
    decision = one(books(target, other), tx)
    assert suggested(decision)[0] == {"RE-2026-02345"}
    assert "installment: amount is 1/3 of open amount" in decision.suggestions[0].reasons


def test_a_collective_payment_outranks_a_huge_overpayment_of_one_invoice():
    invoices = books(
        invoice("RE-2026-02345", "669.78", **ACME),
        invoice("RE-2026-02346", "1193.76", **ACME),
    )
    tx = payment("1863.54", "Rechnungen RE-2026-02345", counterparty_iban=OTHER_IBAN,
                 counterparty_name="Kunde 10234 GmbH")
    decision = one(invoices, tx)
    assert suggested(decision)[0] == {"RE-2026-02345", "RE-2026-02346"}


def test_a_name_several_customers_share_is_not_enough():
    first = invoice("RE-2026-02345", "741.31", customer="10234", customer_name="Dental Elbe GmbH")
    second = invoice("RE-2026-02346", "99.99", customer="10235", customer_name="Dental Elbe mbH")
    decision = one(books(first, second), payment("741.31", "", counterparty_name="DENTAL ELBE"))
    assert suggested(decision)[0] == {"RE-2026-02345"}


# -- what must stay open ------------------------------------------------------------------------


def test_two_open_invoices_of_the_same_amount_stay_open():
    invoices = books(
        invoice("RE-2026-02345", "280.00", **ACME), invoice("RE-2026-02346", "280.00", **ACME)
    )
    tx = payment("280.00", "Begleichung offener Posten", counterparty_iban=IBAN)
    decision = one(invoices, tx)
    assert sorted(map(sorted, suggested(decision)[:2])) == [["RE-2026-02345"], ["RE-2026-02346"]]


def test_unknown_payer_without_reference_stays_open_even_when_the_amount_is_unique():
    decision = one(books(TARGET), payment("741.31", "Überweisung", counterparty_name="Fremde GmbH"))
    assert suggested(decision) == [{"RE-2026-02345"}]
    assert decision.suggestions[0].confidence < 0.3


def test_a_reference_to_an_invoice_that_is_not_open_blocks_the_amount_match():
    tx = payment("741.31", "Rechnung RE-2026-00156", counterparty_iban=IBAN)
    decision = one(books(TARGET), tx)
    assert decision.status is Status.OPEN


def test_outgoing_payments_are_never_matched():
    decision = one(books(TARGET), payment("-741.31", "RE-2026-02345"))
    assert (decision.status, decision.suggestions) == (Status.OPEN, ())
    assert decision.note == "outgoing payment"


def test_returns_are_never_matched():
    tx = payment("741.31", "RE-2026-02345", bank_transaction_code="PMNT/ICDT/RRTN+159")
    assert one(books(TARGET), tx).note == "return or reversal"


def test_unrelated_credits_get_nothing():
    tx = payment("12.34", "Zinsgutschrift", counterparty_name="Hausbank AG")
    decision = one(books(TARGET), tx)
    assert (decision.status, decision.suggestions) == (Status.OPEN, ())
    assert decision.note == "no open invoice fits"


def test_other_currency_is_not_matched():
    decision = one(books(TARGET), payment("741.31", "RE-2026-02345", currency="CHF"))
    assert decision.status is Status.OPEN


# -- the company's settings and what people taught ----------------------------------------------


def test_rejected_suggestions_are_never_proposed_again():
    tx = payment("741.31", "RE-2026-02345")
    knowledge = Knowledge(rejected=frozenset({(tx.id, frozenset({"RE-2026-02345"}))}))
    decision = one(books(TARGET), tx, knowledge=knowledge)
    assert {"RE-2026-02345"} not in suggested(decision)


def test_suggest_only_never_applies():
    config = MatchingConfig(automation=Automation.SUGGEST_ONLY)
    decision = one(books(TARGET), payment("741.31", "RE-2026-02345"), config=config)
    assert suggested(decision)[0] == {"RE-2026-02345"}
    assert decision.suggestions[0].confidence > 0.9


def test_criteria_that_do_not_count_are_ignored():
    config = MatchingConfig(
        criteria=frozenset(Criterion) - {Criterion.INVOICE_NUMBER, Criterion.PAYER_IBAN}
    )
    tx = payment("741.31", "RE-2026-02345", counterparty_iban=IBAN)
    decision = one(books(TARGET), tx, config=config)
    assert decision.status is Status.OPEN


def test_without_multiple_hits_a_collective_payment_is_not_applied():
    second = invoice("RE-2026-02346", "3043.24", **ACME)
    config = MatchingConfig(allow_multiple=False)
    tx = payment("3784.55", "RE-2026-02345 RE-2026-02346")
    decision = one(books(TARGET, second), tx, config=config)
    assert decision.status is Status.OPEN


def test_decisions_come_back_in_input_order():
    txs = [payment("1.00", "x"), payment("741.31", "RE-2026-02345"), payment("-5.00")]
    assert [d.transaction_id for d in run(books(TARGET), txs)] == [t.id for t in txs]


def test_the_engine_imports_nothing_from_django():
    code = (
        "import sys, kassenwart.reconciliation.engine; "
        "print(any(m.startswith('django') for m in sys.modules))"
    )
    run_ = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run_.stdout.strip() == "False"
