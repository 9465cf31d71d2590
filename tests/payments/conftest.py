"""Fixtures of the payments tests: a transfer approved and ready for the sandbox bank."""

from decimal import Decimal

import pytest
from django.utils import timezone
from order_steps import SUPPLIER, connection_iban

from kassenwart.banking import fints
from kassenwart.banking.models import BankAccount
from kassenwart.payments import services


@pytest.fixture
def account(connection):
    """The first account of the sandbox connection, synced."""
    fints.connection_sync(connection)
    return BankAccount.objects.get(connection=connection, iban=connection_iban(connection))


@pytest.fixture
def approved(company, member, approver, account):
    """approved(name, amount) -> an order drafted by the member and approved by the approver."""

    def make(name=SUPPLIER.name, amount="250.00", iban=SUPPLIER.iban, remittance="Rechnung ER-77", source=None):
        transfer = services.TransferInput(payee_name=name, iban=iban, amount=Decimal(amount), remittance=remittance)
        order = services.order_create(company, user=member, account=source or account,
                                      requested_date=timezone.localdate(), transfers=[transfer])
        services.order_submit(order, user=member)
        services.order_approve(order, user=approver)
        return order

    return make
