"""Open invoices imported from CSV lines and an account to book incoming payments on."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.utils import translation

from kassenwart.banking.models import BankAccount, StatementImport, Transaction
from kassenwart.core.models import AuditEvent
from kassenwart.receivables.services import invoice_import
from kassenwart.reconciliation.reasons import worded

# Two customers' open invoices: Muster GmbH owes 100 and 250, Beispiel AG 250.
INVOICES = [
    "AB-1001,501,Muster GmbH,,2026-09-01,2026-09-30,100.00,EUR,",
    "AB-1002,501,Muster GmbH,,2026-09-02,2026-10-02,250.00,EUR,",
    "AB-1003,502,Beispiel AG,,2026-09-03,2026-10-03,250.00,EUR,",
]
HEADER = "invoice_number,customer_number,customer_name,customer_iban,issue_date,due_date,amount,currency,payment_reference\n"


def open_books(company, invoice_lines: list[str], payer_iban: str):
    """Import the invoices; returns pay(amount, text, name=..., iban=...) -> a booked Transaction."""
    invoice_import(company, (HEADER + "\n".join(invoice_lines) + "\n").encode())
    account = BankAccount.objects.create(company=company, name="Giro", iban="DE89370400440532013000")
    source = StatementImport.objects.create(company=company, file_name="t", sha256="0", status="imported")
    counter = iter(range(1, 1000))

    def pay(amount: str, text: str, name="Somebody", iban=payer_iban):
        return Transaction.objects.create(
            company=company, account=account, statement_import=source, booking_date=date(2026, 10, 5),
            amount=Decimal(amount), currency="EUR", counterparty_name=name, counterparty_iban=iban,
            remittance=text, fingerprint=f"{next(counter):040d}", bank_reference=f"REF{next(counter)}",
        )

    return pay


def said(reasons: list) -> list[str]:
    """Stored reasons (messages) as an English reader sees them."""
    with translation.override("en"):
        return [worded(reason) for reason in reasons]


def refuse_automatic_match_events():
    """Make the database refuse the audit events of automatic matches with "disk full" (as a
    full disk would, in the thread that writes a run's batches); returns what lifts it."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"CREATE TRIGGER refuse_auto BEFORE INSERT ON {table} WHEN NEW.action = 'match.auto' "
                           f"BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        else:
            cursor.execute("CREATE FUNCTION refuse_auto() RETURNS trigger AS $$ BEGIN IF NEW.action = 'match.auto' "
                           "THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql")
            cursor.execute(f"CREATE TRIGGER refuse_auto BEFORE INSERT ON {table} FOR EACH ROW "
                           f"EXECUTE FUNCTION refuse_auto()")

    def lift():
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS refuse_auto" if connection.vendor == "sqlite" else
                           f"DROP TRIGGER IF EXISTS refuse_auto ON {table}")

    return lift
