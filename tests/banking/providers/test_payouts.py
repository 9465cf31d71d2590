"""Money between a payment provider and the bank: a payout is one transfer between own accounts,
never an invoice payment and never income twice; customer payments on the provider account
reconcile with invoices like bank credits."""

import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from kassenwart.banking.formats.statement import BalanceSnapshot, Entry, StatementHeader
from kassenwart.banking.models import Transaction
from kassenwart.banking.providers import PAYOUT
from kassenwart.banking.providers.sync import provider_sync
from kassenwart.banking.services import account_create, statement_items_import
from kassenwart.dashboards.selectors import balances, money_in_out
from kassenwart.flows.tasks import after_import_task
from kassenwart.receivables.models import Invoice
from kassenwart.receivables.services import invoice_import
from kassenwart.reconciliation.models import InternalTransfer, TransactionState

HEADER = "invoice_number,customer_number,customer_name,customer_iban,issue_date,due_date,amount,currency,payment_reference\n"
DAY = 86400
BANK_IBAN = "DE89370400440532013000"


def bank_statement(company, account, entries, day):
    header = StatementHeader(format="camt.053.001.08", account_iban=BANK_IBAN, currency="EUR",
                             closing=BalanceSnapshot(Decimal("1000.00"), "EUR", day, "closing"))
    return statement_items_import(company, [header, *entries], name="bank.xml", account=account, via="test")


def test_a_stripe_payout_and_its_bank_credit_become_one_internal_transfer(stripe_sim, connect, company):
    today = timezone.localdate()
    invoice_import(company, (HEADER + f"RE-2026-0042,501,Muster GmbH,,{today},{today},100.00,EUR,\n").encode())
    api, now = stripe_sim.api, int(time.time())
    api.charge(10000, description="Order 42", metadata={"invoice": "RE-2026-0042"}, name="Muster GmbH",
               created=now - 3 * DAY)
    api.charge(5000, created=now - 3 * DAY + 60)
    payout = api.payout(created=now - 2 * DAY)
    provider_sync(connect(stripe_sim, "stripe"))
    out = Transaction.objects.get(transaction_code=PAYOUT)
    assert out.amount == Decimal("-147.25")

    bank = account_create(company, BANK_IBAN, name="Giro", via="test")
    arrival = datetime.fromtimestamp(now - DAY, UTC).date()
    bank_statement(company, bank, [
        Entry(amount=Decimal("147.25"), currency="EUR", booking_date=arrival, counterparty_name="Stripe Technology "
              "Europe Ltd", remittance=f"STRIPE PAYOUT {payout.source['id']}"),
        Entry(amount=Decimal("147.25"), currency="EUR", booking_date=arrival, counterparty_name="Erika Muster",
              remittance="Miete"),  # the same amount from someone else: not the payout
    ], arrival)
    done = after_import_task.call(company.pk)
    assert done["payouts"] == 1

    pair = InternalTransfer.objects.get(company=company)
    assert pair.outgoing == out and pair.incoming.counterparty_name.startswith("Stripe")
    state = TransactionState.objects.get(transaction=pair.incoming)
    assert state.status == TransactionState.Status.IGNORED
    assert state.ignore_reason["key"] == "reconciliation.reason.internal_transfer"
    open_ones = TransactionState.objects.filter(company=company, status=TransactionState.Status.OPEN)
    assert sorted(s.transaction.amount for s in open_ones) == [Decimal("50.00"), Decimal("147.25")]
    assert pair.incoming.pk not in {s.transaction_id for s in open_ones}  # only Miete and the charge without invoice
    # The customer's payment on the Stripe account settled the invoice.
    assert Invoice.objects.get(number="RE-2026-0042").status == Invoice.Status.PAID
    # In/out: the charges (150.00) and Stripe's fees count; the payout on neither side, Miete once.
    month = money_in_out(company, today, months=3)
    assert sum(m.incoming for m in month) == Decimal("150.00") + Decimal("147.25")
    assert sum(m.outgoing for m in month) == Decimal("-2.75")
    # The provider's balance is in the overview's total beside the bank's.
    overview = balances(company, today)
    assert overview.totals["EUR"] == Decimal("1000.00") + Decimal("0.00")
    assert len(overview.accounts) == 2
    # A second run pairs nothing new.
    assert after_import_task.call(company.pk)["payouts"] == 0


def test_paypal_withdrawal_waits_until_the_bank_books_it(paypal_sim, connect, company):
    api = paypal_sim.api
    now = datetime.now(UTC)
    api.payment("200.00", at=now - timedelta(hours=2))
    api.withdrawal("100.00", at=now - timedelta(hours=1))
    provider_sync(connect(paypal_sim, "paypal"))
    assert after_import_task.call(company.pk)["payouts"] == 0  # nothing on the bank yet
    bank = account_create(company, BANK_IBAN, name="Giro", via="test")
    bank_statement(company, bank, [Entry(amount=Decimal("100.00"), currency="EUR", booking_date=date.today(),
                                         counterparty_name="PayPal Europe S.a.r.l. et Cie S.C.A",
                                         remittance="PP.1234.PP ABBUCHUNG")], date.today())
    assert after_import_task.call(company.pk)["payouts"] == 1
