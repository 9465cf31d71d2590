"""Direct-debit books for the tests (registered in tests/conftest.py): a creditor, collecting
accounts, customers with mandates, invoices.

Until the lead's order state machine for debits is merged, `debit_order_services` puts
minimal stand-ins for services.sequence_type_for and services.debit_order_create in place,
only where payments.services has none: the signatures and guarantees collections.py relies
on, nothing more. `bank_accepts` and `bank_rejects` stand for what the bank's answer does to
an order (submission.py, the lead's).
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

CREDITOR_ID = "DE98ZZZ09999999999"  # the Bundesbank's test creditor id
OTHER_CREDITOR_ID = "DE13ZZZ00000012345"
DEBTOR_IBANS = ("DE89370400440532013000", "DE02120300000000202051", "DE12500105170648489890",
                "AT611904300234573201")
FOREIGN_IBAN = "NL91ABNA0417164300"
TODAY = date(2026, 7, 1)  # a Wednesday


class DebitBooks:
    """Rows as the mandates pages and the invoice import would leave them."""

    _numbers = itertools.count(1)

    def __init__(self, company, user):
        from kassenwart.payments.models import CreditorSettings

        self.company, self.user = company, user
        CreditorSettings.objects.update_or_create(company=company, defaults={"creditor_id": CREDITOR_ID,
                                                                             "mail_from": "lastschrift@nordlicht.example"})

    def account(self, name="Lizenzkonto", *, first_as_frst=False, creditor_id=""):
        from kassenwart.banking.models import BankAccount
        from kassenwart.payments.models import AccountDebitSettings

        n = next(self._numbers)
        account = BankAccount.objects.create(company=self.company, name=name, iban=f"DE02{n:018d}",
                                             bic="TESTDEFFXXX", currency="EUR", owner=self.company.name)
        if first_as_frst or creditor_id:
            AccountDebitSettings.objects.create(account=account, first_as_frst=first_as_frst, creditor_id=creditor_id)
        return account

    def customer(self, name="Bergblick Software GmbH", *, email="buchhaltung@bergblick.example", language=""):
        from kassenwart.receivables.models import Customer

        n = next(self._numbers)
        return Customer.objects.create(company=self.company, number=f"K-{n:04d}", name=name, email=email,
                                       language=language)

    def mandate(self, customer=None, *, scheme="CORE", kind="recurring", iban=None, state="active",
                pre_notification_days=None, creditor_id=CREDITOR_ID, reference=None):
        from kassenwart.payments.models import Mandate

        customer = customer or self.customer()
        n = next(self._numbers)
        return Mandate.objects.create(
            company=self.company, customer=customer, reference=reference or f"MND-{n:05d}", creditor_id=creditor_id,
            signed_on=date(2026, 1, 15), scheme=scheme, kind=kind, debtor_name=customer.name,
            iban=iban or DEBTOR_IBANS[n % len(DEBTOR_IBANS)], state=state,
            pre_notification_days=pre_notification_days, created_by=self.user)

    def invoice(self, customer, number=None, amount="1234.50", payment_reference=""):
        from kassenwart.receivables.models import Invoice

        amount = Decimal(amount)
        return Invoice.objects.create(
            company=self.company, customer=customer, number=number or f"RE-2026-{next(self._numbers):04d}",
            issue_date=date(2026, 6, 20), due_date=date(2026, 7, 20), amount=amount, open_amount=amount,
            payment_reference=payment_reference, status=Invoice.Status.OPEN)


def person(company, role: str, username: str):
    """A member of the company without a password (no hashing: these tests log in with
    force_login, if at all)."""
    from kassenwart.companies.services import membership_set
    from kassenwart.core.models import User

    user = User.objects.create_user(username=username, password=None)
    membership_set(company, user, role, by=None, via="test")
    return user


@pytest.fixture
def drafter(company):
    """A member who drafts collections and plans."""
    return person(company, "member", "drafter")


@pytest.fixture
def approver(company):
    return person(company, "approver", "approver")


@pytest.fixture
def debits(company, drafter):
    return DebitBooks(company, drafter)


# -- stand-ins for the lead's part (only where it is missing) ---------------------------------
def sequence_type_for(mandate, account) -> str:
    """OOFF for one-off mandates; FRST for a mandate's first collection where the account's
    bank wants it; else RCUR. "First" until the bank accepted one (last_collected_on)."""
    from kassenwart.payments.models import AccountDebitSettings

    if mandate.kind == "one_off":
        return "OOFF"
    frst = AccountDebitSettings.objects.filter(account=account, first_as_frst=True).exists()
    return "FRST" if frst and mandate.last_collected_on is None else "RCUR"


def debit_order_create(company, *, account, scheme, sequence_type, collection_date, collections, creditor_id,
                       user=None, via="worker"):
    """A run waiting for approval; its collections claimed with one conditional UPDATE
    (planned, without an order), else StateChanged and nothing written."""
    from django.db import transaction

    from kassenwart.payments import services
    from kassenwart.payments.models import Collection, PaymentOrder

    with transaction.atomic():
        order = PaymentOrder.objects.create(
            company=company, kind="debit", delivery="file", account=account, state="pending_approval",
            requested_date=collection_date, scheme=scheme, sequence_type=sequence_type, creditor_id=creditor_id,
            created_by=user or collections[0].drafted_by)
        ids = [c.pk for c in collections]
        claimed = Collection.objects.filter(pk__in=ids, state="planned", order__isnull=True).update(
            state="ordered", order=order, sequence_type=sequence_type)
        if claimed != len(ids):
            raise services.StateChanged("ordered meanwhile")
        for position, pk in enumerate(ids, start=1):
            Collection.objects.filter(pk=pk).update(position=position)
        order.payload_hash = services._digest(order)  # so services.order_approve takes it
        order.save(update_fields=["payload_hash"])
    return order


@pytest.fixture
def debit_order_services(monkeypatch):
    from kassenwart.payments import services

    for name, stand_in in (("sequence_type_for", sequence_type_for), ("debit_order_create", debit_order_create)):
        if not hasattr(services, name):
            monkeypatch.setattr(services, name, stand_in, raising=False)
    return services


def bank_accepts(order) -> None:
    """What the bank's acceptance does (the lead's submission): the order accepted, its
    mandates' sequence moved on."""
    from kassenwart.payments.models import Mandate, PaymentOrder

    PaymentOrder.objects.filter(pk=order.pk).update(state="accepted")
    mandates = order.collections.values_list("mandate_id", flat=True)
    Mandate.objects.filter(pk__in=list(mandates)).update(last_collected_on=order.requested_date)
    order.refresh_from_db()


def bank_rejects(order) -> None:
    from kassenwart.payments.models import PaymentOrder

    PaymentOrder.objects.filter(pk=order.pk).update(state="rejected")
    order.refresh_from_db()
