"""The demo's payments, made once through the same services a person uses: licence fees
collected by direct debit under mandates (a monthly plan per customer; this month's run sent
through the sandbox bank with its TAN, collected, one of them returned), and supplier
transfers in runs (one waiting for approval, one sent with one TAN).

The collections are booked on their collection date, a few business days ahead; so that the
demo shows them collected and the return on the statement, the sandbox bank's clock is moved
on to that day (its bookings are then dated a few days ahead of today).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from kassenwart.banking import fints
from kassenwart.banking.models import BankAccount, BankConnection
from kassenwart.companies.models import Company
from kassenwart.core.business_days import next_business_day
from kassenwart.core.models import User
from kassenwart.flows.tasks import after_import_task
from kassenwart.payments import collections, mandates, runs, services, submission
from kassenwart.payments.models import Mandate, PaymentOrder
from kassenwart.receivables.models import Customer, Invoice
from kassenwart.receivables.services import invoice_import
from kassenwart.sandbox.bank import Settings as SandboxSettings
from kassenwart.sandbox.returns import Outcome
from kassenwart.sandbox.scenarios import CUSTOMERS, LANDLORD, PHONE, SUPPLIERS, UTILITY
from kassenwart.sandbox.server import SandboxServer

CREDITOR_ID = "DE98ZZZ09999999999"  # the Bundesbank's example creditor id
# Licence customers: (party at its bank, monthly fee, scheme). The last one's bank returns
# the debit (insufficient funds, AM04), as the sandbox bank's scenario says.
LICENCES = [(CUSTOMERS[0], "149.00", "CORE"), (CUSTOMERS[1], "49.00", "CORE"), (CUSTOMERS[2], "299.00", "B2B"),
            (CUSTOMERS[3], "499.00", "B2B"), (CUSTOMERS[4], "99.00", "CORE"), (CUSTOMERS[5], "49.00", "CORE")]


@dataclass
class DemoPayments:
    debit_runs: int = 0
    debits: int = 0
    returned: int = 0
    transfer_runs: int = 0
    days_ahead: int = 0  # how far the sandbox bank's clock was moved on


def demo_payments(company: Company, server: SandboxServer, *, today: date | None = None) -> DemoPayments | None:
    """Once per company (None when its payments are there already)."""
    account = (company.accounts.filter(connection__kind=BankConnection.Kind.FINTS, kind=BankAccount.Kind.CURRENT)
               .order_by("pk").first())
    member, approver = (User.objects.filter(username=name).first() for name in ("member", "approver"))
    if account is None or member is None or approver is None or company.mandates.exists():
        return None
    today = today or timezone.localdate()
    result = DemoPayments()
    party = LICENCES[-1][0]
    server.bank.outcomes[party.iban] = Outcome("AM04", after_days=1)  # the debtor's bank answers the next day
    runs_made = _licence_fees(company, account, member, approver, today)
    result.debit_runs = len(runs_made)
    result.debits = sum(order.collections.count() for order in runs_made)
    result.days_ahead, result.returned = _collected_and_returned(company, server, runs_made, today)
    result.transfer_runs = _supplier_runs(company, account, member, approver, today)
    return result


def _licence_fees(company: Company, account: BankAccount, member: User, approver: User, today: date) -> list:
    """Mandates, this month's licence invoices collected in runs (one per scheme), sent with
    the TAN; a monthly plan per customer for the months to come."""
    mandates.creditor_settings_update(company, creditor_id=CREDITOR_ID, pre_notification_days=14, mail_from="",
                                      user=None, via="demo")
    due = today + timedelta(days=7)
    rows = ["invoice_number,customer_number,customer_name,customer_iban,customer_email,issue_date,due_date,amount"]
    for n, (party, fee, _scheme) in enumerate(LICENCES, start=1):
        rows.append(f"LZ-{today:%Y-%m}-{n:03d},L-{1000 + n},{party.name},{party.iban},"
                    f"buchhaltung{n}@example.com,{today.isoformat()},{due.isoformat()},{fee}")
    invoice_import(company, "\n".join(rows).encode(), file_name="lizenzen.csv", via="demo")
    signed = []
    for n, (party, _fee, scheme) in enumerate(LICENCES, start=1):
        customer = Customer.objects.get(company=company, number=f"L-{1000 + n}")
        # Agreed in the mandate: told two days ahead (instead of 14), so this month's run can go now.
        signed.append(mandates.mandate_create(
            company, customer=customer, reference=f"LIZ-{1000 + n}-{n:02d}", signed_on=today - timedelta(days=90),
            scheme=scheme, kind=Mandate.Kind.RECURRING, debtor_name=party.name, iban=party.iban, bic=party.bic,
            pre_notification_days=2, user=member, via="demo"))
    collection_date = max(collections.earliest_due_date(m, account, today) for m in signed)
    for n, (mandate, (_party, fee, _scheme)) in enumerate(zip(signed, LICENCES, strict=True), start=1):
        invoice = Invoice.objects.get(company=company, number=f"LZ-{today:%Y-%m}-{n:03d}")
        collections.collection_create(company, invoice=invoice, mandate=mandate, account=account,
                                      due_date=collection_date, user=member, via="demo", today=today)
        next_month = (collection_date.replace(day=1) + timedelta(days=32)).replace(day=1)
        collections.plan_create(company, mandate=mandate, account=account, amount=Decimal(fee), interval="monthly",
                                day=collection_date.day, starts_on=next_month, remittance="Lizenzgebuehr Kassenwart",
                                invoice_prefix=f"LZ-{1000 + n}-", user=member, via="demo", today=today)
    collections.debit_runs_build(today=today)
    sent = []
    for order in PaymentOrder.objects.filter(company=company, kind=PaymentOrder.Kind.DEBIT).order_by("pk"):
        sent.append(_send_with_tan(order, approver))
    return sent


def _send_with_tan(order: PaymentOrder, approver: User) -> PaymentOrder:
    """Approve, send (as the worker does) and give the sandbox bank's TAN."""
    if order.state == PaymentOrder.State.PENDING_APPROVAL:
        services.order_approve(order, user=approver, via="demo")
    services.order_queue(order, user=approver, via="demo")
    submission.order_transmit(order)
    order.refresh_from_db()
    if order.state == PaymentOrder.State.TAN_PENDING:
        submission.order_give_tan(order, tan=SandboxSettings().tan, user=approver, via="demo")
        order.refresh_from_db()
    return order


def _collected_and_returned(company: Company, server: SandboxServer, sent: list, today: date) -> tuple[int, int]:
    """Move the sandbox bank's clock to the day after the collection, sync, and let the books
    follow (collected debits settle their invoices; the return opens its invoice again)."""
    if not sent:
        return 0, 0
    collection_date = max(order.requested_date for order in sent)
    until = next_business_day(collection_date + timedelta(days=1))
    days = (until - today).days
    server.bank.clock.advance(days=days)
    fints.connection_sync(sent[0].account.connection, via="demo")
    after_import_task.call(company.pk)
    return days, company.collections.filter(state="returned").count()


def _supplier_runs(company: Company, account: BankAccount, member: User, approver: User, today: date) -> int:
    """The member drafts supplier transfers; three wait as one run for an approver, two went
    out as a run with one TAN."""
    def draft(party, amount: str, remittance: str) -> PaymentOrder:
        return services.order_create(company, user=member, account=account, requested_date=today, via="demo",
                                     transfers=[services.TransferInput(party.name, party.iban, Decimal(amount),
                                                                       remittance)])

    waiting = [draft(SUPPLIERS[0], "1840.00", "Rechnung ER-2026-407"),
               draft(SUPPLIERS[1], "612.35", "Kd-Nr. 7781 Rechnung 2026-0471"),
               draft(SUPPLIERS[2], "2290.50", "Fracht 11/2026 Rechnung LF-88213")]
    runs.run_create(company, user=member, orders=waiting, via="demo")
    paid = [draft(LANDLORD, "3450.00", "Miete Gewerbeflaeche"), draft(UTILITY, "418.20", "Strom Abschlag"),
            draft(PHONE, "89.90", "Telefon und Internet")]
    run = runs.run_create(company, user=approver, orders=paid, via="demo", approve=True)
    _send_with_tan(run, approver)
    return 2
