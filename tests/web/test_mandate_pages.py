"""The mandate, customer and direct debit settings pages: members manage mandates, only admins
the creditor settings; problems shown at their fields or by line and column; a mandate's page
with its amendments, collections and returns; a customer's with mandates, plans and invoices."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kassenwart.core.models import AuditEvent
from kassenwart.payments.mandate_csv import COLUMNS
from kassenwart.payments.mandates import creditor_settings_update, mandate_create
from kassenwart.payments.models import AccountDebitSettings, Collection, CollectionPlan, CreditorSettings, Mandate
from kassenwart.receivables.models import Customer

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CREDITOR_ID = "DE98ZZZ09999999999"
IBAN = "DE89370400440532013000"
OTHER_BANK_IBAN = "DE02120300000000202051"


@pytest.fixture
def customer(company):
    return Customer.objects.create(company=company, number="K-100", name="Kunde Eins GmbH", iban=IBAN)


@pytest.fixture
def creditor(company):
    return creditor_settings_update(company, creditor_id=CREDITOR_ID, pre_notification_days=14, mail_from="",
                                    user=None, via="test")


@pytest.fixture
def mandate(company, creditor, customer, member):
    return mandate_create(company, customer=customer, reference="MR-2026-001", signed_on=date(2026, 3, 1),
                          scheme="CORE", kind="recurring", debtor_name="Kunde Eins GmbH", iban=IBAN, user=member,
                          via="test")


def page(client, name, *args, query="") -> str:
    response = client.get(reverse(name, args=args) + query, **EN)
    assert response.status_code == 200, name
    return response.content.decode()


# -- recording -------------------------------------------------------------------------------
def test_a_member_records_a_mandate_from_the_customers_page(client_for, member, creditor, customer):
    client = client_for(member)
    text = page(client, "customer_detail", customer.pk)
    new_url = f"{reverse('mandate_new')}?customer={customer.pk}"
    assert new_url in text
    form = client.get(new_url, **EN).content.decode()
    assert 'value="Kunde Eins GmbH"' in form and f'value="{IBAN}"' in form  # taken from the customer
    response = client.post(new_url, {"customer": customer.pk, "reference": "MR-2026-001", "signed_on": "2026-03-01",
                                     "debtor_name": "Kunde Eins GmbH", "iban": "DE89 3704 0044 0532 0130 00",
                                     "bic": "", "scheme": "CORE", "kind": "recurring"}, **EN)
    mandate = Mandate.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("mandate_detail", args=[mandate.pk])
    assert (mandate.iban, mandate.creditor_id, mandate.created_by) == (IBAN, CREDITOR_ID, member)
    text = page(client, "mandate_detail", mandate.pk)
    assert "Mandate MR-2026-001 recorded." in text and CREDITOR_ID in text


def test_problems_are_shown_at_their_fields(client_for, member, creditor, customer):
    client = client_for(member)
    response = client.post(reverse("mandate_new"), {
        "customer": customer.pk, "reference": "MR_1", "signed_on": "2999-01-01", "debtor_name": "Kunde",
        "iban": "DE89370400440532013001", "bic": "", "scheme": "CORE", "kind": "recurring"}, **EN)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["reference"] == ["The mandate reference contains characters banks cannot send: _. "
                                        "Letters a-z, digits, spaces and / - ? : ( ) . , ' + are allowed."]
    assert form.errors["signed_on"] == ["The signature date is in the future."]
    assert form.errors["iban"] == ["DE89370400440532013001 is not a valid IBAN (check the digits)."]
    assert not Mandate.objects.exists()


def test_without_a_creditor_id_the_pages_say_so(client_for, member, admin, customer):
    client = client_for(member)
    for name in ("mandate_new", "mandate_import"):
        text = page(client, name)
        assert "No creditor identifier is set." in text
        assert "An administrator enters it in the direct debit settings." in text
        assert reverse("debit_settings") not in text
    assert '<button type="submit" disabled>' in page(client, "mandate_import")  # nothing to import into
    response = client.post(reverse("mandate_new"), {
        "customer": customer.pk, "reference": "MR-1", "signed_on": "2026-03-01", "debtor_name": "Kunde",
        "iban": IBAN, "bic": "", "scheme": "CORE", "kind": "recurring"}, **EN)
    assert response.status_code == 400
    assert "No mandate or debit can be recorded without one." in response.content.decode()
    assert not Mandate.objects.exists()
    text = page(client_for(admin), "mandate_new")
    assert reverse("debit_settings") in text  # an admin is sent to where it is entered


# -- a mandate's page ------------------------------------------------------------------------
def test_the_mandate_page_shows_amendments_collections_and_returns(client_for, member, mandate, company, db_rows):
    client = client_for(member)
    account = db_rows.account(company)
    invoice = db_rows.invoice(company, "RE-2026-0007", "49.00", customer=mandate.customer)
    Collection.objects.create(company=company, mandate=mandate, account=account, amount=Decimal("49.00"),
                              due_date=date(2026, 4, 1), drafted_by=member, state=Collection.State.COLLECTED)
    Collection.objects.create(company=company, mandate=mandate, account=account, invoice=invoice,
                              amount=Decimal("49.00"), due_date=date(2026, 5, 1), drafted_by=member,
                              state=Collection.State.RETURNED, return_reason="AC04")
    Mandate.objects.filter(pk=mandate.pk).update(state=Mandate.State.BLOCKED, state_reason="AC04")
    text = page(client, "mandate_detail", mandate.pk)
    assert "Blocked until amended: the debtor's bank returned a collection (reason AC04)." in text
    assert "04/01/2026" in text and "05/01/2026" in text
    assert "RE-2026-0007" in text and "AC04" in text and "returned" in text and "collected" in text

    response = client.post(reverse("mandate_amend", args=[mandate.pk]), {
        "reference": mandate.reference, "iban": OTHER_BANK_IBAN, "bic": "", "creditor_id": CREDITOR_ID}, **EN)
    assert response.status_code == 302
    text = page(client, "mandate_detail", mandate.pk)
    assert "debtor moved to another bank (SMNDA)" in text
    assert "IBAN was DE89\u00a03704" in text and "another bank (SMNDA)" in text and "with the next collection" in text
    mandate.refresh_from_db()
    assert (mandate.state, mandate.iban) == (Mandate.State.ACTIVE, OTHER_BANK_IBAN)


def test_amend_shows_problems_and_refuses_no_change(client_for, member, mandate):
    client = client_for(member)
    text = page(client, "mandate_amend", mandate.pk)
    assert f'value="{CREDITOR_ID}"' in text
    data = {"reference": mandate.reference, "iban": IBAN, "bic": "", "creditor_id": CREDITOR_ID}
    response = client.post(reverse("mandate_amend", args=[mandate.pk]), data, **EN)
    assert response.status_code == 400 and "Nothing was changed." in response.content.decode()
    response = client.post(reverse("mandate_amend", args=[mandate.pk]),
                           {**data, "creditor_id": "DE99ZZZ09999999999"}, **EN)
    assert response.context["form"].errors["creditor_id"] == [
        "DE99ZZZ09999999999 has wrong check digits; check the creditor identifier."]


def test_revoke_asks_first_and_keeps_the_mandate(client_for, member, mandate):
    client = client_for(member)
    text = page(client, "mandate_detail", mandate.pk)
    assert "Yes, revoke this mandate" in text
    assert client.get(reverse("mandate_revoke", args=[mandate.pk])).status_code == 405
    response = client.post(reverse("mandate_revoke", args=[mandate.pk]), {"reason": "Kunde hat gekündigt"}, **EN)
    assert response.status_code == 302
    text = page(client, "mandate_detail", mandate.pk)
    assert "Revoked: nothing is collected under this mandate any more." in text
    assert "Kunde hat gekündigt" in text and "Yes, revoke this mandate" not in text
    response = client.post(reverse("mandate_revoke", args=[mandate.pk]), **EN)
    assert "This mandate is revoked already." in page(client, "mandate_detail", mandate.pk)


# -- lists -----------------------------------------------------------------------------------
def test_mandate_list_search_and_state_filter(client_for, member, mandate, company, customer):
    second = mandate_create(company, customer=customer, reference="MR-2026-002", signed_on=date(2026, 3, 1),
                            scheme="B2B", kind="one_off", debtor_name="Zweite Firma AG", iban=OTHER_BANK_IBAN,
                            user=member)
    Mandate.objects.filter(pk=second.pk).update(state=Mandate.State.REVOKED)
    client = client_for(member)
    text = page(client, "mandate_list")
    assert "MR-2026-001" in text and "MR-2026-002" in text and "2 mandates" in text
    text = page(client, "mandate_list", query="?q=zweite")
    assert "MR-2026-002" in text and "MR-2026-001" not in text
    text = page(client, "mandate_list", query="?q=DE02 1203")
    assert "MR-2026-002" in text and "MR-2026-001" not in text
    text = page(client, "mandate_list", query="?state=active")
    assert "MR-2026-001" in text and "MR-2026-002" not in text
    partial = client.get(reverse("mandate_list") + "?q=001", HTTP_HX_REQUEST="true", **EN).content.decode()
    assert "MR-2026-001" in partial and "<nav" not in partial  # live search answers with the results only


def test_customer_page_with_mandates_plans_and_open_invoices(client_for, member, mandate, company, db_rows):
    account = db_rows.account(company, name="Lastschriftkonto")
    CollectionPlan.objects.create(company=company, mandate=mandate, account=account, amount=Decimal("49.00"),
                                  day=31, starts_on=date(2026, 4, 1), remittance="Lizenz Kassenwart Pro",
                                  invoice_prefix="LZ-", created_by=member)
    db_rows.invoice(company, "RE-OFFEN", "120.00", customer=mandate.customer)
    db_rows.invoice(company, "RE-BEZAHLT", "80.00", open_amount="0.00", customer=mandate.customer, status="paid")
    client = client_for(member)
    text = page(client, "customer_list", query="?q=Kunde")
    assert "Kunde Eins GmbH" in text and "1 customer" in text
    text = page(client, "customer_detail", mandate.customer_id)
    assert "MR-2026-001" in text
    assert "Lizenz Kassenwart Pro" in text and "49.00\u00a0EUR" in text and "monthly, on day 31" in text
    assert "RE-OFFEN" in text and "RE-BEZAHLT" not in text


def test_the_customers_tab_leads_to_the_mandates(client_for, member):
    client = client_for(member)
    home = page(client, "home")
    assert f'href="{reverse("customer_list")}"' in home
    assert f'href="{reverse("mandate_list")}"' in page(client, "customer_list")
    assert 'aria-current="page">Customers' in page(client, "mandate_list")


# -- import ----------------------------------------------------------------------------------
def test_import_from_the_web_lists_problems_then_imports(client_for, member, creditor, customer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(member)
    header = ",".join(COLUMNS)
    good = f"MR-1,K-100,Kunde Eins GmbH,{IBAN},,2026-03-01,CORE,recurring"
    bad = "MR-2,K-999,Kunde Zwei,DE02120300000000202052,,2026-03-01,CORE,monthly"
    upload = SimpleUploadedFile("mandate.csv", f"{header}\n{good}\n{bad}\n".encode())
    response = client.post(reverse("mandate_import"), {"file": upload}, **EN)
    assert response.status_code == 400
    text = response.content.decode()
    assert "mandate.csv: 3 problems, nothing was imported" in text
    assert "the mandates are imported only when every line is right" in text
    assert '<button type="submit">' in text  # with a creditor id the import is open
    assert "There is no customer with the number K-999." in text
    assert "DE02120300000000202052 is not a valid IBAN (check the digits)." in text
    assert "monthly is neither recurring nor one-off (wiederkehrend, einmalig)." in text
    assert text.count("Line 3") == 3
    assert not Mandate.objects.exists()
    upload = SimpleUploadedFile("mandate.csv", f"{header}\n{good}\n".encode())
    response = client.post(reverse("mandate_import"), {"file": upload}, **EN)
    assert response.status_code == 302 and response["Location"] == reverse("mandate_list")
    assert "1 mandate imported." in page(client, "mandate_list")
    upload = SimpleUploadedFile("mandate.csv", f"{header}\n{good}\n".encode())
    client.post(reverse("mandate_import"), {"file": upload}, **EN)
    assert "0 mandates imported. 1 was already there." in page(client, "mandate_list")
    assert Mandate.objects.get().created_by == member


# -- settings --------------------------------------------------------------------------------
def test_only_admins_see_and_change_the_direct_debit_settings(client_for, member, admin, company, db_rows):
    account = db_rows.account(company, name="Lastschriftkonto")
    member_client = client_for(member)
    assert member_client.get(reverse("debit_settings")).status_code == 403
    assert member_client.post(reverse("debit_settings_account", args=[account.pk])).status_code == 403
    assert reverse("debit_settings") not in page(member_client, "home")
    client = client_for(admin)
    assert reverse("debit_settings") in page(client, "home")
    text = page(client, "debit_settings")
    assert "No creditor identifier is set." in text and "No debit can be created without one" in text
    assert "EPC allows RCUR from the first collection since November 2016" in text and "Lastschriftkonto" in text

    response = client.post(reverse("debit_settings"), {"creditor_id": "DE98ZZZ0999999999X",
                                                       "pre_notification_days": "14", "mail_from": ""}, **EN)
    assert response.status_code == 400
    assert response.context["form"].errors["creditor_id"] == [
        "DE98ZZZ0999999999X has wrong check digits; check the creditor identifier."]
    response = client.post(reverse("debit_settings"), {"creditor_id": "de98 zzz 0999 9999 999",
                                                       "pre_notification_days": "7", "mail_from": ""}, **EN)
    assert response.status_code == 302
    settings = CreditorSettings.objects.get(company=company)
    assert (settings.creditor_id, settings.pre_notification_days) == (CREDITOR_ID, 7)
    assert "No creditor identifier is set." not in page(client, "debit_settings")

    prefix = f"account-{account.pk}"
    response = client.post(reverse("debit_settings_account", args=[account.pk]),
                           {f"{prefix}-creditor_id": "", f"{prefix}-first_as_frst": "on"}, **EN)
    assert response.status_code == 302
    assert AccountDebitSettings.objects.get(account=account).first_as_frst is True
    response = client.post(reverse("debit_settings_account", args=[account.pk]),
                           {f"{prefix}-creditor_id": "ZZZ 123"}, **EN)
    assert response.status_code == 400
    assert "is not a SEPA creditor identifier" in response.content.decode()
    assert AuditEvent.objects.filter(action="account_debit_settings.updated").count() == 1
