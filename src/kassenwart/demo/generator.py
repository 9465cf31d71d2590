"""Made-up but realistic data for the demo and the benchmarks (pure, deterministic).

Customers with German and Austrian names, invoices they receive, and the bank statement on
which some of them pay: exactly, in part, with Skonto, with a typo in the number, or
without any reference; plus outgoing payments and unrelated credits.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from schwifty import IBAN

from kassenwart.banking.formats.statement import BalanceSnapshot, Entry, StatementHeader

FIRST = ["Anna", "Lukas", "Sophie", "Maximilian", "Marie", "Felix", "Laura", "Jonas", "Lena", "Tobias"]
LAST = ["Huber", "Gruber", "Müller", "Schmidt", "Wagner", "Bauer", "Hofer", "Weber", "Becker", "Pichler"]
TRADE = ["Metallbau", "Gastronomie", "Softwarehaus", "Druckerei", "Logistik", "Tischlerei", "Elektrotechnik", "Bäckerei"]
FORM = ["GmbH", "GmbH & Co. KG", "KG", "e.K.", "AG", "UG (haftungsbeschränkt)", "OG"]
SUPPLIERS = ["Telekom Deutschland GmbH", "Stadtwerke München", "Amazon Business EU", "DATEV eG", "Allianz Versicherungs-AG"]


@dataclass(frozen=True)
class Customer:
    number: str
    name: str
    iban: str


@dataclass(frozen=True)
class InvoiceRow:
    number: str
    customer: Customer
    issue_date: date
    due_date: date
    amount: Decimal


def _iban(rng: random.Random, country: str = "DE") -> str:
    if country == "AT":
        return str(IBAN.generate("AT", bank_code=f"{rng.randrange(10000, 99999)}", account_code=f"{rng.randrange(10**10, 10**11)}"))
    return str(IBAN.generate("DE", bank_code=f"{rng.randrange(10000000, 89999999)}", account_code=f"{rng.randrange(10**9, 10**10)}"))


def customers(rng: random.Random, count: int) -> list[Customer]:
    result = []
    for index in range(count):
        if rng.random() < 0.6:
            name = f"{rng.choice(LAST)} {rng.choice(TRADE)} {rng.choice(FORM)}"
        else:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        country = "AT" if rng.random() < 0.25 else "DE"
        result.append(Customer(str(10000 + index), name, _iban(rng, country)))
    return result


def invoices(rng: random.Random, people: list[Customer], count: int, start: date, days: int) -> list[InvoiceRow]:
    rows = []
    for index in range(count):
        issued = start + timedelta(days=rng.randrange(days))
        amount = Decimal(rng.randrange(2000, 500000)) / 100
        rows.append(InvoiceRow(f"AB-{issued.year}-{index + 1:05d}", rng.choice(people), issued, issued + timedelta(days=30), amount))
    return rows


def invoices_csv(rows: list[InvoiceRow]) -> bytes:
    lines = ["invoice_number,customer_number,customer_name,customer_iban,issue_date,due_date,amount,currency,payment_reference"]
    for row in rows:
        name = row.customer.name.replace('"', "")
        lines.append(
            f'{row.number},{row.customer.number},"{name}",{row.customer.iban},'
            f"{row.issue_date},{row.due_date},{row.amount},EUR,"
        )
    return ("\n".join(lines) + "\n").encode()


def _payment(rng: random.Random, invoice: InvoiceRow, day: date) -> Entry:
    """How a customer pays an invoice: mostly exactly, sometimes sloppily."""
    number, amount = invoice.number, invoice.amount
    style = rng.random()
    if style < 0.55:
        text = rng.choice(["Rechnung {n}", "RG {n} vielen Dank", "{n}", "Zahlung zu {n}", "Invoice {n}"]).format(n=number)
    elif style < 0.65:
        amount = (amount * Decimal("0.98")).quantize(Decimal("0.01"))
        text = f"{number} abzgl. 2% Skonto"
    elif style < 0.72:
        digits = list(number)
        i = len(digits) - 2
        digits[i], digits[i + 1] = digits[i + 1], digits[i]
        text = f"Rechnung {''.join(digits)}"
    elif style < 0.8:
        amount = (amount / 2).quantize(Decimal("0.01"))
        text = f"1. Rate {number}"
    elif style < 0.9:
        text = f"Kd-Nr {invoice.customer.number}"
    else:
        text = "Danke"
    return Entry(
        amount=amount,
        currency="EUR",
        booking_date=day,
        value_date=day,
        counterparty_name=invoice.customer.name,
        counterparty_iban=invoice.customer.iban,
        remittance=text[:140],
        end_to_end_id=f"E2E{rng.randrange(10**9, 10**10)}" if rng.random() < 0.5 else "",
        transaction_code="PMNT/RCDT/ESCT",
        dk_code="166",
    )


def _noise(rng: random.Random, day: date) -> Entry:
    if rng.random() < 0.8:
        return Entry(
            amount=-Decimal(rng.randrange(500, 300000)) / 100,
            currency="EUR",
            booking_date=day,
            value_date=day,
            counterparty_name=rng.choice(SUPPLIERS),
            counterparty_iban=_iban(rng),
            remittance=f"Rechnung {rng.randrange(10**6, 10**7)} Kundennr {rng.randrange(10**5, 10**6)}",
            mandate_id=f"M{rng.randrange(10**6)}" if rng.random() < 0.3 else "",
            transaction_code="PMNT/ICDT/ESCT",
            dk_code="177",
        )
    return Entry(
        amount=Decimal(rng.randrange(100, 50000)) / 100,
        currency="EUR",
        booking_date=day,
        value_date=day,
        counterparty_name="Finanzamt München",
        counterparty_iban=_iban(rng),
        remittance="Erstattung Umsatzsteuer",
        transaction_code="PMNT/RCDT/ESCT",
        dk_code="166",
    )


def statement_entries(rng: random.Random, paid: list[InvoiceRow], noise: int, start: date, days: int) -> list[Entry]:
    """Payments for `paid` and `noise` other entries, sorted by booking day."""
    entries = []
    for invoice in paid:
        day = min(invoice.due_date, start + timedelta(days=days - 1))
        day = max(day - timedelta(days=rng.randrange(0, 20)), start)
        entries.append(_payment(rng, invoice, day))
    for _ in range(noise):
        entries.append(_noise(rng, start + timedelta(days=rng.randrange(days))))
    entries.sort(key=lambda e: e.booking_date)
    for index, entry in enumerate(entries, 1):
        entry.bank_reference = f"{entry.booking_date:%Y%m%d}{index:08d}"
    return entries


def monthly_statements(
    iban: str, entries: list[Entry], opening: Decimal
) -> Iterator[tuple[StatementHeader, list[Entry]]]:
    """Split entries into monthly camt.053-style statements with matching balances."""
    months: dict[tuple[int, int], list[Entry]] = {}
    for entry in entries:
        months.setdefault((entry.booking_date.year, entry.booking_date.month), []).append(entry)
    balance = opening
    for (year, month), month_entries in sorted(months.items()):
        first = date(year, month, 1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        closing = balance + sum((e.amount for e in month_entries), Decimal("0.00"))
        last = min(last, max(e.booking_date for e in month_entries))  # a running month ends today
        header = StatementHeader(
            format="camt.053.001.08",
            account_iban=iban,
            account_bic="COBADEFFXXX",
            currency="EUR",
            statement_id=f"STMT-{year}-{month:02d}",
            sequence=str(month),
            period_from=first,
            period_to=last,
            opening=BalanceSnapshot(balance, "EUR", first - timedelta(days=1), "opening"),
            closing=BalanceSnapshot(closing, "EUR", last, "closing"),
        )
        yield header, month_entries
        balance = closing
