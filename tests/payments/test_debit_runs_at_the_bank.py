"""Debit runs from draft to the bank: a CORE run and a B2B run each executed with one TAN, and
a collection date the bank finds too early ends rejected in the bank's words (never unknown).
The whole way through the order state machine, the adapter and the sandbox bank over HTTP.

Needs the lead's debit orders in payments/services.py (debit_order_create, order_queue
building the pain.008, bank_order passing kind and scheme); skipped until they are merged.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from sandbox.sandbox_payments import CREDITOR_ID, business_day_after

from kassenwart.banking import fints
from kassenwart.banking.models import BankAccount
from kassenwart.payments import services, submission
from kassenwart.payments.models import Collection, Mandate, PaymentOrder
from kassenwart.receivables.models import Customer
from kassenwart.sandbox.bpd import LEAD_DAYS
from kassenwart.sandbox.scenarios import CUSTOMERS, LOGIN

from fints_fixtures import TAN

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
    assert "zu früh" in order.bank_said and "CORE braucht 2 Geschäftstag(e) Vorlauf" in order.bank_said
    assert not bank.ledger.orders
    assert set(order.collections.values_list("state", "hold_reason")) == {("held", "order_rejected")}
    client.force_login(approver)
    page = client.get(reverse("payment_detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The bank rejected the run:" in page and "zu früh" in page
