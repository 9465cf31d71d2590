"""A bill follows the transfer drafted from it, on every way an order takes at the sandbox bank:
paid once the bank accepts it (and still paid when the statement books it), to pay again when
the money comes back or the bank did not execute it, with its credit notes free again; and
into a run its transfer was bundled into."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from order_steps import SUPPLIER, send

from kassenwart.banking import fints
from kassenwart.core.models import AuditEvent
from kassenwart.dashboards.selectors import todos
from kassenwart.flows.bills import bill_draft_transfer, bill_import
from kassenwart.payables.models import Bill
from kassenwart.payables.selectors import bills_to_pay
from kassenwart.payments import runs, services, submission
from kassenwart.payments.models import PaymentOrder
from kassenwart.sandbox.scenarios import CLOSED_ACCOUNT, SUPPLIERS

from einvoices import Spec, ubl
from fints_fixtures import TAN

State = PaymentOrder.State


@pytest.fixture
def approver(company, make_user):
    return make_user(company, "approver")


def bill_of(company, member, party=SUPPLIER, number="RE-2026-0042", **changes):
    today = timezone.localdate()
    # due today, no Skonto: planned for the next business day
    spec = Spec(number=number, seller=party.name, seller_vat="", iban=party.iban, bic=party.bic, terms="",
                issue=today - timedelta(days=30), due=today, **changes)
    return bill_import(company, ubl(spec), file_name=f"{number}.xml", user=member, via="test").bill


def drafted(bill, member, approver, account):
    order = bill_draft_transfer(bill, user=member, account=account, via="test")
    services.order_submit(order, user=member)
    services.order_approve(order, user=approver)
    return order


def accept(order, approver):
    order = send(order, approver)
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.ACCEPTED
    return order


def to_pay_on_the_dashboard(company, member) -> int:
    return todos(company, member, approves=False, maps=False, drafts_debits=False, manages_connections=False,
                 drafts_transfers=True, today=timezone.localdate()).bills_to_pay


def on_the_statement(order, bank, connection):
    """The bank's clock on the execution day, and the statement fetched."""
    bank.clock.advance(days=(order.requested_date - timezone.localdate()).days)
    fints.connection_sync(connection)


def events(bill):
    return list(AuditEvent.objects.filter(object_type="payables.bill", object_id=str(bill.pk)).order_by("pk")
                .values_list("action", flat=True))


def test_a_bill_is_paid_when_the_bank_accepts_its_transfer_and_stays_paid_when_booked(
        company, member, approver, account, connection, bank):
    bill = bill_of(company, member)
    assert to_pay_on_the_dashboard(company, member) == 1
    order = accept(drafted(bill, member, approver, account), approver)
    bill.refresh_from_db()
    assert (bill.status, bill.paid_on, bill.order_id) == ("paid", order.requested_date, order.pk)
    assert bill.get_status_display() == "paid"
    assert not bills_to_pay(company).exists() and to_pay_on_the_dashboard(company, member) == 0
    on_the_statement(order, bank, connection)
    assert services.orders_follow_statements(company).booked == 1
    bill.refresh_from_db()
    assert bill.status == "paid"
    assert events(bill) == ["bill.imported", "bill.drafted", "bill.paid"]
    paid = AuditEvent.objects.get(action="bill.paid", object_id=str(bill.pk))
    assert (paid.actor_id, paid.after["order_id"]) == (approver.pk, order.pk)  # who gave the TAN


def test_money_that_comes_back_makes_the_bill_to_pay_again_with_its_credit_note_free(
        company, member, approver, account, connection, bank):
    credit = bill_of(company, member, party=CLOSED_ACCOUNT, number="GS-1", credit_note=True,
                     lines=(("Retoure", Decimal("1"), Decimal("10.00")),))
    bill = bill_of(company, member, party=CLOSED_ACCOUNT)
    order = accept(drafted(bill, member, approver, account), approver)
    credit.refresh_from_db()
    assert credit.status == "offset"
    on_the_statement(order, bank, connection)
    services.orders_follow_statements(company)
    bank.clock.advance(days=3)  # the payee's bank sends it back (AC04: account closed)
    fints.connection_sync(connection)
    assert services.orders_follow_statements(company).returned == 1
    bill.refresh_from_db()
    credit.refresh_from_db()
    assert (bill.status, bill.paid_on, bill.to_draft_again, bill.order_id) == ("open", None, True, order.pk)
    assert credit.status == "credit"
    assert list(bills_to_pay(company)) == [bill]
    reopened = AuditEvent.objects.get(action="bill.reopened", object_id=str(bill.pk))
    assert (reopened.before["status"], reopened.after["order_state"], reopened.after["credit_notes_freed"]) == (
        "paid", "returned", [credit.pk])
    # drafted again: the credit note is set off again
    again = bill_draft_transfer(bill, user=member, account=account)
    assert again.transfers.get().amount == bill.amount - credit.amount
    bill.refresh_from_db()
    assert (bill.status, bill.order_id, bill.to_draft_again) == ("drafted", again.pk, False)


def test_an_order_the_bank_did_not_execute_offers_the_bill_again_until_the_statement_shows_it_paid(
        company, member, approver, account, sandbox, bank, connection):
    credit = bill_of(company, member, number="GS-1", credit_note=True,
                     lines=(("Retoure", Decimal("1"), Decimal("10.00")),))
    bill = bill_of(company, member)
    order = send(drafted(bill, member, approver, account), approver)
    sandbox.faults.drop_after_order = 1  # the bank executes it, its answer is lost
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.UNKNOWN
    bill.refresh_from_db()
    assert bill.status == "drafted"  # it may still have been paid
    services.order_resolve(order, user=approver, executed=False, note="nicht im Bankportal")
    bill.refresh_from_db()
    credit.refresh_from_db()
    assert (bill.status, bill.to_draft_again, credit.status) == ("open", True, "credit")
    # the statement shows it executed after all: the bill is paid by it, its credit note used again
    on_the_statement(order, bank, connection)
    assert services.orders_follow_statements(company).booked == 1
    bill.refresh_from_db()
    credit.refresh_from_db()
    assert (bill.status, bill.order_id, credit.status, credit.offset_bill_id) == ("paid", order.pk, "offset", bill.pk)
    assert events(bill)[-2:] == ["bill.reopened", "bill.paid"]


def test_a_bill_follows_its_transfer_into_a_run_and_is_paid_with_it(company, member, approver, account):
    first = bill_of(company, member)
    second = bill_of(company, member, party=SUPPLIERS[1], number="WK-118")
    orders = [bill_draft_transfer(bill, user=member, account=account) for bill in (first, second)]
    run = runs.run_create(company, user=approver, orders=orders, approve=True)
    for bill in (first, second):
        bill.refresh_from_db()
        assert (bill.status, bill.order_id) == ("drafted", run.pk)
    assert AuditEvent.objects.filter(action="bill.moved").count() == 2
    accept(run, approver)
    assert set(Bill.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {"paid"}
