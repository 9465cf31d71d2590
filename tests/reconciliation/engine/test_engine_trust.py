"""Reconciliation a person can trust: reasons say exactly what matched, an invoice of another
customer than the payer's is never applied on its own, and what a person undid stays undone."""

from kassenwart.reconciliation.engine import Knowledge, Status

from engine_factories import auto_ids, invoice, numbered, one, payment, suggested

IBAN = "DE44360200414158498029"
ACME = dict(customer="10234", customer_name="Böhm Bau e.K.", customer_ibans=(IBAN,))
OTHER = dict(customer="10577", customer_name="Kranz Metall GmbH")
# The company writes order confirmations (AB) and invoices (RE) with the same serials.
BACKGROUND = numbered(150) + numbered(150, prefix="AB-2026-", start=1003)


def test_a_number_written_with_another_prefix_says_so_and_needs_the_payer():
    target = invoice("AB-2026-00140", "538.72", **OTHER)
    decision = one([*BACKGROUND, target], payment("538.72", "Rechnung RE-2026-00140"))
    assert decision.status is Status.OPEN
    (reasons,) = [s.reasons for s in decision.suggestions if set(s.allocations) == {"AB-2026-00140"}]
    assert "invoice number AB-2026-00140 in remittance, prefix RE instead of AB" in reasons


def test_the_same_prefix_is_read_as_before():
    target = invoice("AB-2026-00140", "538.72", **OTHER)
    decision = one([*BACKGROUND, target], payment("538.72", "Rechnung AB-2026-00140"))
    assert auto_ids(decision) == {"AB-2026-00140"}
    assert "invoice number AB-2026-00140 in remittance" in decision.match.reasons


def test_a_transposed_number_says_which_invoice_and_what_went_wrong():
    target = invoice("RE-2026-02345", "741.31", **ACME)
    decision = one([*BACKGROUND, target], payment("741.31", "RE-2026-02354", counterparty_iban=IBAN))
    assert auto_ids(decision) == {"RE-2026-02345"}
    assert decision.match.reasons[:2] == (
        "invoice number RE-2026-02345 in remittance, 1 transposition",
        "payer IBAN known for customer 10234",
    )


def test_an_invoice_of_another_customer_than_the_payers_is_only_suggested_and_says_so():
    """The payer is known by IBAN as 10234; the remittance names 10577's invoice in full."""
    theirs = invoice("RE-2026-00140", "538.72", **OTHER)
    ours = invoice("RE-2026-02345", "741.31", **ACME)
    decision = one([*BACKGROUND, theirs, ours], payment("538.72", "RE-2026-00140", counterparty_iban=IBAN))
    assert decision.status is Status.OPEN
    assert suggested(decision)[0] == {"RE-2026-00140"}
    assert "invoice of customer 10577, payer known as customer 10234" in decision.suggestions[0].reasons


def test_a_learned_payer_counts_as_known_too():
    theirs = invoice("RE-2026-00140", "538.72", **OTHER)
    knowledge = Knowledge(customers_by_iban={IBAN: "10234"})
    tx = payment("538.72", "RE-2026-00140", counterparty_iban=IBAN)
    decision = one([*BACKGROUND, theirs], tx, knowledge=knowledge)
    assert decision.status is Status.OPEN
    assert "invoice of customer 10577, payer known as customer 10234" in decision.suggestions[0].reasons


def test_an_undone_match_is_suggested_marked_but_never_applied_again():
    target = invoice("RE-2026-02345", "741.31", **ACME)
    tx = payment("741.31", "RE-2026-02345", counterparty_iban=IBAN)
    assert auto_ids(one([*BACKGROUND, target], tx)) == {"RE-2026-02345"}
    knowledge = Knowledge(undone=frozenset({(tx.id, frozenset({"RE-2026-02345"}))}))
    decision = one([*BACKGROUND, target], tx, knowledge=knowledge)
    assert decision.status is Status.OPEN
    assert suggested(decision)[0] == {"RE-2026-02345"}
    assert decision.suggestions[0].reasons[-1] == "undone by a person before"


# Two numbering schemes at once (RE-2025-02025 and INV0000854): a number of one may look like
# a short form of the other's.
TWO_SCHEMES = numbered(150, prefix="RE-2025-", start=1000) + numbered(150, prefix="INV00", start=3003)


def test_a_year_inside_a_longer_number_is_no_short_form_of_another_invoice():
    """"RE-2025-00642" (paid long ago) names no open invoice; "2025" is its year, not a short
    form of RE-2025-02025, so 14.46 less than that invoice is no reason to apply it."""
    target = invoice("RE-2025-02025", "134.34", **OTHER)
    decision = one([*TWO_SCHEMES, target], payment("119.88", "Rechnung RE-2025-00642"))
    assert decision.status is Status.OPEN


def test_a_short_form_after_another_schemes_prefix_is_only_a_hint():
    """"INV0000854" is no short form of RE-2025-00854: INV is not its prefix."""
    target = invoice("RE-2025-00854", "220.05", **OTHER)
    decision = one([*TWO_SCHEMES, target], payment("215.53", "Rechnung INV0000854"))
    assert decision.status is Status.OPEN


def test_a_short_form_after_the_numbers_own_prefix_is_a_full_reference():
    target = invoice("RE-2025-00854", "220.05", **OTHER)
    decision = one([*TWO_SCHEMES, target], payment("215.53", "Rechnung RE 854"))
    assert auto_ids(decision) == {"RE-2025-00854"}


def test_a_short_form_of_a_number_without_prefix_may_follow_any_prefix():
    """"RE 8918" for 08918/25: the payer put a prefix before the short form of a number that
    has none."""
    slashed = [invoice(f"{n:05d}/25", f"{100 + n % 997}.{n % 100:02d}", customer=str(30000 + n))
               for n in range(8000, 9050, 7)]
    target = invoice("08918/25", "179.29", **OTHER)
    decision = one([*TWO_SCHEMES, *slashed, target], payment("179.29", "RE 8918 Danke"))
    assert auto_ids(decision) == {"08918/25"}


def test_a_date_is_no_number_without_its_zeros():
    """"USt 01/2026" is a month, not 00020/26 without its zeros (key 0002026)."""
    slashed = [invoice(f"{n:05d}/26", f"{100 + n % 997}.{n % 100:02d}", customer=str(30000 + n))
               for n in range(3, 900, 7)]
    target = invoice("00020/26", "98.49", **OTHER)
    decision = one([*slashed, target], payment("89.31", "Finanzamt Erstattung USt 01/2026"))
    assert decision.status is Status.OPEN
    written_plainly = one([*slashed, target], payment("98.49", "Rechnung 20/26"))
    assert auto_ids(written_plainly) == {"00020/26"}
