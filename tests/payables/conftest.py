"""Fixtures of the bills tests: a company's account without a bank connection (its orders are
exported as pain files), a member who receives bills and an approver who releases them."""

import pytest

from kassenwart.banking.models import BankAccount


@pytest.fixture
def account(company):
    return BankAccount.objects.create(company=company, name="Geschäftskonto", iban="DE89370400440532013000",
                                      bic="COBADEFFXXX", currency="EUR", owner=company.name)


@pytest.fixture
def approver(company, make_user):
    return make_user(company, "approver", "bill-approver")
