"""Mandates and the company as a creditor: set-up with a checked creditor id, recording a
mandate (each refusal with its field and code), amendments with the original values and
SMNDA, revoking, expiry after 36 months, and the CSV import (all or nothing)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from kassenwart.banking.models import BankAccount
from kassenwart.core.messages import render
from kassenwart.core.models import AuditEvent
from kassenwart.payments.mandate_csv import COLUMNS, MandateFileError
from kassenwart.payments.mandates import (
    account_debit_settings_update,
    amendment_to_send,
    creditor_settings_update,
    mandate_amend,
    mandate_create,
    mandate_import,
    mandate_revoke,
    mandates_expire,
    months_before,
)
from kassenwart.payments.models import AccountDebitSettings, Collection, CreditorSettings, Mandate, MandateAmendment
from kassenwart.payments.services import NotAllowed, PaymentInvalid, StateChanged
from kassenwart.receivables.models import Customer

CREDITOR_ID = "DE98ZZZ09999999999"  # the Bundesbank's example
OTHER_CREDITOR_ID = "DE13ZZZ00000012345"
IBAN = "DE89370400440532013000"  # Commerzbank, 37040044
SAME_BANK_IBAN = "DE62370400440532013001"
OTHER_BANK_IBAN = "DE02120300000000202051"
State = Mandate.State


@pytest.fixture
def creditor(company, admin):
    return creditor_settings_update(company, creditor_id=CREDITOR_ID, pre_notification_days=14, mail_from="",
                                    user=admin, via="test")


@pytest.fixture
def account(company):
    return BankAccount.objects.create(company=company, name="Geschäftskonto", iban="DE12500105170648489890")


@pytest.fixture
def customer(company):
    return Customer.objects.create(company=company, number="K-100", name="Kunde Eins GmbH", iban=IBAN)


def record(company, customer, user, **changes) -> Mandate:
    values = {"reference": "MR-2026-001", "signed_on": date(2026, 3, 1), "scheme": "CORE", "kind": "recurring",
              "debtor_name": "Kunde Eins GmbH", "iban": IBAN, "bic": "", **changes}
    return mandate_create(company, customer=customer, user=user, via="test", **values)


def refused(call, *args, **kwargs) -> list[tuple[str, str]]:
    with pytest.raises(PaymentInvalid) as caught:
        call(*args, **kwargs)
    return [(p.field, p.code) for p in caught.value.problems]


# -- creditor set-up -------------------------------------------------------------------------
def test_the_creditor_id_is_kept_compact_and_upper_case(company, admin):
    settings = creditor_settings_update(company, creditor_id=" de98 zzz 0999 9999 999 ", pre_notification_days=5,
                                        mail_from="lastschrift@nordlicht.example", user=admin)
    saved = CreditorSettings.objects.get(company=company)
    assert (saved.creditor_id, saved.pre_notification_days, saved.mail_from) == (
        CREDITOR_ID, 5, "lastschrift@nordlicht.example")
    assert settings.pk == saved.pk
    event = AuditEvent.objects.get(action="creditor_settings.updated")
    assert (event.before["creditor_id"], event.after["creditor_id"]) == ("", CREDITOR_ID)


@pytest.mark.parametrize(("value", "code"), [
    ("DE99ZZZ09999999999", "creditor_id_checksum"),  # one check digit off
    ("DE98ZZZ0999999999X", "creditor_id_checksum"),
    ("98ZZZ09999999999", "creditor_id_format"),
    ("DE98-ZZZ-09999999999", "creditor_id_format"),
    ("XX98ZZZ09999999999", "creditor_id_country"),
])
def test_a_wrong_creditor_id_is_refused_with_its_code(company, admin, value, code):
    assert refused(creditor_settings_update, company, creditor_id=value, pre_notification_days=14, mail_from="",
                   user=admin) == [("creditor_id", code)]
    assert not CreditorSettings.objects.filter(company=company).exists()


def test_days_and_sender_are_checked_too(company, admin):
    assert refused(creditor_settings_update, company, creditor_id="", pre_notification_days=0, mail_from="nope",
                   user=admin) == [("pre_notification_days", "pre_notification_range"), ("mail_from", "email_invalid")]


def test_only_admins_change_the_creditor_settings(company, member, account):
    with pytest.raises(NotAllowed):
        creditor_settings_update(company, creditor_id=CREDITOR_ID, pre_notification_days=14, mail_from="",
                                 user=member)
    with pytest.raises(NotAllowed):
        account_debit_settings_update(account, creditor_id="", first_as_frst=True, user=member)


def test_an_account_may_collect_under_another_creditor_id_and_want_frst(company, admin, account):
    account_debit_settings_update(account, creditor_id="de13 zzz 00000012345", first_as_frst=True, user=admin)
    settings = AccountDebitSettings.objects.get(account=account)
    assert (settings.creditor_id, settings.first_as_frst) == (OTHER_CREDITOR_ID, True)
    assert refused(account_debit_settings_update, account, creditor_id="DE14ZZZ00000012345", first_as_frst=False,
                   user=admin) == [("creditor_id", "creditor_id_checksum")]
    account_debit_settings_update(account, creditor_id="", first_as_frst=False, user=admin)
    settings.refresh_from_db()
    assert (settings.creditor_id, settings.first_as_frst) == ("", False)


# -- recording a mandate ---------------------------------------------------------------------
def test_a_member_records_a_mandate_under_the_companys_creditor_id(company, creditor, customer, member):
    mandate = record(company, customer, member, iban="de89 3704 0044 0532 0130 00", bic="cobadeffxxx",
                     pre_notification_days=3)
    assert (mandate.creditor_id, mandate.iban, mandate.bic, mandate.state) == (
        CREDITOR_ID, IBAN, "COBADEFFXXX", State.ACTIVE)
    assert (mandate.pre_notification_days, mandate.created_by, mandate.customer) == (3, member, customer)
    event = AuditEvent.objects.get(action="mandate.created")
    assert (event.object_id, event.after["reference"], event.actor) == (str(mandate.pk), "MR-2026-001", member)


def test_no_mandate_without_a_creditor_id(company, customer, member):
    assert refused(record, company, customer, member) == [("creditor_id", "creditor_id_not_set")]
    assert not Mandate.objects.exists()


@pytest.mark.parametrize(("changes", "problem"), [
    ({"reference": ""}, ("reference", "reference_missing")),
    ({"reference": "M" * 36}, ("reference", "reference_too_long")),
    ({"reference": "MR_2026_001"}, ("reference", "reference_charset")),
    ({"reference": "MR-Müller"}, ("reference", "reference_charset")),
    ({"reference": "/MR-1"}, ("reference", "reference_slash")),
    ({"debtor_name": "  "}, ("debtor_name", "name_missing")),
    ({"debtor_name": "N" * 71}, ("debtor_name", "name_too_long")),
    ({"debtor_name": "Иван Петров"}, ("debtor_name", "name_charset")),
    ({"iban": ""}, ("iban", "iban_missing")),
    ({"iban": "DE89370400440532013001"}, ("iban", "iban_invalid")),
    ({"iban": "TR330006100519786457841326"}, ("iban", "iban_not_sepa")),
    ({"bic": "COBADEF"}, ("bic", "bic_invalid")),
    ({"scheme": "COR1"}, ("scheme", "scheme_invalid")),
    ({"kind": "monthly"}, ("kind", "kind_invalid")),
    ({"pre_notification_days": 0}, ("pre_notification_days", "pre_notification_range")),
])
def test_each_bad_value_is_refused_with_its_field_and_code(company, creditor, customer, member, changes, problem):
    assert refused(record, company, customer, member, **changes) == [problem]
    assert not Mandate.objects.exists()


def test_a_signature_in_the_future_is_refused(company, creditor, customer, member):
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert refused(record, company, customer, member, signed_on=tomorrow) == [("signed_on", "signed_in_future")]
    assert record(company, customer, member, signed_on=timezone.localdate()).pk


def test_the_reference_is_unique_per_creditor(company, creditor, customer, member, admin):
    record(company, customer, member)
    assert refused(record, company, customer, member) == [("reference", "reference_taken")]
    # under another creditor id the same reference is another mandate
    creditor_settings_update(company, creditor_id=OTHER_CREDITOR_ID, pre_notification_days=14, mail_from="",
                             user=admin)
    assert record(company, customer, member).creditor_id == OTHER_CREDITOR_ID


def test_another_companys_customer_is_refused(company, creditor, member):
    from kassenwart.companies.services import company_create

    stranger = Customer.objects.create(company=company_create("Alpenglück Handels KG", via="test"), number="K-1",
                                       name="Fremd AG")
    assert refused(record, company, stranger, member) == [("customer", "customer_invalid")]


def test_all_problems_at_once(company, creditor, customer, member):
    found = refused(record, company, customer, member, reference="", iban="DE00", signed_on=date(2999, 1, 1))
    assert found == [("reference", "reference_missing"), ("iban", "iban_invalid"), ("signed_on", "signed_in_future")]


# -- amendments ------------------------------------------------------------------------------
@pytest.fixture
def mandate(company, creditor, customer, member):
    return record(company, customer, member, bic="COBADEFFXXX")


def test_a_new_iban_at_the_same_bank_keeps_the_original_iban(mandate, member):
    amendment = mandate_amend(mandate, iban=SAME_BANK_IBAN, user=member)
    assert (amendment.original_iban, amendment.other_bank) == (IBAN, False)
    assert (amendment.original_reference, amendment.original_creditor_id) == ("", "")
    assert mandate.iban == SAME_BANK_IBAN
    assert Mandate.objects.get(pk=mandate.pk).iban == SAME_BANK_IBAN
    send = amendment_to_send(mandate)
    assert (send.original_iban, send.other_bank, send.ids) == (IBAN, False, (amendment.pk,))


def test_a_debtor_at_another_bank_is_smnda(mandate, member):
    amendment = mandate_amend(mandate, iban=OTHER_BANK_IBAN, bic="BYLADEM1001", user=member)
    assert (amendment.original_iban, amendment.other_bank) == (IBAN, True)
    assert (mandate.iban, mandate.bic) == (OTHER_BANK_IBAN, "BYLADEM1001")
    send = amendment_to_send(mandate)
    assert (send.original_iban, send.other_bank) == ("", True)  # SMNDA names no original account
    event = AuditEvent.objects.get(action="mandate.amended")
    assert (event.before["iban"], event.after["iban"], event.after["smnda"]) == (IBAN, OTHER_BANK_IBAN, True)


def test_a_new_reference_and_creditor_id_keep_the_originals(mandate, member):
    amendment = mandate_amend(mandate, reference="MR-2026-001-A", creditor_id=OTHER_CREDITOR_ID.lower(), user=member)
    assert (amendment.original_reference, amendment.original_creditor_id, amendment.original_iban) == (
        "MR-2026-001", CREDITOR_ID, "")
    assert (mandate.reference, mandate.creditor_id) == ("MR-2026-001-A", OTHER_CREDITOR_ID)


def test_unsent_amendments_fold_into_what_the_debtors_bank_last_saw(mandate, member):
    mandate_amend(mandate, iban=OTHER_BANK_IBAN, user=member)
    mandate_amend(mandate, reference="MR-NEU", user=member)
    mandate_amend(mandate, iban=SAME_BANK_IBAN, user=member)  # back at the first bank after all
    send = amendment_to_send(mandate)
    assert (send.original_reference, send.original_iban, send.other_bank) == ("MR-2026-001", IBAN, False)
    assert len(send.ids) == 3
    mandate_amend(mandate, reference="MR-2026-001", iban=IBAN, user=member)  # all changed back
    assert amendment_to_send(mandate) is None


def test_a_bic_alone_is_no_amendment(mandate, member):
    assert mandate_amend(mandate, bic="COBADEFF", user=member) is None
    assert mandate.bic == "COBADEFF"
    assert not MandateAmendment.objects.exists()
    assert amendment_to_send(mandate) is None


def test_amending_unblocks_a_mandate_blocked_by_a_return(mandate, member):
    Mandate.objects.filter(pk=mandate.pk).update(state=State.BLOCKED, state_reason="AC04")
    mandate.refresh_from_db()
    mandate_amend(mandate, iban=OTHER_BANK_IBAN, user=member)
    mandate.refresh_from_db()
    assert (mandate.state, mandate.state_reason) == (State.ACTIVE, "")


def test_amendment_refusals(mandate, member, company, customer):
    record(company, customer, member, reference="MR-2026-002")
    assert refused(mandate_amend, mandate, reference="MR-2026-002", user=member) == [("reference", "reference_taken")]
    assert refused(mandate_amend, mandate, iban="DE00", user=member) == [("iban", "iban_invalid")]
    assert refused(mandate_amend, mandate, creditor_id="DE99ZZZ09999999999", user=member) == [
        ("creditor_id", "creditor_id_checksum")]
    assert refused(mandate_amend, mandate, reference=" MR-2026-001 ", iban=IBAN, user=member) == [
        ("mandate", "nothing_changed")]
    assert not MandateAmendment.objects.exists()


def test_a_revoked_or_expired_mandate_is_not_amended(mandate, member):
    mandate_revoke(mandate, user=member, reason="Kunde hat gekündigt")
    with pytest.raises(StateChanged):
        mandate_amend(mandate, iban=SAME_BANK_IBAN, user=member)
    assert Mandate.objects.get(pk=mandate.pk).iban == IBAN


# -- revoking --------------------------------------------------------------------------------
def test_revoking_keeps_the_mandate_and_its_history(mandate, member):
    mandate_amend(mandate, iban=SAME_BANK_IBAN, user=member)
    mandate_revoke(mandate, user=member, reason="Vertrag beendet")
    mandate.refresh_from_db()
    assert mandate.state == State.REVOKED
    assert mandate.amendments.count() == 1
    event = AuditEvent.objects.get(action="mandate.revoked")
    assert (event.before, event.after) == ({"state": "active"}, {"state": "revoked", "reason": "Vertrag beendet"})
    with pytest.raises(StateChanged, match="revoked already"):
        mandate_revoke(mandate, user=member)


def test_someone_of_another_company_cannot_touch_our_mandates(mandate, make_user):
    from kassenwart.companies.services import company_create

    outsider = make_user(company_create("Alpenglück Handels KG", via="test"), "admin", "outsider")
    with pytest.raises(NotAllowed):
        mandate_revoke(mandate, user=outsider)
    with pytest.raises(NotAllowed):
        mandate_amend(mandate, iban=SAME_BANK_IBAN, user=outsider)
    assert Mandate.objects.get(pk=mandate.pk).state == State.ACTIVE


# -- expiry ----------------------------------------------------------------------------------
def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert months_before(date(2026, 7, 21), 36) == date(2023, 7, 21)
    assert months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


def test_a_mandate_expires_36_months_after_its_last_collection(company, creditor, customer, member):
    used = record(company, customer, member, reference="USED", signed_on=date(2020, 1, 10))
    Mandate.objects.filter(pk=used.pk).update(last_collected_on=date(2023, 7, 21))
    never = record(company, customer, member, reference="NEVER", signed_on=date(2023, 7, 22))
    assert mandates_expire(today=date(2026, 7, 20)) == 0
    assert mandates_expire(today=date(2026, 7, 21)) == 1
    assert Mandate.objects.get(pk=used.pk).state == State.EXPIRED
    assert Mandate.objects.get(pk=never.pk).state == State.ACTIVE  # signed a day later, never used
    assert mandates_expire(today=date(2026, 7, 22)) == 1
    assert Mandate.objects.get(pk=never.pk).state == State.EXPIRED
    assert mandates_expire(today=date(2030, 1, 1)) == 0  # expired once
    assert AuditEvent.objects.filter(action="mandate.expired").count() == 2


def test_revoked_mandates_stay_revoked_and_one_at_the_bank_waits(company, creditor, customer, member, account):
    revoked = record(company, customer, member, reference="REVOKED", signed_on=date(2020, 1, 1))
    planned = Collection.objects.create(company=company, mandate=revoked, account=account, amount=Decimal("49.00"),
                                        due_date=date(2026, 7, 1), drafted_by=member, state=Collection.State.PLANNED)
    mandate_revoke(revoked, user=member)
    note = AuditEvent.objects.get(action="collection.cancelled", object_id=str(planned.pk)).after["note"]
    with translation.override("de"):  # its history, read in German
        assert render(note) == "Mandat widerrufen"
    at_bank = record(company, customer, member, reference="AT-BANK", signed_on=date(2020, 1, 1))
    Collection.objects.create(company=company, mandate=at_bank, account=account,
                              amount=Decimal("49.00"), due_date=date(2026, 7, 1), drafted_by=member,
                              state=Collection.State.ORDERED)
    assert mandates_expire(today=date(2026, 7, 21)) == 0
    assert Mandate.objects.get(pk=revoked.pk).state == State.REVOKED
    assert Mandate.objects.get(pk=at_bank.pk).state == State.ACTIVE


# -- import ----------------------------------------------------------------------------------
def csv(*rows: str) -> bytes:
    return ("\n".join([",".join(COLUMNS), *rows]) + "\n").encode()


ROW_1 = f"MR-1,K-100,Kunde Eins GmbH,{IBAN},COBADEFFXXX,2026-03-01,CORE,recurring"
ROW_2 = f"MR-2,K-100,Kunde Eins GmbH,{OTHER_BANK_IBAN},,01.03.2026,B2B,einmalig"


def test_import_creates_the_mandates_and_skips_them_the_second_time(company, creditor, customer, member):
    result = mandate_import(company, csv(ROW_1, ROW_2), file_name="mandate.csv", user=member, via="test")
    assert (result.created, result.unchanged) == (2, 0)
    first, second = Mandate.objects.filter(company=company).order_by("reference")
    assert (first.reference, first.customer, first.creditor_id, first.iban, first.bic, first.kind) == (
        "MR-1", customer, CREDITOR_ID, IBAN, "COBADEFFXXX", "recurring")
    assert (second.scheme, second.kind, second.signed_on, second.created_by) == ("B2B", "one_off",
                                                                                  date(2026, 3, 1), member)
    event = AuditEvent.objects.get(action="mandates.imported")
    assert event.after["references"] == ["MR-1", "MR-2"] and event.after["file"] == "mandate.csv"
    again = mandate_import(company, csv(ROW_1, ROW_2, ROW_2.replace("MR-2", "MR-3")), user=member)
    assert (again.created, again.unchanged) == (1, 2)


def test_a_bad_row_imports_nothing_and_every_problem_is_listed(company, creditor, customer, member):
    record(company, customer, member, reference="MR-OLD")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = csv(
        ROW_1,
        f"MR-2,K-999,Kunde Zwei,{IBAN},,2026-03-01,CORE,recurring",           # line 3: unknown customer
        "MR-3,K-100,Kunde Eins GmbH,DE89370400440532013001,COBADEF,2026-03-01,CORE,recurring",  # 4: IBAN, BIC
        f"MR-1,K-100,Kunde Eins GmbH,{IBAN},,2026-03-01,CORE,recurring",     # line 5: MR-1 again
        f"MR-4,K-100,Kunde Eins GmbH,{IBAN},,{tomorrow},CORE,recurring",      # line 6: future
        f"{'X' * 36},K-100,Kunde Eins GmbH,{IBAN},,2026-03-01,CORE,recurring",  # line 7: too long
        f"MR_5,K-100,Kunde Eins GmbH,{IBAN},,2026-03-01,CORE,recurring",      # line 8: underscore
        f"MR-OLD,K-100,Kunde Eins GmbH,{OTHER_BANK_IBAN},,2026-03-01,CORE,recurring",  # 9: recorded otherwise
        f"MR-6,K-100,Kunde Eins GmbH,{IBAN},,2026-02-30,CORE,weekly",          # 10: date and kind
    )
    with pytest.raises(MandateFileError) as caught:
        mandate_import(company, data, user=member)
    found = [(e.line, e.column, e.code) for e in caught.value.errors]
    assert found == [
        (3, "customer_number", "customer_unknown"),
        (4, "debtor_iban", "iban_invalid"), (4, "debtor_bic", "bic_invalid"),
        (5, "mandate_reference", "reference_duplicate"),
        (6, "signed_on", "signed_in_future"),
        (7, "mandate_reference", "reference_too_long"),
        (8, "mandate_reference", "reference_charset"),
        (9, "mandate_reference", "reference_changed"),
        (10, "signed_on", "date_invalid"), (10, "kind", "kind_invalid"),
    ]
    duplicate = caught.value.errors[3]
    assert duplicate.params == {"reference": "MR-1", "line": 2}
    assert caught.value.errors[7].params["columns"] == "debtor_iban"
    assert list(Mandate.objects.values_list("reference", flat=True)) == ["MR-OLD"]
    assert not AuditEvent.objects.filter(action="mandates.imported").exists()


def test_import_needs_a_creditor_id(company, customer, member):
    with pytest.raises(PaymentInvalid) as caught:
        mandate_import(company, csv(ROW_1), user=member)
    assert [p.code for p in caught.value.problems] == ["creditor_id_not_set"]
    assert not Mandate.objects.exists()


def test_the_import_uses_only_the_companys_customers(company, creditor, member):
    from kassenwart.companies.services import company_create

    Customer.objects.create(company=company_create("Alpenglück Handels KG", via="test"), number="K-100",
                            name="Fremd AG")
    with pytest.raises(MandateFileError) as caught:
        mandate_import(company, csv(ROW_1), user=member)
    assert [(e.line, e.column, e.code) for e in caught.value.errors] == [(2, "customer_number", "customer_unknown")]
