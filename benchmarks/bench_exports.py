"""The accountant's exports at scale: a month's bookings as CSV and as a DATEV batch.

    python benchmarks/bench_exports.py                 # 100,000 transactions, SQLite
    python benchmarks/bench_exports.py --rows 20000    # to try things

A scratch SQLite database in a temporary data directory (deleted at the end) is migrated and filled with one
company, one account, N transactions booked in July 2026 (every other one a payment matched
to one invoice, every tenth of those split over two), then the selector and the two writers
run as the exports page runs them. Printed: the time to build the data, and for each format
the seconds (wall and this process's CPU), the lines per second and the size of the file. Everything is deterministic.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="transactions (default 100,000)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-exports-")
    os.environ["KASSENWART_DATA_DIR"] = folder
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kassenwart.settings")
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        company, account = build(args.rows)
        print(f"built {args.rows:,} transactions in {time.perf_counter() - started:.1f} s")
        measure(company, account)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def build(rows: int):
    from kassenwart.accounting.services import export_settings_update
    from kassenwart.banking.models import BankAccount, StatementImport, Transaction
    from kassenwart.companies.services import company_create
    from kassenwart.receivables.models import Customer, Invoice
    from kassenwart.reconciliation.models import Allocation, Match

    company = company_create("Nordlicht Software GmbH", via="bench")
    account = BankAccount.objects.create(company=company, name="Giro", iban="DE89370400440532013000")
    record = StatementImport.objects.create(company=company, file_name="juli.xml", sha256="0" * 64,
                                            status=StatementImport.Status.IMPORTED)
    customers = Customer.objects.bulk_create(
        Customer(company=company, number=f"{10000 + n}", name=f"Kunde {n} GmbH") for n in range(1000))
    txs = Transaction.objects.bulk_create((
        Transaction(company=company, account=account, statement_import=record, booking_date=date(2026, 7, 1 + n % 31),
                    value_date=date(2026, 7, 1 + n % 31), amount=Decimal(100 + n % 900) if n % 2 == 0
                    else Decimal(-(10 + n % 90)), currency="EUR", counterparty_name=f"Zahler {n % 1000}",
                    remittance=f"RE-{n:07d} Danke", fingerprint=f"fp{n}")
        for n in range(rows)), batch_size=5000)
    paid = [tx for tx in txs if tx.amount > 0]
    invoices = Invoice.objects.bulk_create((
        Invoice(company=company, customer=customers[n % 1000], number=f"RE-{n:07d}", amount=tx.amount,
                open_amount=Decimal("0.00"), status=Invoice.Status.PAID)
        for n, tx in enumerate(paid)), batch_size=5000)
    matches = Match.objects.bulk_create((Match(company=company, transaction=tx, kind=Match.Kind.AUTO) for tx in paid),
                                        batch_size=5000)
    allocations = []
    for n, (match, invoice, tx) in enumerate(zip(matches, invoices, paid)):
        if n % 10 == 0:  # split: half to this invoice, half to the one before
            half = (tx.amount / 2).quantize(Decimal("0.01"))
            allocations += [Allocation(match=match, invoice=invoice, amount=half),
                            Allocation(match=match, invoice=invoices[n - 1], amount=tx.amount - half)]
        else:
            allocations.append(Allocation(match=match, invoice=invoice, amount=tx.amount))
    Allocation.objects.bulk_create(allocations, batch_size=5000)
    export_settings_update(company, consultant_number=29098, client_number=55003, fiscal_year_start_month=1,
                           account_length=4, debtor_account="10000", customer_number_is_debtor=True,
                           suspense_account="1590", ledger_accounts={account.pk: "1200"}, user=None, via="bench")
    return company, account


def measure(company, account) -> None:
    from django.db import transaction

    from kassenwart.accounting import datev
    from kassenwart.accounting.selectors import (
        booked_lines,
        datev_bookings,
        datev_header,
        export_settings,
        ledger_accounts_by_id,
    )
    from kassenwart.web import booking_csv
    from kassenwart.web.lists import GERMAN, csv_lines

    period = (date(2026, 7, 1), date(2026, 7, 31))
    for name in ("csv", "datev"):
        started, cpu = time.perf_counter(), time.process_time()
        size = lines = 0
        with transaction.atomic():
            found = booked_lines(company, *period)
            if name == "csv":
                pieces = (piece.encode() for piece in csv_lines(booking_csv.columns(), booking_csv.rows(found), GERMAN))
            else:
                settings = export_settings(company)
                header = datev_header(company, *period, settings=settings)
                pieces = datev.encode(datev.lines(header, datev_bookings(found, settings,
                                                                         ledger_accounts_by_id(company))))
            for piece in pieces:
                size += len(piece)
                lines += piece.count(b"\n")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"{name:5}  {seconds:6.2f} s ({cpu:.2f} s CPU)  {lines / seconds:9,.0f} lines/s  {lines:,} lines  "
              f"{size / 1e6:.1f} MB")


if __name__ == "__main__":
    sys.exit(main())
