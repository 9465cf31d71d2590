"""Booked transactions and audit events cannot be changed or deleted, even with raw SQL."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from kassenwart.banking.models import BankAccount, StatementImport, Transaction
from kassenwart.core.models import AuditEvent


@pytest.fixture
def booked(company):
    account = BankAccount.objects.create(company=company, name="Giro", iban="DE89370400440532013000")
    source = StatementImport.objects.create(company=company, file_name="x", sha256="0", status="imported")
    return Transaction.objects.create(
        company=company,
        account=account,
        statement_import=source,
        booking_date=date(2026, 10, 1),
        amount=Decimal("12.34"),
        currency="EUR",
        fingerprint="f" * 40,
    )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE banking_transaction SET amount = 99 WHERE id = %s",
        "DELETE FROM banking_transaction WHERE id = %s",
    ],
)
def test_database_refuses_changing_a_booked_transaction(booked, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [booked.pk])
    booked.refresh_from_db()
    assert booked.amount == Decimal("12.34")


def test_orm_update_of_a_transaction_fails_too(booked):
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            Transaction.objects.filter(pk=booked.pk).update(remittance="changed")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ],
)
def test_database_refuses_changing_an_audit_event(company, sql):
    event = AuditEvent.objects.filter(company=company).first()
    assert event is not None and event.action == "company.created"
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, action="company.created").exists()
