"""The bills' way through the payment pages: "add due bills" on the transfers list makes one run
(bills skipped are named with their reason); the approver sees each bill with its flags on the
run's page (beside the bank's payee check: test_browser_bill_run.py, a real bank's check); a bill paid shows it with its date, one whose
transfer was cancelled offers a new draft. English and German."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from kassenwart.banking.models import BankAccount
from kassenwart.flows.bills import bill_import
from kassenwart.payables.models import Bill
from kassenwart.payments import services as payments
from kassenwart.payments.models import PaymentOrder

from einvoices import Spec, ubl

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DE = {"HTTP_ACCEPT_LANGUAGE": "de"}
EARLIER_IBAN = "DE75512108001245126199"


def account_of(company, name="Geschäftskonto", iban="DE89370400440532013000"):
    return BankAccount.objects.create(company=company, name=name, iban=iban, bic="COBADEFFXXX", currency="EUR",
                                      owner=company.name)


def paid_before(company, user, account):
    """A transfer to the supplier at another IBAN that went out (the pain file exported)."""
    order = payments.order_create(company, user=user, account=account, requested_date=timezone.localdate(),
                                  transfers=[payments.TransferInput("Bürobedarf Müller GmbH", EARLIER_IBAN,
                                                                    Decimal("10.00"))])
    PaymentOrder.objects.filter(pk=order.pk).update(state=PaymentOrder.State.EXPORTED)  # set-up: history


def due_bills(company, user):
    today = timezone.localdate()
    flagged = bill_import(company, ubl(Spec(issue=today - timedelta(days=10), due=today + timedelta(days=20))),
                          file_name="re.xml", user=user).bill
    no_iban = bill_import(company, ubl(Spec(number="RE-9", iban="", issue=today, due=today + timedelta(days=3))),
                          file_name="re9.xml", user=user).bill
    return flagged, no_iban


def test_add_due_bills_makes_one_run_and_names_what_it_skipped(company, make_user, client_for):
    member = make_user(company, "member", "mia")
    account = account_of(company)
    paid_before(company, member, account)
    flagged, no_iban = due_bills(company, member)
    assert flagged.flag_codes == ["iban_changed"]
    client = client_for(member)
    listing = client.get(reverse("payment_list"), **EN).content.decode()
    assert "Add due bills" in listing and "2 bills fall due within a week" in listing

    page = client.post(reverse("payment_run_bills"), {"days": "7", "account": account.pk}, follow=True, **EN)
    run = PaymentOrder.objects.get(company=company, transfers__remittance="RE-2026-0042")
    assert page.redirect_chain[-1][0] == reverse("payment_detail", args=[run.pk])
    text = page.content.decode()
    assert f"Run #{run.pk} of 1 bill made; an approver has been told." in text
    assert "Bürobedarf Müller GmbH RE-9: not in the run, the bill names no IBAN to pay to." in text
    assert run.state == PaymentOrder.State.PENDING_APPROVAL

    approver = make_user(company, "approver", "abe")
    approval = client_for(approver).get(reverse("payment_detail", args=[run.pk]), **DE).content.decode()
    assert "Aus einer Rechnung entworfen" in approval
    assert reverse("bill_detail", args=[flagged.pk]) in approval
    assert "weicht von der IBAN ab" in approval and EARLIER_IBAN in approval


def test_a_paid_bill_shows_its_date_and_a_cancelled_one_offers_a_new_draft(company, make_user, client_for):
    member = make_user(company, "member", "mia")
    approver = make_user(company, "approver", "abe")
    account = account_of(company)
    flagged, _ = due_bills(company, member)
    client = client_for(member)
    client.post(reverse("payment_run_bills"), {"days": "7", "account": account.pk})
    flagged.refresh_from_db()
    run = PaymentOrder.objects.get(pk=flagged.order_id)
    payments.order_approve(run, user=approver)
    payments.order_queue(run, user=approver)  # exported: paid
    flagged.refresh_from_db()
    assert flagged.status == "paid"
    detail = client.get(reverse("bill_detail", args=[flagged.pk]), **DE).content.decode()
    assert f"bezahlt {flagged.paid_on:%d.%m.%Y}" in detail
    assert reverse("bill_detail", args=[flagged.pk]) not in client.get(reverse("bill_list")).content.decode()

    payments.order_cancel(run, user=approver, reason="nie hochgeladen")
    detail = client.get(reverse("bill_detail", args=[flagged.pk]), **EN).content.decode()
    assert f"Transfer #{run.pk}</a> did not pay this bill" in detail and "Draft transfer" in detail
    assert reverse("bill_detail", args=[flagged.pk]) in client.get(reverse("bill_list")).content.decode()


def test_another_companys_account_cannot_pay_our_bills(company, other_company, make_user, client_for):
    member = make_user(company, "member", "mia")
    account_of(company)
    theirs = account_of(other_company, name="Konto theirs", iban="DE02120300000000202051")
    due_bills(company, member)
    page = client_for(member).post(reverse("payment_run_bills"), {"days": "7", "account": theirs.pk}, follow=True,
                                   **EN)
    assert "Choose one of your accounts" in page.content.decode()
    assert not PaymentOrder.objects.exists()
    assert set(Bill.objects.values_list("status", flat=True)) == {"open"}
