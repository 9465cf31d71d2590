"""After a large write the planner's statistics are taken anew (PostgreSQL)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from kassenwart.banking.models import BankAccount, StatementImport, Transaction
from kassenwart.core.bulk import insert_rows
from kassenwart.core.statistics import analyze_if_changed


def _changed_since_analyze() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")  # this session's counts, now
        cursor.execute("SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = 'banking_transaction'")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)  # the counts of changes are kept when a transaction commits
def test_a_table_that_grew_by_more_than_a_tenth_is_analyzed_once():
    if connection.vendor != "postgresql":
        assert analyze_if_changed(Transaction) is False  # SQLite keeps no statistics
        return
    from kassenwart.companies.services import company_create

    company = company_create("Statistik GmbH", via="cli")
    account = BankAccount.objects.create(company=company, name="Giro", iban="DE02100000000000000001")
    source = StatementImport.objects.create(company=company, file_name="a.xml", sha256="0" * 64, status="imported")
    given = ["account", "booking_date", "amount", "currency", "statement_import", "fingerprint"]
    rows = [(account.pk, date(2026, 12, 1), Decimal("1.00"), "EUR", source.pk, f"fp{n}") for n in range(1500)]
    defaults = {f.name: f.get_default() for f in Transaction._meta.concrete_fields
                if f.name not in given and not f.primary_key}
    insert_rows(Transaction, given, rows, same={**defaults, "company": company.pk})
    assert _changed_since_analyze() >= 1500
    assert analyze_if_changed(Transaction) is True
    assert _changed_since_analyze() == 0
    assert analyze_if_changed(Transaction) is False
