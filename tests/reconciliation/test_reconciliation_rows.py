"""rows: an invoice sent to the engine's child as the database driver gave it becomes the same
engine invoice as the row Django gives (SQLite's driver gives amounts as floats or ints)."""

from datetime import date
from decimal import Decimal

import pytest

from kassenwart.reconciliation.rows import engine_invoice, engine_transaction, plain_invoice, plain_transaction


def _invoice_row(amount, open_amount, issued, due):
    return (7, "RE-2026-00007", "10234", "Kunde GmbH", "DE02120300000000202051", amount, open_amount, "EUR", "",
            issued, due)


@pytest.mark.parametrize(("driver", "django"), [
    ((1234.5, 0.1), ("1234.50", "0.10")),  # SQLite: REAL for amounts with cents
    ((100, 0), ("100.00", "0.00")),  # SQLite: INTEGER for whole amounts
    ((-50.05, -0.0), ("-50.05", "-0.00")),  # a credit note
    ((9999999999999.99, 12.3), ("9999999999999.99", "12.30")),  # 15 digits, the most a column holds
    ((Decimal("1234.50"), Decimal("0.10")), ("1234.50", "0.10")),  # PostgreSQL's driver gives Decimals
])
def test_an_invoice_as_the_driver_gives_it_becomes_the_engine_invoice_django_gives(driver, django):
    from_django = engine_invoice(_invoice_row(*map(Decimal, django), date(2026, 9, 1), None))
    for day in ("2026-09-01", date(2026, 9, 1)):  # SQLite's driver gives dates as text
        sent = engine_invoice(plain_invoice(_invoice_row(*driver, day, None)))
        assert sent == from_django
        assert (str(sent.amount), str(sent.open_amount)) == django  # the places too


def test_a_transaction_sent_as_text_becomes_the_same_engine_transaction():
    row = (9, Decimal("245.00"), "EUR", date(2026, 10, 5), "Beispiel AG", "DE75512108001245126199", "AB-1003",
           "", "E2E-1", "PMNT/RCDT/ESCT", "166", "", False, 3)
    assert engine_transaction(plain_transaction(row)) == engine_transaction(row)
