"""Direct-debit books for the tests (registered in tests/conftest.py): a creditor, collecting
accounts, customers with mandates, invoices.

`bank_accepts` and `bank_rejects` record the bank's answer to a debit run with the state
machine's own steps (what submission.py does when the bank answers).
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from schwifty import IBAN

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
        iban = str(IBAN.generate("DE", bank_code="37040044", account_code=f"{n:010d}").compact)
        account = BankAccount.objects.create(company=self.company, name=name, iban=iban,
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


# -- the bank's answer ------------------------------------------------------------------------
@pytest.fixture
def debit_order_services():
    """The order state machine the collections hand their runs to."""
    from kassenwart.payments import services

    return services


def bank_accepts(order) -> None:
    """What the bank's acceptance does to a debit run (as submission.py records it): accepted,
    its mandates used on the collection date."""
    _answered(order, "accepted")


def bank_rejects(order) -> None:
    """The bank refused the run: rejected, its collections held for a person."""
    _answered(order, "rejected")


def _answered(order, state: str) -> None:
    from django.db import transaction

    from kassenwart.payments import debits
    from kassenwart.payments.state import transition

    with transaction.atomic():
        transition(order, [order.state], state, None, "test")
        if state == "accepted":
            debits.debits_accepted(order)
        else:
            debits.debits_released(order)
    order.refresh_from_db()
