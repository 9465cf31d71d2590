"""Debit runs from draft to the bank and back: a CORE run and a B2B run each executed with one
TAN; a collection date the bank finds too early ends rejected in the bank's words (never
unknown); collected debits settle their invoices, and one the debtor's bank returns (account
closed) opens its invoice again and blocks its mandate. The whole way through the order state
machine, the adapter and the sandbox bank over HTTP, and the statement it writes.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from sandbox.sandbox_payments import CREDITOR_ID, business_day_after

from kassenwart.banking import fints
from kassenwart.banking.models import BankAccount
from kassenwart.core.messages import render
from kassenwart.payments import services, submission
from kassenwart.payments.models import Collection, Mandate, PaymentOrder
from kassenwart.receivables.models import Customer
from kassenwart.sandbox.bpd import LEAD_DAYS
from kassenwart.sandbox.scenarios import CUSTOMERS, LOGIN

from fints_fixtures import TAN
from logins import log_in

State = PaymentOrder.State


@pytest.fixture
def approver(company, make_user):
    return make_user(company, "approver")


@pytest.fixture
def account(connection, bank):
    fints.connection_sync(connection)
    return BankAccount.objects.get(iban=bank.customers[LOGIN].accounts[0].iban)


@pytest.fixture
def debit_run(company, member, account, bank):
    """debit_run(scheme, amounts, lead) -> a debit order waiting for approval, its collections
    drafted by the member (as a plan run leaves them)."""

    def make(scheme, amounts, lead=None):
        today = bank.clock.now().date()
        collection_date = business_day_after(today, LEAD_DAYS[scheme] if lead is None else lead)
        collections = []
        for n, amount in enumerate(amounts, start=1):
            debtor = CUSTOMERS[n]
            customer, _ = Customer.objects.get_or_create(company=company, number=f"K-{n}",
                                                         defaults={"name": debtor.name})
            mandate, _ = Mandate.objects.get_or_create(
                company=company, creditor_id=CREDITOR_ID, reference=f"{scheme}-MANDAT-{n}",
                defaults={"customer": customer, "signed_on": date(2025, 1, 15), "scheme": scheme,
                          "debtor_name": debtor.name, "iban": debtor.iban, "bic": debtor.bic})
            collections.append(Collection.objects.create(
                company=company, mandate=mandate, account=account, amount=Decimal(amount), due_date=collection_date,
                remittance=f"Lizenz {n}", drafted_by=member))
        return services.debit_order_create(company, account=account, scheme=scheme, sequence_type="RCUR",
                                           collection_date=collection_date, collections=collections,
                                           creditor_id=CREDITOR_ID)

    return make


def send(order, approver):
    services.order_approve(order, user=approver)
    services.order_queue(order, user=approver)
    submission.order_transmit(order)
    order.refresh_from_db()
    return order


@pytest.mark.parametrize("scheme, segment", [("CORE", "HKDME"), ("B2B", "HKBME")])
def test_a_debit_run_is_collected_with_one_tan(debit_run, approver, bank, scheme, segment):
    order = send(debit_run(scheme, ["49.00", "99.00", "149.00"]), approver)
    assert order.state == State.TAN_PENDING and order.payee_check is None, "no payee check for debits"
    assert "Lastschrifteinzug: 3 Posten, Summe 297,00 EUR" in submission.order_step(order).challenge.text
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.ACCEPTED
    [executed] = bank.ledger.orders
    assert (executed.kind, executed.count, executed.total, executed.message_id) == (
        segment, 3, Decimal("297.00"), order.message_id)


def test_a_too_early_collection_date_is_refused_with_the_earliest_date(debit_run, bank):
    with pytest.raises(services.PaymentInvalid) as refused:  # what the bank's parameters say, before it goes out
        debit_run("CORE", ["49.00", "99.00"], lead=LEAD_DAYS["CORE"] - 1)
    problem = refused.value.problems[0]
    assert (problem.field, problem.code) == ("requested_date", "collection_too_soon")
    assert f"needs the order {LEAD_DAYS['CORE']} business day(s) before" in problem.message
    assert not bank.ledger.orders and not PaymentOrder.objects.exists()


def test_a_collection_date_the_bank_finds_too_early_ends_rejected_in_its_words(debit_run, approver, bank,
                                                                                client):
    order = debit_run("CORE", ["49.00", "99.00"])
    bank.clock.advance(days=1)  # the bank's day moved on (a late evening: its cut-off passed)
    while bank.clock.now().weekday() >= 5:
        bank.clock.advance(days=1)
    order = send(order, approver)  # refused as it arrives, before any TAN
    assert order.state == State.REJECTED, "the bank said no: not unknown"
    assert "zu früh" in render(order.bank_said) and "CORE braucht 2 Geschäftstag(e) Vorlauf" in render(order.bank_said)
    assert not bank.ledger.orders
    assert set(order.collections.values_list("state", "hold_reason")) == {("held", "order_rejected")}
    log_in(client, approver)
    page = client.get(reverse("payment_detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The bank rejected the run:" in page and "zu früh" in page


def test_a_returned_debit_opens_its_invoice_again_and_blocks_its_mandate(company, member, approver, account, bank):
    from kassenwart.flows.tasks import after_import_task
    from kassenwart.receivables.models import Invoice
    from kassenwart.receivables.services import invoice_import
    from kassenwart.sandbox.returns import Outcome

    closed = CUSTOMERS[2]
    bank.outcomes[closed.iban] = Outcome("AC04", after_days=1)  # its account is closed
    today = bank.clock.now().date()
    collection_date = business_day_after(today, LEAD_DAYS["CORE"])
    header = "invoice_number,customer_number,customer_name,amount\n"
    invoice_import(company, (header + "".join(f"LZ-{n},K-{n},{CUSTOMERS[n].name},{amount}\n"
                                              for n, amount in ((1, "49.00"), (2, "99.00")))).encode())
    collections = []
    for n in (1, 2):
        customer = Customer.objects.get(company=company, number=f"K-{n}")
        mandate = Mandate.objects.create(company=company, customer=customer, creditor_id=CREDITOR_ID,
                                         reference=f"MANDAT-{n}", signed_on=date(2025, 1, 15),
                                         debtor_name=CUSTOMERS[n].name, iban=CUSTOMERS[n].iban, bic=CUSTOMERS[n].bic)
        invoice = Invoice.objects.get(company=company, number=f"LZ-{n}")
        collections.append(Collection.objects.create(
            company=company, mandate=mandate, invoice=invoice, account=account, amount=invoice.amount,
            due_date=collection_date, remittance=invoice.number, drafted_by=member))
    order = services.debit_order_create(company, account=account, scheme="CORE", sequence_type="RCUR",
                                        collection_date=collection_date, collections=collections,
                                        creditor_id=CREDITOR_ID)
    order = send(order, approver)
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == State.ACCEPTED
    bank.clock.advance(days=(collection_date - today).days + 4)  # collected, then returned a day later
    fints.connection_sync(account.connection)
    after_import_task.call(company.pk)
    paid, back = (Collection.objects.get(mandate__reference=f"MANDAT-{n}") for n in (1, 2))
    assert (paid.state, back.state, back.return_reason) == ("collected", "returned", "AC04")
    assert Invoice.objects.get(number="LZ-1").status == "paid"
    assert Invoice.objects.get(number="LZ-2").status == "open"
    assert (back.mandate.state, back.mandate.state_reason) == ("blocked", "AC04")
    order.refresh_from_db()
    assert order.state == State.BOOKED
