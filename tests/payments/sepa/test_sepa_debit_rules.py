from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from kassenwart.payments.sepa import (
    B2B,
    FIRST,
    MandateRelatedInfo,
    Party,
    SepaInvalid,
    check,
    creditor_id_problems,
    creditor_id_valid,
    mandate_reference_valid,
    problems,
    sendable,
)

from sepa_factories import (
    CREDITOR,
    DEBTORS,
    OTHER_CREDITOR_IDS,
    SAME_BANK,
    SIGNED,
    TODAY,
    amended,
    debit,
    debit_message,
    with_debit,
)

BRAZIL = "BR1500000000000010932840814P2"


def mandate(reference="MNDT-1", signed=SIGNED):
    return MandateRelatedInfo(reference, signed)


SINGLE = [
    # (what is wrong, the message, field, code, words the message must contain)
    ("message id", debit_message(message_id="MSG_1"), "message_id", "id_charset", ["Message id"]),
    ("payment info id", debit_message(payment_info_id="P" * 36), "payment_info_id", "id_too_long",
     ["Payment-information id", "35"]),
    ("initiator", debit_message(initiator=""), "initiator", "name_missing", ["Initiating party name"]),
    ("creditor name", debit_message(creditor=replace(CREDITOR, name="N" * 71)), "creditor.name", "name_too_long",
     ["Creditor name", "71", "70"]),
    ("creditor iban", debit_message(creditor=replace(CREDITOR, iban="DE89370400440532013001")), "creditor.iban",
     "iban_invalid", ["Creditor IBAN"]),
    ("creditor bic", debit_message(creditor=replace(CREDITOR, bic="COBA")), "creditor.bic", "bic_invalid",
     ["Creditor BIC", "COBA"]),
    ("creditor id missing", debit_message(creditor_id="  "), "creditor_id", "creditor_id_missing",
     ["Creditor id", "missing"]),
    ("creditor id check digits", debit_message(creditor_id="DE99ZZZ09999999999"), "creditor_id",
     "creditor_id_checksum", ["Creditor id", "DE99ZZZ09999999999", "check digits"]),
    ("creditor id shape", debit_message(creditor_id="DE98ZZZ"), "creditor_id", "creditor_id_format",
     ["Creditor id", "DE98ZZZ", "country"]),
    ("creditor id is an IBAN-like mess", debit_message(creditor_id="DE98-ZZZ-0999"), "creditor_id",
     "creditor_id_format", ["Creditor id"]),
    ("creditor id outside SEPA", debit_message(creditor_id="US98ZZZ09999999999"), "creditor_id",
     "creditor_id_country", ["Creditor id", "US", "SEPA"]),
    ("scheme", debit_message(scheme="COR1"), "scheme", "scheme_invalid", ["COR1", "CORE", "B2B"]),
    ("sequence type", debit_message(sequence_type="RECURRING"), "sequence_type", "sequence_type_invalid",
     ["RECURRING", "FRST"]),
    ("collection date past", debit_message(collection_date=TODAY - timedelta(days=1)), "collection_date",
     "date_past", ["collection date", "2026-11-22", "past"]),
    ("no debits", debit_message([]), "debits", "no_debits", ["no debits"]),
    ("end-to-end id", debit_message([debit(end_to_end_id="E2E//1")]), "debits[0].end_to_end_id", "id_slash",
     ["End-to-end id", "//"]),
    ("amount zero", debit_message([debit(amount=Decimal("0.00"))]), "debits[0].amount", "amount_range",
     ["Amount", "0.01"]),
    ("amount too high", debit_message([debit(amount=Decimal("1000000000.00"))]), "debits[0].amount",
     "amount_range", ["Amount", "999999999.99"]),
    ("amount decimals", debit_message([debit(amount=Decimal("9.999"))]), "debits[0].amount", "amount_decimals",
     ["Amount", "9.999"]),
    ("amount float", debit_message([debit(amount=9.99)]), "debits[0].amount", "amount_invalid", ["Decimal"]),
    ("currency", debit_message([debit(currency="CHF")]), "debits[0].currency", "currency_not_eur",
     ["CHF", "direct debits", "EUR"]),
    ("remittance", debit_message([debit(remittance="R" * 141)]), "debits[0].remittance", "remittance_too_long",
     ["Remittance information", "141"]),
    ("debtor name", debit_message([debit(debtor=replace(DEBTORS[0], name="Ωmega"))]), "debits[0].debtor.name",
     "name_charset", ["Debtor name", "Ω"]),
    ("debtor outside SEPA", debit_message([debit(debtor=replace(DEBTORS[0], iban=BRAZIL))]),
     "debits[0].debtor.iban", "iban_not_sepa", ["Debtor IBAN", "BR"]),
    ("debtor is the creditor", debit_message([debit(debtor=Party("Wir", "de89 3704 0044 0532 0130 00"))]),
     "debits[0].debtor.iban", "same_account", ["creditor's own account"]),
    ("mandate reference missing", debit_message([debit(mandate=mandate(""))]), "debits[0].mandate.reference",
     "id_missing", ["Mandate reference", "missing"]),
    ("mandate reference long", debit_message([debit(mandate=mandate("M" * 36))]), "debits[0].mandate.reference",
     "id_too_long", ["Mandate reference", "35"]),
    ("mandate reference charset", debit_message([debit(mandate=mandate("MNDT_1"))]),
     "debits[0].mandate.reference", "id_charset", ["Mandate reference"]),
    ("mandate reference slash", debit_message([debit(mandate=mandate("/MNDT-1"))]),
     "debits[0].mandate.reference", "id_slash", ["Mandate reference"]),
    ("signed in the future", debit_message([debit(mandate=mandate(signed=TODAY + timedelta(days=1)))]),
     "debits[0].mandate.signature_date", "signature_future", ["signature date", "2026-11-24", "future"]),
    ("sequence type of one debit", debit_message([debit(sequence_type=FIRST)]), "debits[0].sequence_type",
     "sequence_mixed", ["FRST", "RCUR", "one sequence type"]),
    # amendments: the original values, each different from the current one
    ("amendment without original", debit_message([amended()]), "debits[0].mandate.amendment", "amendment_empty",
     ["amendment", "no original value"]),
    ("original reference unchanged", debit_message([amended(original_reference="MNDT-1")]),
     "debits[0].mandate.amendment.original_reference", "amendment_unchanged",
     ["Original mandate reference", "MNDT-1"]),
    ("original reference charset", debit_message([amended(original_reference="ALT#1")]),
     "debits[0].mandate.amendment.original_reference", "id_charset", ["Original mandate reference"]),
    ("original creditor id unchanged", debit_message([amended(original_creditor_id="de98 zzz 0999 9999 999")]),
     "debits[0].mandate.amendment.original_creditor_id", "amendment_unchanged", ["Original creditor id"]),
    ("original creditor id check digits", debit_message([amended(original_creditor_id="DE97ZZZ09999999999")]),
     "debits[0].mandate.amendment.original_creditor_id", "creditor_id_checksum", ["Original creditor id"]),
    ("original creditor name unchanged", debit_message([amended(original_creditor_name=CREDITOR.name)]),
     "debits[0].mandate.amendment.original_creditor_name", "amendment_unchanged", ["Original creditor name"]),
    ("original debtor IBAN unchanged", debit_message([amended(original_debtor_iban=DEBTORS[0].iban.lower())]),
     "debits[0].mandate.amendment.original_debtor_iban", "amendment_unchanged", ["Original debtor IBAN"]),
    ("original debtor IBAN invalid", debit_message([amended(original_debtor_iban="DE64120300000000202098")]),
     "debits[0].mandate.amendment.original_debtor_iban", "iban_invalid", ["Original debtor IBAN"]),
    ("original debtor IBAN at another bank", debit_message([amended(original_debtor_iban="DE89370400440532013000")]),
     "debits[0].mandate.amendment.original_debtor_iban", "amendment_other_bank",
     ["another bank", "SMNDA"]),
    ("original IBAN and a new bank", debit_message([amended(original_debtor_iban=SAME_BANK[DEBTORS[0].iban],
                                                            new_debtor_bank=True)]),
     "debits[0].mandate.amendment.original_debtor_iban", "amendment_account_conflict", ["SMNDA", "same bank"]),
]


@pytest.mark.parametrize(("case", "msg", "field", "code", "words"), SINGLE, ids=[c[0] for c in SINGLE])
def test_each_debit_rule_names_the_field(case, msg, field, code, words):
    found = problems(msg, today=TODAY)
    assert [(p.field, p.code) for p in found] == [(field, code)]
    for word in words:
        assert word in found[0].message
    assert "debit 1" not in found[0].message, "no position for a single debit"
    with pytest.raises(SepaInvalid):
        check(msg, today=TODAY)


def test_a_valid_debit_message_has_no_problems():
    assert problems(debit_message(), today=TODAY) == []
    several = debit_message([debit(n) for n in range(1, 7)], scheme=B2B, sequence_type=FIRST,
                            creditor_id="de 98 zzz 09999999999")
    assert problems(several, today=TODAY) == []
    assert problems(debit_message([debit(1, sequence_type="RCUR")]), today=TODAY) == []  # the message's own


def test_amendments_that_are_allowed():
    allowed = debit_message([
        amended(1, original_reference="ALT-1"),
        amended(2, original_creditor_id=OTHER_CREDITOR_IDS[1], original_creditor_name="Nordlicht Software AG"),
        amended(3, new_debtor_bank=True),
        amended(4, original_debtor_iban=SAME_BANK[DEBTORS[0].iban]),
        amended(5, original_debtor_iban=SAME_BANK[DEBTORS[1].iban], original_reference="ALT-5"),
    ])
    assert problems(allowed, today=TODAY) == []
    assert problems(debit_message([debit(mandate=mandate(signed=TODAY))]), today=TODAY) == []  # signed today


@pytest.mark.parametrize(("changes", "field", "code"), [
    ({"amount": Decimal("0")}, "debits[1].amount", "amount_range"),
    ({"end_to_end_id": "E2E-1"}, "debits[1].end_to_end_id", "id_duplicate"),
    ({"mandate": MandateRelatedInfo("", SIGNED)}, "debits[1].mandate.reference", "id_missing"),
    ({"sequence_type": "OOFF"}, "debits[1].sequence_type", "sequence_mixed"),
])
def test_with_several_debits_the_position_is_named(changes, field, code):
    found = problems(with_debit(1, **changes), today=TODAY)
    assert [(p.field, p.code) for p in found] == [(field, code)]
    assert "of debit 2" in found[0].message
    assert found[0].params["position"] == 2


def test_all_debit_problems_are_raised_together():
    bad = debit_message([debit(1, amount=Decimal("0")), debit(2, mandate=mandate("M" * 40))],
                        creditor_id="DE00ZZZ09999999999", sequence_type="X")
    with pytest.raises(SepaInvalid) as raised:
        check(bad, today=TODAY)
    assert [p.code for p in raised.value.problems] == ["creditor_id_checksum", "sequence_type_invalid",
                                                       "amount_range", "id_too_long"]


def test_sendable_gives_the_values_as_they_are_written():
    msg = debit_message([amended(1, original_creditor_id="de79 zzz 0123 4567 890", original_debtor_iban="de64 1203 "
                                 "0000 0000 2020 99", original_creditor_name="Nordlicht “Alt” GmbH")],
                        creditor_id=" de98 zzz 09999999999 ", creditor=replace(CREDITOR, bic="cobadeffxxx"))
    sent = sendable(msg, today=TODAY)
    assert (sent.creditor_id, sent.creditor.bic) == ("DE98ZZZ09999999999", "COBADEFFXXX")
    amendment = sent.debits[0].mandate.amendment
    assert (amendment.original_creditor_id, amendment.original_debtor_iban, amendment.original_creditor_name) == (
        "DE79ZZZ01234567890", "DE64120300000000202099", "Nordlicht 'Alt' GmbH")
    assert sent.debits[0].debtor.name == "Gärtnerei Ölmühle"
    assert sendable(msg, today=TODAY, dk=False).debits[0].debtor.name == "Gaertnerei Oelmuehle"


@pytest.mark.parametrize(("text", "code"), [
    ("DE98ZZZ09999999999", None),  # the Bundesbank's example
    ("de98 zzz 0999 9999 999", None),  # as people type it
    ("AT92ZZZ00000012345", None),
    ("", "creditor_id_missing"),
    ("DE98ZZZ09999999998", "creditor_id_checksum"),
    ("DE89ZZZ09999999999", "creditor_id_checksum"),  # check digits swapped
    ("98DEZZZ09999999999", "creditor_id_format"),
    ("DE98ZZZ" + "9" * 29, "creditor_id_format"),  # 36 characters: at most 35
    ("XX98ZZZ09999999999", "creditor_id_country"),
])
def test_creditor_id_for_the_settings_form(text, code):
    found = creditor_id_problems(text)
    assert [p.code for p in found] == ([code] if code else [])
    assert all(p.field == "creditor_id" for p in found)
    assert creditor_id_valid(text) is (code is None)


@pytest.mark.parametrize(("text", "valid"), [
    ("MNDT-2026-0001", True), ("Mandat 7 (alt)", True), ("M" * 35, True),
    ("", False), ("M" * 36, False), ("Mandat_7", False), ("Mändat", False), ("A//B", False), ("/A", False),
])
def test_mandate_reference_valid(text, valid):
    assert mandate_reference_valid(text) is valid
