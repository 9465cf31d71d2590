"""A payment run of the bills due: the open bills whose Skonto ends or which fall due within the
next days become one run waiting for approval (Skonto while it is to be had, credit notes set
off, the invoice number as remittance); those that cannot be paid so are skipped with their
reason. The run exported as a pain file pays them; cancelled, it offers them again."""

from datetime import timedelta
from decimal import Decimal

import pytest

from kassenwart.core.models import AuditEvent
from kassenwart.flows.bills import SKIP_DRAFTED, SKIP_NO_IBAN, SKIP_NOT_EURO, bill_draft_transfer, bills_gather_run
from kassenwart.flows.bills import bill_import as imported
from kassenwart.payables.models import Bill
from kassenwart.payables.selectors import bills_to_pay
from kassenwart.payments import services as payments
from kassenwart.payments.models import PaymentOrder

from einvoices import Spec, ubl


def today():
    from django.utils import timezone

    return timezone.localdate()


def bill(company, member, number, **changes):
    return imported(company, ubl(Spec(number=number, **changes)), file_name=f"{number}.xml", user=member).bill


@pytest.fixture
def bills(company, member):
    """Six bills of one supplier: which ones a 7-day run takes."""
    day = today()
    return {
        # Skonto (14 days from issue) ends in 5 days: with Skonto
        "skonto": bill(company, member, "RE-1", issue=day - timedelta(days=9), due=day + timedelta(days=21)),
        # Skonto missed, overdue since yesterday: the full amount, at once
        "overdue": bill(company, member, "RE-2", issue=day - timedelta(days=31), due=day - timedelta(days=1)),
        # Skonto in 14 days, due in 30: not yet
        "later": bill(company, member, "RE-3", issue=day, due=day + timedelta(days=30)),
        "no_iban": bill(company, member, "RE-4", iban="", issue=day - timedelta(days=20), due=day + timedelta(days=2)),
        "dollars": bill(company, member, "RE-5", issue=day - timedelta(days=20), due=day + timedelta(days=3)),
        "drafted": bill(company, member, "RE-6", issue=day - timedelta(days=20), due=day + timedelta(days=4)),
    }


def credit_note(company, member):
    return bill(company, member, "GS-1", credit_note=True, lines=(("Retoure", Decimal("1"), Decimal("50.00")),))


def test_the_bills_due_within_a_week_become_one_run_waiting_for_approval(company, member, account, bills):
    Bill.objects.filter(pk=bills["dollars"].pk).update(currency="USD")  # set-up: a bill in another currency
    first = bill_draft_transfer(bills["drafted"], user=member, account=account)
    credit = credit_note(company, member)

    gathered = bills_gather_run(company, user=member, account=account, days=7, via="test")

    run = gathered.order
    assert run.state == PaymentOrder.State.PENDING_APPROVAL and run.account == account
    assert [b.invoice_number for b in gathered.drafted] == ["RE-2", "RE-1"]  # the soonest Skonto date first
    assert {(b.invoice_number, code, tuple(params.values())) for b, code, params in gathered.skipped} == {
        ("RE-4", SKIP_NO_IBAN, ()), ("RE-5", SKIP_NOT_EURO, ("USD",)), ("RE-6", SKIP_DRAFTED, (first.pk,))}
    transfers = list(run.transfers.order_by("position"))
    # RE-2 in full (its Skonto is missed) less the credit note, RE-1 with Skonto
    assert [(t.remittance, t.amount) for t in transfers] == [
        ("RE-2", Decimal("392.70") - credit.amount), ("RE-1", Decimal("384.85"))]
    assert run.requested_date <= bills["skonto"].skonto_date  # the earliest day planned: no Skonto missed
    for planned, transfer in zip(gathered.drafted, transfers):
        planned.refresh_from_db()
        assert (planned.status, planned.order_id, planned.transfer_id) == ("drafted", run.pk, transfer.pk)
    credit.refresh_from_db()
    assert (credit.status, credit.offset_bill_id) == ("offset", bills["overdue"].pk)
    assert AuditEvent.objects.filter(action="bill.drafted", object_id=str(bills["overdue"].pk)).exists()
    assert set(bills_to_pay(company)) == {bills["later"], bills["no_iban"], bills["dollars"]}

    nothing = bills_gather_run(company, user=member, account=account, days=7)  # they are drafted now
    assert nothing.order is None and nothing.drafted == []
    assert {code for _, code, _ in nothing.skipped} == {SKIP_DRAFTED, SKIP_NO_IBAN, SKIP_NOT_EURO}


def test_the_run_exported_pays_its_bills_and_cancelled_offers_them_again(company, member, approver, account, bills):
    credit = credit_note(company, member)
    run = bills_gather_run(company, user=member, account=account, days=7).order
    assert run.transfers.count() == 4  # RE-1, RE-2, RE-5, RE-6
    payments.order_approve(run, user=approver)
    payments.order_queue(run, user=approver)  # the account has no bank connection: a pain file
    run.refresh_from_db()
    assert run.state == PaymentOrder.State.EXPORTED
    paid = Bill.objects.filter(order_id=run.pk)
    assert {(b.status, b.paid_on) for b in paid} == {("paid", max(run.requested_date, today()))}
    assert not bills_to_pay(company).filter(pk__in=[bills["skonto"].pk, bills["overdue"].pk]).exists()

    payments.order_cancel(run, user=approver, reason="Datei nie hochgeladen")
    again = Bill.objects.filter(order_id=run.pk)
    assert {(b.status, b.to_draft_again) for b in again} == {("open", True)}
    credit.refresh_from_db()
    assert credit.status == "credit"
    second = bills_gather_run(company, user=member, account=account, days=7).order
    assert second.transfers.count() == 4
    payments.order_approve(second, user=approver)
    payments.order_queue(second, user=approver)
    payments.order_confirm_upload(PaymentOrder.objects.get(pk=second.pk), user=approver)
    assert set(Bill.objects.filter(order_id=second.pk).values_list("status", flat=True)) == {"paid"}
