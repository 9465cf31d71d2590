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
