"""Fixtures for the web tests: a second company, rows built straight in the database, clients."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from statement_samples import camt053, mt940

LOCALE = Path(__file__).resolve().parents[2] / "src" / "kassenwart" / "locale"


def pytest_configure(config):
    """Compile the German catalogue when the .mo is missing or older than the .po.

    Set-up does this with `kassenwart compilemessages`; doing it here too keeps a fresh
    checkout's test run honest. It runs before any test, so no translation is cached yet.
    """
    for po in LOCALE.glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        if shutil.which("msgfmt") is None:
            raise pytest.UsageError(
                f"{mo} is missing and msgfmt is not installed: apt-get install gettext"
            )
        subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)


@pytest.fixture
def other_company(db):
    from kassenwart.companies.services import company_create

    return company_create("Alpenglück Handels KG", via="test")


@pytest.fixture
def two_companies(company, other_company, db_rows, make_user):
    """An admin of `company`, and the objects of every route in both companies (route_objects.py)."""
    from route_objects import company_rows

    def make_member(owner, username, role="member"):
        from kassenwart.companies.models import Membership

        return Membership.objects.get(company=owner, user=make_user(owner, role, username))

    user = make_user(company, "admin", "anna")
    ours = company_rows(company, db_rows, "ours", make_member)
    theirs = company_rows(other_company, db_rows, "theirs", make_member)
    return user, ours, theirs


@pytest.fixture
def client_for(client):
    """client_for(user) -> the test client, logged in as the user (with the second factor)."""
    from logins import log_in

    def login(user):
        return log_in(client, user)

    return login


class BankData:
    """Accounts, imports and transactions written directly, as an import would leave them."""

    _numbers = itertools.count(1)

    def account(self, company, name="Geschäftskonto", iban=None, currency="EUR"):
        from kassenwart.banking.models import BankAccount

        n = next(self._numbers)
        return BankAccount.objects.create(
            company=company,
            name=name,
            iban=iban or f"DE02{n:018d}",
            bic="TESTDEFFXXX",
            currency=currency,
        )

    def statement_import(self, company, file_name="auszug.xml", **fields):
        from kassenwart.banking.models import StatementImport

        values = {"status": StatementImport.Status.IMPORTED, "format": "camt.053.001.08"}
        values.update(fields)
        return StatementImport.objects.create(
            company=company, file_name=file_name, sha256=f"{next(self._numbers):064d}", **values
        )

    def _fields(self, account, statement_import, amount, values):
        fields = {
            "company": account.company,
            "account": account,
            "statement_import": statement_import or self.statement_import(account.company),
            "booking_date": date(2026, 7, 21),
            "value_date": date(2026, 7, 21),
            "amount": Decimal(amount),
            "currency": account.currency,
        }
        fields.update(values)
        return fields

    def transaction(self, account, amount="10.00", statement_import=None, **values):
        from kassenwart.banking.models import Transaction

        fields = self._fields(account, statement_import, amount, values)
        return Transaction.objects.create(fingerprint=f"fp{next(self._numbers)}", **fields)

    def pending(self, account, amount="10.00", statement_import=None, **values):
        from kassenwart.banking.models import PendingTransaction

        return PendingTransaction.objects.create(**self._fields(account, statement_import, amount, values))

    def balance(self, account, kind, day, amount):
        from kassenwart.banking.models import Balance

        return Balance.objects.create(
            account=account, kind=kind, date=day, amount=Decimal(amount), currency=account.currency
        )

    def invoice(self, company, number, amount="100.00", open_amount=None, customer=None, **values):
        from kassenwart.receivables.models import Customer, Invoice

        if customer is None:
            customer, _ = Customer.objects.get_or_create(
                company=company, number="K-1000", defaults={"name": "Musterkunde GmbH"}
            )
        amount = Decimal(amount)
        open_amount = amount if open_amount is None else Decimal(open_amount)
        fields = {
            "issue_date": date(2026, 7, 1),
            "due_date": date(2026, 7, 15),
            "status": Invoice.Status.OPEN if open_amount == amount else Invoice.Status.PARTIALLY_PAID,
            "payment_reference": f"{number} Musterkunde",
        }
        fields.update(values)
        return Invoice.objects.create(
            company=company, customer=customer, number=number, amount=amount, open_amount=open_amount, **fields
        )


@pytest.fixture
def db_rows(db):
    return BankData()


@pytest.fixture
def camt_file():
    return camt053


@pytest.fixture
def mt940_file():
    return mt940


@pytest.fixture
def books(company, db_rows):
    """The reconciliation screens' small book (reconciliation_data.py), matched once."""
    from kassenwart.reconciliation.services import reconcile_company

    from reconciliation_data import make_books

    made = make_books(company, db_rows)
    reconcile_company(company)
    return made


@pytest.fixture
def english(member, client_for):
    """A member's client that reads the pages in English."""
    from django.conf import settings

    client = client_for(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
