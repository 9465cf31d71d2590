"""Which changes become which events, with what in them: an order's steps (a single transfer
and a run), a bank connection that needs a person, and a rotated secret that still signs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from kassenwart.banking.fints.login import set_state
from kassenwart.banking.models import BankAccount, BankConnection
from kassenwart.core.messages import message
from kassenwart.payments import services as payments
from kassenwart.webhooks.models import Delivery
from kassenwart.webhooks.services import endpoint_secret_rotate, endpoint_update

IBAN = "DE02120300000000202051"


def _types(receiver):
    return [(r.payload["type"], r.payload["data"].get("state")) for r in receiver.verified()]


def test_a_transfer_and_a_run_tell_each_step_with_its_state(company, admin, member, hook, receiver, worker):
    endpoint_update(company, hook, events=["transfer.state_changed", "run.state_changed"], user=admin, via="test")
    account = BankAccount.objects.create(company=company, name="Giro", iban="DE89370400440532013000",
                                         bic="COBADEFFXXX", owner="Nordlicht Software GmbH")
    when = date.today() + timedelta(days=3)
    single = payments.order_create(company, user=member, account=account, requested_date=when, transfers=[
        payments.TransferInput("Lieferant Ost GmbH", IBAN, Decimal("250.00"), "Rechnung L-77")], via="test")
    payments.order_submit(single, user=member, via="test")
    run = payments.order_create(company, user=member, account=account, requested_date=when, transfers=[
        payments.TransferInput("Lieferant Ost GmbH", IBAN, Decimal("10.00"), "L-1"),
        payments.TransferInput("Lieferant West AG", IBAN, Decimal("20.50"), "L-2")], via="test")
    payments.order_cancel(run, user=member, reason="doppelt", via="test")
    worker.fan_out()
    worker.deliver()
    assert sorted(_types(receiver)) == [("run.state_changed", "cancelled"), ("run.state_changed", "draft"),
                                        ("transfer.state_changed", "draft"),
                                        ("transfer.state_changed", "pending_approval")]
    submitted = next(r.payload["data"] for r in receiver.verified() if r.payload["data"]["state"] == "pending_approval")
    assert submitted | {"payments": None} == {
        "order_id": single.pk, "kind": "transfer", "state": "pending_approval", "previous_state": "draft",
        "account_id": account.pk, "account_iban": "DE89370400440532013000", "requested_date": when.isoformat(),
        "total": "250.00", "currency": "EUR", "count": 1, "payments": None}
    assert submitted["payments"][0] | {"transfer_id": 0} == {
        "transfer_id": 0, "end_to_end_id": "", "amount": "250.00", "name": "Lieferant Ost GmbH", "iban": IBAN,
        "remittance": "Rechnung L-77"}
    cancelled = next(r.payload["data"] for r in receiver.verified() if r.payload["data"]["state"] == "cancelled")
    assert (cancelled["kind"], cancelled["total"], cancelled["count"]) == ("run", "30.50", 2)


def test_a_connection_that_needs_a_person_is_told_once(company, admin, hook, receiver, worker):
    endpoint_update(company, hook, events=["connection.needs_attention"], user=admin, via="test")
    connection = BankConnection.objects.create(company=company, kind="fints", name="Sparkasse", bank_code="99990000",
                                               login="nord")
    set_state(connection, "ok", None, None, "test")
    set_state(connection, "pin_wrong", message("banking.connection_needs_tan", name="Sparkasse"), None, "test")
    set_state(connection, "pin_wrong", message("banking.connection_needs_tan", name="Sparkasse 2"), None, "test")
    worker.fan_out()
    worker.deliver()
    [told] = receiver.verified()
    assert told.payload["type"] == "connection.needs_attention"
    assert told.payload["data"] | {"error": None} == {"connection_id": connection.pk, "name": "Sparkasse",
                                                      "state": "pin_wrong", "previous_state": "ok", "error": None}
    assert told.payload["data"]["error"]["key"] == "banking.connection_needs_tan"


def test_after_a_rotation_both_secrets_sign_for_a_day(company, admin, hook, receiver, worker):
    from standardwebhooks.webhooks import Webhook

    from kassenwart.banking.services import statement_import

    from camt_files import camt, entry

    old = receiver.secret
    hook, new = endpoint_secret_rotate(company, hook, user=admin, via="test")
    receiver.secret = new
    statement_import(company, camt([entry("5.00")]), file_name="a.xml", user=admin, via="test")
    worker.fan_out()
    worker.deliver()
    [first] = receiver.verified()
    assert len(first.headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify(first.body, first.headers)  # the receiver not yet switched still accepts it
    # a day later only the new one signs
    type(hook).objects.filter(pk=hook.pk).update(previous_secret_until=timezone.now() - timedelta(seconds=1))
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(state="pending", next_attempt_at=timezone.now())
    worker.retries()
    worker.deliver()
    assert len(receiver.received[-1].headers["webhook-signature"].split(" ")) == 1
    assert receiver.received[-1].payload is not None


def test_a_returned_direct_debit_and_the_invoice_it_paid_are_told(company, admin, make_user, hook, receiver, worker):
    """One collection under a mandate, exported, collected on the statement (the invoice is
    paid), then returned by the debtor's bank (AC04)."""
    from kassenwart.banking.services import statement_import
    from kassenwart.core.business_days import add_business_days
    from kassenwart.flows.tasks import after_import_task
    from kassenwart.payments import debits
    from kassenwart.payments.models import Collection, CreditorSettings, Mandate
    from kassenwart.receivables.models import Customer, Invoice
    from kassenwart.receivables.services import invoice_import

    from camt_files import camt, entry

    endpoint_update(company, hook, events=["debit.returned", "invoice.paid"], user=admin, via="test")
    drafter, approver = make_user(company, "approver", "drafter"), make_user(company, "approver", "approver")
    creditor, own_iban, debtor_iban = "DE98ZZZ09999999999", "DE89370400440532013000", "DE02500105170137075030"
    CreditorSettings.objects.create(company=company, creditor_id=creditor)
    account = BankAccount.objects.create(company=company, name="Giro", iban=own_iban, bic="COBADEFFXXX",
                                         owner="Nordlicht Software GmbH")
    invoice_import(company, b"invoice_number,customer_number,customer_name,customer_iban,issue_date,due_date,amount,"
                            b"currency,payment_reference\nRE-10002,10002,Bergmann Consulting KG,"
                            + debtor_iban.encode() + b",2026-11-01,2026-12-01,200.00,EUR,\n")
    customer = Customer.objects.get(company=company, number="10002")
    mandate = Mandate.objects.create(company=company, customer=customer, reference="MNDT-10002", creditor_id=creditor,
                                     signed_on=date(2026, 1, 15), debtor_name=customer.name, iban=debtor_iban,
                                     created_by=drafter)
    due = add_business_days(timezone.localdate(), 3)
    invoice = Invoice.objects.get(company=company, number="RE-10002")
    collection = Collection.objects.create(company=company, mandate=mandate, invoice=invoice, account=account,
                                           amount=invoice.open_amount, due_date=due, remittance=invoice.number,
                                           drafted_by=drafter)
    run = debits.debit_order_create(company, account=account, scheme="CORE", sequence_type="RCUR",
                                    collection_date=due, collections=[collection], creditor_id=creditor)
    payments.order_approve(run, user=approver)
    payments.order_queue(run, user=approver)
    payments.order_confirm_upload(run, user=approver)
    end_to_end = Collection.objects.get(pk=collection.pk).end_to_end_id
    statement_import(company, camt([entry("200.00", due, text="RE-10002", name=customer.name, iban=debtor_iban,
                                          end_to_end_id=end_to_end, mandate_id="MNDT-10002")], iban=own_iban,
                                    statement_id="S-1"), file_name="day1.xml")
    after_import_task.call(company.pk)
    worker.fan_out()  # the clock runs it every minute; the debtor's bank returns days later
    returned = entry("-200.00", due + timedelta(days=3), text="RUECKLASTSCHRIFT RE-10002", name=customer.name,
                     iban=debtor_iban, end_to_end_id=end_to_end, return_reason="AC04")
    statement_import(company, camt([returned], iban=own_iban, statement_id="S-2"), file_name="day4.xml")
    after_import_task.call(company.pk)

    worker.fan_out()
    worker.deliver()
    [paid] = receiver.verified("invoice.paid")
    assert (paid.payload["data"]["invoice_number"], paid.payload["data"]["paid_amount"]) == ("RE-10002", "200.00")
    [back] = receiver.verified("debit.returned")
    assert back.payload["data"] == {
        "collection_id": collection.pk, "order_id": run.pk, "amount": "200.00", "currency": "EUR",
        "due_date": due.isoformat(), "return_reason": "AC04", "mandate_reference": "MNDT-10002",
        "debtor_name": "Bergmann Consulting KG", "invoice_id": invoice.pk, "invoice_number": "RE-10002"}


def test_an_invoice_paid_in_two_parts_is_told_paid_once(company, admin, hook, receiver, worker):
    from kassenwart.banking.models import Transaction
    from kassenwart.banking.services import statement_import
    from kassenwart.receivables.models import Customer
    from kassenwart.receivables.services import invoice_create
    from kassenwart.reconciliation.services import match_create

    from camt_files import camt, entry

    endpoint_update(company, hook, events=["invoice.paid"], user=admin, via="test")
    statement_import(company, camt([entry("100.00", text="RE-5 Teil 1"), entry("50.00", text="RE-5 Teil 2")]),
                     file_name="a.xml", user=admin, via="test")
    customer = Customer.objects.create(company=company, number="K-5", name="Muster GmbH")
    invoice = invoice_create(company, customer=customer, number="RE-5", amount=Decimal("150.00"),
                             due_date=date(2026, 10, 15), issue_date=date(2026, 10, 1), user=admin, via="test")
    first, second = Transaction.objects.filter(company=company).order_by("amount")
    match_create(company, second, [(invoice, Decimal("100.00"), Decimal("0.00"))], user=admin, via="test")
    worker.fan_out()
    assert not Delivery.objects.exists()  # partly paid: nothing to tell yet
    last = match_create(company, first, [(invoice, Decimal("50.00"), Decimal("0.00"))], user=admin, via="test")
    worker.fan_out()
    worker.fan_out()
    worker.deliver()
    [paid] = receiver.verified("invoice.paid")
    assert paid.headers["webhook-id"] == f"evt_paid_{invoice.pk}_{last.pk}"
    assert paid.payload["data"]["paid_amount"] == "150.00"
