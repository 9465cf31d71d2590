from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from kassenwart.payments.sepa import Party, SepaInvalid, check, problems

from sepa_factories import CREDITORS, DEBTOR, TODAY, message, transfer, with_transfer

BRAZIL = "BR1500000000000010932840814P2"
SINGLE = [
    # (what is wrong, the message, field, code, words the message must contain)
    ("message id empty", message(message_id=""), "message_id", "id_missing", ["Message id", "missing"]),
    ("message id too long", message(message_id="M" * 36), "message_id", "id_too_long", ["Message id", "35"]),
    ("message id charset", message(message_id="MSG_1"), "message_id", "id_charset", ["Message id"]),
    ("message id slashes", message(message_id="MSG//1"), "message_id", "id_slash", ["Message id", "//"]),
    ("payment info id", message(payment_info_id="PMT#1"), "payment_info_id", "id_charset",
     ["Payment-information id"]),
    ("end-to-end id", message([transfer(end_to_end_id="/E2E")]), "transfers[0].end_to_end_id", "id_slash",
     ["End-to-end id"]),
    ("initiator", message(initiator=" "), "initiator", "name_missing", ["Initiating party name", "missing"]),
    ("debtor name long", message(debtor=replace(DEBTOR, name="N" * 71)), "debtor.name", "name_too_long",
     ["Debtor name", "71", "70"]),
    ("debtor iban", message(debtor=replace(DEBTOR, iban="DE89370400440532013001")), "debtor.iban",
     "iban_invalid", ["Debtor IBAN", "DE89370400440532013001"]),
    ("debtor iban empty", message(debtor=replace(DEBTOR, iban="")), "debtor.iban", "iban_missing",
     ["Debtor IBAN", "missing"]),
    ("debtor bic", message(debtor=replace(DEBTOR, bic="COBAXXFF")), "debtor.bic", "bic_invalid",
     ["Debtor BIC", "COBAXXFF"]),
    ("creditor name", message([transfer(creditor=replace(CREDITORS[0], name="Татьяна"))]),
     "transfers[0].creditor.name", "name_charset", ["Creditor name", "Т"]),
    ("creditor iban outside SEPA", message([transfer(creditor=replace(CREDITORS[0], iban=BRAZIL))]),
     "transfers[0].creditor.iban", "iban_not_sepa", ["Creditor IBAN", "BR", "SEPA"]),
    ("creditor bic", message([transfer(creditor=replace(CREDITORS[0], bic="BYLA"))]), "transfers[0].creditor.bic",
     "bic_invalid", ["Creditor BIC", "BYLA"]),
    ("creditor is debtor", message([transfer(creditor=Party("Uns", "de89 3704 0044 0532 0130 00"))]),
     "transfers[0].creditor.iban", "same_account", ["Creditor IBAN", "debtor's own account"]),
    ("remittance long", message([transfer(remittance="R" * 141)]), "transfers[0].remittance",
     "remittance_too_long", ["Remittance information", "141", "140"]),
    ("remittance charset", message([transfer(remittance="Rechnung 東京")]), "transfers[0].remittance",
     "remittance_charset", ["Remittance information", "東", "京"]),
    ("amount zero", message([transfer(amount=Decimal("0.00"))]), "transfers[0].amount", "amount_range",
     ["Amount", "0.01", "999999999.99"]),
    ("amount too high", message([transfer(amount=Decimal("1000000000.00"))]), "transfers[0].amount",
     "amount_range", ["Amount"]),
    ("amount decimals", message([transfer(amount=Decimal("10.005"))]), "transfers[0].amount",
     "amount_decimals", ["Amount", "10.005", "two decimal places"]),
    ("amount float", message([transfer(amount=10.5)]), "transfers[0].amount", "amount_invalid",
     ["Amount", "Decimal"]),
    ("amount NaN", message([transfer(amount=Decimal("NaN"))]), "transfers[0].amount", "amount_invalid",
     ["Amount"]),
    ("currency", message([transfer(currency="CHF")]), "transfers[0].currency", "currency_not_eur",
     ["Currency", "CHF", "EUR"]),
    ("date past", message(requested_date=TODAY - timedelta(days=1)), "requested_date", "date_past",
     ["execution date", "2026-11-22", "past"]),
    ("no transfers", message([]), "transfers", "no_transfers", ["no transfers"]),
]


@pytest.mark.parametrize(("case", "msg", "field", "code", "words"), SINGLE, ids=[c[0] for c in SINGLE])
def test_each_rule_names_the_field(case, msg, field, code, words):
    found = problems(msg, today=TODAY)
    assert [(p.field, p.code) for p in found] == [(field, code)]
    for word in words:
        assert word in found[0].message
    assert "transfer 1" not in found[0].message, "no position for a single transfer"


def test_a_valid_message_has_no_problems():
    assert problems(message(), today=TODAY) == []
    assert problems(message([transfer(n) for n in range(1, 6)]), today=TODAY) == []
    check(message(requested_date=TODAY + timedelta(days=30)), today=TODAY)


def test_edges_that_are_allowed():
    edges = message([
        transfer(1, amount=Decimal("0.01"), remittance=""),
        transfer(2, amount=Decimal("999999999.99"), remittance="R" * 140),
        transfer(3, amount=Decimal("7.5"), creditor=Party("N" * 70, " nl91 abna 0417 1643 00 ", "abnanl2a")),
        transfer(4, end_to_end_id="E" * 35),
    ], message_id="Kassenwart (Lauf 7) ?:.,'+-")
    assert problems(edges, today=TODAY) == []


@pytest.mark.parametrize(("changes", "field", "code"), [
    ({"amount": Decimal("-5.00")}, "transfers[1].amount", "amount_range"),
    ({"creditor": replace(CREDITORS[1], iban="AT611904300234573202")}, "transfers[1].creditor.iban", "iban_invalid"),
    ({"creditor": replace(CREDITORS[1], name="")}, "transfers[1].creditor.name", "name_missing"),
    ({"end_to_end_id": "E2E-1"}, "transfers[1].end_to_end_id", "id_duplicate"),
])
def test_with_several_transfers_the_position_is_named(changes, field, code):
    found = problems(with_transfer(1, **changes), today=TODAY)
    assert [(p.field, p.code) for p in found] == [(field, code)]
    assert "of transfer 2" in found[0].message
    assert found[0].params["position"] == 2


def test_duplicate_end_to_end_id_names_the_first_use():
    found = problems(with_transfer(2, end_to_end_id="E2E-1"), today=TODAY)
    assert found[0].message == "End-to-end id of transfer 3 (E2E-1) is already used by transfer 1."


def test_all_problems_are_raised_together():
    transfers = [transfer(1, amount=Decimal("0")), transfer(2, currency="USD")]
    bad = message(transfers, message_id="", requested_date=date(2020, 1, 1))
    with pytest.raises(SepaInvalid) as raised:
        check(bad, today=TODAY)
    assert [p.code for p in raised.value.problems] == ["id_missing", "date_past", "amount_range", "currency_not_eur"]
    assert "Message id is missing." in str(raised.value)


def test_names_are_checked_as_they_will_be_sent():
    # transliterated first: é, ø and typographic quotes are fine; the length counts after it
    assert problems(message([transfer(creditor=replace(CREDITORS[0], name="Bjørn “Café” Ødegård"))]), today=TODAY) == []
    found = problems(message(initiator="æ" * 36), today=TODAY)  # 36 characters become 72
    assert [(p.code, p.params["length"]) for p in found] == [("name_too_long", 72)]

