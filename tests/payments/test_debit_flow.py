"""A debit run from drafting to the books: collections under mandates grouped into one run,
released by an approver who drafted none of them, exported as a pain.008 file for an account
without FinTS (validated against the schemas), confirmed as uploaded, then collected on the
statement (the invoices reconcile by end-to-end id) and one returned (the invoice is open
again, the mandate blocked)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from lxml import etree

from kassenwart.banking.models import BankAccount
from kassenwart.banking.services import statement_import
from kassenwart.core.business_days import add_business_days
from kassenwart.core.messages import render
from kassenwart.flows.tasks import after_import_task
from kassenwart.payments import debits, selectors, services
from kassenwart.payments.models import (
    AccountDebitSettings,
    Collection,
    CreditorSettings,
    Mandate,
    MandateAmendment,
    PaymentOrder,
)
from kassenwart.payments.sepa import pain008, schemas
from kassenwart.receivables.models import Customer, Invoice
from kassenwart.receivables.services import invoice_import
from kassenwart.reconciliation.models import Match, TransactionState
from kassenwart.reconciliation.reasons import worded

from camt_files import camt, entry
from shared_data import shared_path

State = PaymentOrder.State
IBAN = "DE89370400440532013000"  # the company's collecting account (statement files only)
CREDITOR_ID = "DE98ZZZ09999999999"
NS = {"p": pain008.NAMESPACE}
DEBTORS = [("10001", "Alpen Software GmbH", "DE02120300000000202051"),
           ("10002", "Bergmann Consulting KG", "DE02500105170137075030"),
           ("10003", "Cordes Maschinenbau AG", "AT611904300234573201")]


@pytest.fixture
def approver(company, make_user):
    return make_user(company, "approver")


@pytest.fixture
def drafter(company, make_user):
    """Drafts the collections; an approver too, so only the four eyes stop them."""
    return make_user(company, "approver", "drafting-approver")


@pytest.fixture
def account(company):
    CreditorSettings.objects.create(company=company, creditor_id=CREDITOR_ID)
    return BankAccount.objects.create(company=company, name="Giro", iban=IBAN, bic="COBADEFFXXX",
                                      owner="Nordlicht Software GmbH")


@pytest.fixture
def books(company, drafter):
    """Three customers with an invoice each and a recurring CORE mandate each."""
    rows = "".join(f"RE-{number},{number},{name},{iban},2026-11-01,2026-12-01,{100 * n}.00,EUR,\n"
                   for n, (number, name, iban) in enumerate(DEBTORS, start=1))
    header = "invoice_number,customer_number,customer_name,customer_iban,issue_date,due_date,amount,currency," \
             "payment_reference\n"
    invoice_import(company, (header + rows).encode())
    for number, name, iban in DEBTORS:
        Mandate.objects.create(company=company, customer=Customer.objects.get(company=company, number=number),
                               reference=f"MNDT-{number}", creditor_id=CREDITOR_ID, signed_on=date(2026, 1, 15),
                               debtor_name=name, iban=iban, created_by=drafter)
    return company


def collections(company, account, drafter, due: date) -> list[Collection]:
    return [Collection.objects.create(company=company, mandate=mandate, invoice=invoice, account=account,
                                      amount=invoice.open_amount, due_date=due, remittance=invoice.number,
                                      drafted_by=drafter)
            for mandate, invoice in ((m, Invoice.objects.get(company=company, number=f"RE-{m.customer.number}"))
                                     for m in Mandate.objects.filter(company=company).order_by("reference"))]


@pytest.fixture
def due():
    return add_business_days(timezone.localdate(), 3)


@pytest.fixture
def run(books, account, drafter, due):
    planned = collections(books, account, drafter, due)
    return debits.debit_order_create(books, account=account, scheme="CORE", sequence_type="RCUR",
                                     collection_date=due, collections=planned, creditor_id=CREDITOR_ID)


def test_a_debit_run_waits_for_an_approver_who_drafted_none_of_it(run, drafter, approver):
    assert run.state == State.PENDING_APPROVAL and run.delivery == PaymentOrder.Delivery.FILE
    assert list(run.collections.values_list("state", "position")) == [("ordered", 1), ("ordered", 2), ("ordered", 3)]
    assert services.order_total(run) == Decimal("600.00")
    with pytest.raises(services.FourEyes):
        services.order_approve(run, user=drafter)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds it too
        run.collections.update(approved_by=drafter)
    services.order_approve(run, user=approver)
    assert set(run.collections.values_list("approved_by", flat=True)) == {approver.pk}


def test_an_account_without_fints_exports_a_valid_pain_008(run, approver, due):
    services.order_approve(run, user=approver)
    services.order_queue(run, user=approver)
    run.refresh_from_db()
    assert run.state == State.EXPORTED
    exported = selectors.latest_pain(run)
    name, xml = exported.name, exported.data
    assert name == f"{run.message_id}.xml"
    document = etree.fromstring(xml)
    assert document.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS) == "3"
    assert document.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == "600.00"
    assert document.findtext(".//p:PmtTpInf/p:SeqTp", namespaces=NS) == "RCUR"
    assert document.findtext(".//p:ReqdColltnDt", namespaces=NS) == due.isoformat()
    assert [m.text for m in document.iterfind(".//p:MndtId", NS)] == ["MNDT-10001", "MNDT-10002", "MNDT-10003"]
    assert schemas.check(xml, pain008.MESSAGE, shared_path("xsd")) == ["pain.008.001.08", "pain.008.001.08_GBIC_4"]
    assert run.attempts.get().schemas_checked[0] == "pain.008.001.08"  # ISO always (GBIC_4 with an XSD dir)
    services.order_confirm_upload(run, user=approver)
    run.refresh_from_db()
    assert run.state == State.ACCEPTED and "Uploaded" in render(run.note)
    assert set(Mandate.objects.values_list("last_collected_on", flat=True)) == {due}


def test_collected_debits_reconcile_and_a_return_reopens_its_invoice(run, approver, company, account, due):
    services.order_approve(run, user=approver)
    services.order_queue(run, user=approver)
    services.order_confirm_upload(run, user=approver)
    ids = dict(run.collections.values_list("mandate__reference", "end_to_end_id"))
    credits = [entry(f"{100 * n}.00", due, text=f"RE-{number}", name=name, iban=iban,
                     end_to_end_id=ids[f"MNDT-{number}"], mandate_id=f"MNDT-{number}")
               for n, (number, name, iban) in enumerate(DEBTORS, start=1)]
    statement_import(company, camt(credits, iban=IBAN, statement_id="S-1"), file_name="day1.xml")
    after_import_task.call(company.pk)
    run.refresh_from_db()
    assert run.state == State.BOOKED
    assert set(run.collections.values_list("state", flat=True)) == {"collected"}
    assert set(Invoice.objects.values_list("status", flat=True)) == {"paid"}
    assert Match.objects.filter(reasons__0__key="reconciliation.reason.mandate_collected").count() == 3

    back = due + timedelta(days=3)  # the debtor's bank returns one: account closed
    returned = entry("-200.00", back, text="RUECKLASTSCHRIFT RE-10002", name="Bergmann Consulting KG",
                     iban=DEBTORS[1][2], end_to_end_id=ids["MNDT-10002"], return_reason="AC04")
    statement_import(company, camt([returned], iban=IBAN, statement_id="S-2"), file_name="day4.xml")
    after_import_task.call(company.pk)
    collection = Collection.objects.get(mandate__reference="MNDT-10002")
    assert (collection.state, collection.return_reason) == ("returned", "AC04")
    assert Invoice.objects.get(number="RE-10002").status == "open"
    assert Invoice.objects.get(number="RE-10001").status == "paid"
    mandate = collection.mandate
    assert (mandate.state, mandate.state_reason) == ("blocked", "AC04")
    credit = TransactionState.objects.get(transaction__end_to_end_id=ids["MNDT-10002"], transaction__amount__gt=0)
    assert credit.status == TransactionState.Status.IGNORED  # matching never applies it again
    with translation.override("de"):
        assert worded(credit.ignore_reason) == "Lastschrift zurückgegeben (Rückgabegrund AC04)"
    after_import_task.call(company.pk)
    assert Invoice.objects.get(number="RE-10002").status == "open"
    assert debits.return_reason_text("AC04") == "the account is closed (AC04)"


def test_a_rejected_or_cancelled_run_holds_its_collections(run, approver):
    services.order_cancel(run, user=approver, reason="not this month")
    assert set(run.collections.values_list("state", "hold_reason")) == {("held", "order_cancelled")}


def test_a_collection_date_the_bank_cannot_meet_is_refused_never_moved(books, account, drafter):
    today = timezone.localdate()
    planned = collections(books, account, drafter, today)
    with pytest.raises(services.PaymentInvalid) as refused:
        debits.debit_order_create(books, account=account, scheme="CORE", sequence_type="RCUR",
                                  collection_date=today, collections=planned, creditor_id=CREDITOR_ID)
    problem = refused.value.problems[0]
    assert (problem.field, problem.code) == ("requested_date", "collection_too_soon")
    assert problem.params["earliest"] == add_business_days(today, 1).isoformat()
    assert set(Collection.objects.values_list("state", flat=True)) == {"planned"}  # nothing half done
    assert not PaymentOrder.objects.exists()
    debits.check_lead_time(account, "CORE", add_business_days(today, 1), batch=True, today=today)  # fine


def test_no_debit_without_a_creditor_id(company, account):
    CreditorSettings.objects.filter(company=company).update(creditor_id="")
    with pytest.raises(services.PaymentInvalid) as missing:
        debits.creditor_id_for(account)
    assert missing.value.problems[0].code == "creditor_id_not_set"
    AccountDebitSettings.objects.create(account=account, creditor_id="DE26ZZZ00000000001")
    assert debits.creditor_id_for(account) == "DE26ZZZ00000000001"


def test_sequence_types(books, account, drafter, approver, due):
    mandate = Mandate.objects.get(reference="MNDT-10001")
    assert debits.sequence_type_for(mandate, account) == "RCUR"  # EPC: RCUR from the first since 2016
    AccountDebitSettings.objects.create(account=account, first_as_frst=True)
    assert debits.sequence_type_for(mandate, account) == "FRST"  # this bank still wants FRST
    run = debits.debit_order_create(books, account=account, scheme="CORE", sequence_type="FRST",
                                    collection_date=due, collections=collections(books, account, drafter, due)[:1],
                                    creditor_id=CREDITOR_ID)
    services.order_approve(run, user=approver)
    services.order_queue(run, user=approver)
    assert debits.sequence_type_for(mandate, account) == "FRST"  # not before the bank took it
    services.order_confirm_upload(run, user=approver)
    assert debits.sequence_type_for(mandate, account) == "RCUR"
    MandateAmendment.objects.create(mandate=mandate, original_iban=mandate.iban, other_bank=True)
    assert debits.sequence_type_for(mandate, account) == "FRST"  # moved to another bank: first again
    one_off = Mandate.objects.get(reference="MNDT-10002")
    Mandate.objects.filter(pk=one_off.pk).update(kind=Mandate.Kind.ONE_OFF)
    one_off.refresh_from_db()
    assert debits.sequence_type_for(one_off, account) == "OOFF"


def test_an_amendment_travels_with_the_next_collection(books, account, drafter, approver, due):
    mandate = Mandate.objects.get(reference="MNDT-10001")
    MandateAmendment.objects.create(mandate=mandate, original_reference="OLD-10001")
    run = debits.debit_order_create(books, account=account, scheme="CORE", sequence_type="RCUR",
                                    collection_date=due, collections=collections(books, account, drafter, due),
                                    creditor_id=CREDITOR_ID)
    services.order_approve(run, user=approver)
    services.order_queue(run, user=approver)
    document = etree.fromstring(selectors.latest_pain(run).data)
    amended = [tx for tx in document.iterfind(".//p:DrctDbtTxInf", NS)
               if tx.findtext(".//p:MndtId", namespaces=NS) == "MNDT-10001"][0]
    assert amended.findtext(".//p:AmdmntInd", namespaces=NS) == "true"
    assert amended.findtext(".//p:OrgnlMndtId", namespaces=NS) == "OLD-10001"
    others = [tx.findtext(".//p:AmdmntInd", namespaces=NS) for tx in document.iterfind(".//p:DrctDbtTxInf", NS)]
    assert others.count("true") == 1
