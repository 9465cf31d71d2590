"""A canary PIN, TAN and remittance text through the whole way of a company's money: the
connection to the sandbox bank over HTTP with the PIN kept, a sync, a transfer sent with the
TAN, and the statement that books it with the remittance. Everything logged meanwhile (every
logger at DEBUG, the libraries' fints and mt940 too) and a dump of the whole database hold
neither the PIN nor the TAN; the remittance is in no log line (issue 12)."""

import logging

import pytest
from django.db import connection as db
from order_steps import send

from kassenwart.banking import fints
from kassenwart.banking.models import Transaction
from kassenwart.payments import submission
from kassenwart.payments.models import PaymentOrder
from kassenwart.sandbox.scenarios import LOGIN

PIN = "PinKanarie4409"
TAN = "TanKanarie7731"
REMITTANCE = "Kanarienvogel Zweck 8812"


@pytest.fixture
def everything_logged(caplog):
    """Every record of every logger, at DEBUG, from before the connection is made."""
    caplog.set_level(logging.DEBUG)
    for name in ("kassenwart", "fints", "mt940", "django", "httpx", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.fixture
def connection(everything_logged, make_connection, bank):
    """The sandbox's customer has the canary PIN and accepts the canary TAN only."""
    bank.customers[LOGIN].pin = PIN
    bank.settings.tan = TAN
    return make_connection(pin=PIN, keep_pin=True)


def database_dump() -> str:
    """The whole database as text, read through the test's own connection (its rows are not
    committed): SQLite's own dump, or every row of every table as PostgreSQL writes it out."""
    db.ensure_connection()
    if db.vendor == "sqlite":
        return "\n".join(db.connection.iterdump())
    with db.cursor() as cursor:
        lines = []
        for table in db.introspection.table_names(cursor):
            cursor.execute(f'SELECT t::text FROM "{table}" t')
            lines += [row[0] for row in cursor.fetchall()]
        return "\n".join(lines)


def test_pin_tan_and_remittance_stay_out_of_the_logs_and_pin_and_tan_out_of_the_database(
        everything_logged, approved, approver, bank, connection):
    order = send(approved(remittance=REMITTANCE), approver)
    assert order.state == PaymentOrder.State.TAN_PENDING
    submission.order_give_tan(order, tan=TAN, user=approver)
    order.refresh_from_db()
    assert order.state == PaymentOrder.State.ACCEPTED
    fints.connection_sync(connection)  # the statement with the booked transfer

    # The remittance is stored, of course: in the order and in the booked transaction.
    assert Transaction.objects.filter(remittance__contains=REMITTANCE).exists()
    logged = "\n".join(everything_logged.messages) + everything_logged.text
    assert len(everything_logged.records) > 10, "nothing was logged: the capture did not work"
    dump = database_dump()
    assert REMITTANCE in dump  # the dump holds the rows, so what is not found is not there
    for canary in (PIN, TAN, REMITTANCE):
        assert canary not in logged, f"{canary} in the log: {_where(everything_logged, canary)}"
    for canary in (PIN, TAN):
        for form in (canary, canary.encode().hex(), canary.encode().hex().upper()):
            assert form not in dump, f"{canary} in the database"


def _where(caplog, canary) -> list:
    """The records that hold the canary: their logger, level and the start of the message."""
    return [(r.name, r.levelname, r.getMessage()[:300]) for r in caplog.records if canary in r.getMessage()]
