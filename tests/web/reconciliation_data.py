"""Open invoices and incoming payments for the reconciliation pages, built in code.

A module of its own (not conftest.py) so that test modules can import it by a unique name.
Customers and numbers are chosen so that the engine decides each payment the same way:

- `auto`: names its invoice and comes from the customer's IBAN: reconciled automatically;
- `ambiguous`: 250.00 with no reference from an unknown payer: three invoices of 250.00 fit,
  so it waits for a person with ranked suggestions;
- `collective`: 343.00 for RE-2026-0003 (100.00) and RE-2026-0004 (250.00) less 2 % Skonto;
- `refund`: 45.00 that no invoice explains (not an invoice payment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CUSTOMERS = (
    ("10001", "Beispiel AG", ""),
    ("10002", "Muster KG", ""),
    ("10003", "Nordwind OHG", ""),
    ("10004", "Kunde Eins GmbH", "DE12500105170648489890"),
)
INVOICES = (
    ("RE-2026-0001", "10001", "250.00"),
    ("RE-2026-0002", "10002", "250.00"),
    ("RE-2026-0003", "10003", "100.00"),
    ("RE-2026-0004", "10003", "250.00"),
    ("RE-2026-0005", "10004", "1234.56"),
)


@dataclass
class Books:
    account: object
    invoices: dict
    auto: object
    ambiguous: object
    collective: object
    refund: object

    def invoice(self, number):
        from kassenwart.receivables.models import Invoice

        return Invoice.objects.get(pk=self.invoices[number].pk)


def make_books(company, db_rows) -> Books:
    from kassenwart.receivables.models import Customer

    customers = {
        number: Customer.objects.create(company=company, number=number, name=name, iban=iban)
        for number, name, iban in CUSTOMERS
    }
    invoices = {
        number: db_rows.invoice(company, number, amount, customer=customers[customer], payment_reference="")
        for number, customer, amount in INVOICES
    }
    account = db_rows.account(company, name="Giro", iban="DE89370400440532013000")

    def pay(amount, name, iban, text, day=21):
        return db_rows.transaction(
            account, amount, counterparty_name=name, counterparty_iban=iban, remittance=text,
            booking_date=date(2026, 7, day), value_date=date(2026, 7, day),
        )

    return Books(
        account=account,
        invoices=invoices,
        auto=pay("1234.56", "Kunde Eins GmbH", "DE12500105170648489890", "RE-2026-0005 Danke", day=20),
        ambiguous=pay("250.00", "Hans Meier", "DE02120300000000202051", "Vielen Dank"),
        collective=pay("343.00", "Sammelzahler Nord", "DE02100100100006820101", "Zahlung Juli abzgl. Skonto", day=22),
        refund=pay("45.00", "Versicherung AG", "DE02300209000106531065", "Erstattung Beitrag", day=23),
    )


def money(text: str) -> Decimal:
    return Decimal(text)
