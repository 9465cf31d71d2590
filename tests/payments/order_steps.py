"""Steps of a transfer's way to the sandbox bank, shared by the payments tests (the fixtures
that make such an order are in tests/payments/conftest.py)."""

from kassenwart.banking.models import BankAccount
from kassenwart.payments import services, submission
from kassenwart.sandbox.scenarios import SUPPLIERS

SUPPLIER = SUPPLIERS[0]  # its bank has registered "Stahlhandel Nord GmbH"


def connection_iban(connection):
    return BankAccount.objects.filter(connection=connection).order_by("pk").first().iban


def send(order, approver, **options):
    services.order_queue(order, user=approver, **options)
    submission.order_transmit(order)
    order.refresh_from_db()
    return order


def executed(bank, order):
    return [o for o in bank.ledger.orders if o.message_id == order.message_id]
