"""`kassenwart export-bookings`: the period's bookings from the command line. The mistakes a
person makes end in one line and no traceback (the real entry point, in a process of its own,
on a database set up with `kassenwart init`); a DATEV batch and a CSV file written through the
same entry point in this process, on the test database."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest

from kassenwart.accounting.services import export_settings_update
from kassenwart.receivables.models import Customer
from kassenwart.reconciliation.services import match_create
from kassenwart.runtime.cli import main

TIMEOUT = 180
JULY = ["--from", "2026-07-01", "--to", "2026-07-31"]


@pytest.mark.slow
def test_mistakes_end_in_one_line_without_a_traceback(tmp_path):
    env = {**os.environ, "KASSENWART_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    env.pop("KASSENWART_LANGUAGE", None)

    def kassenwart(*args):
        return subprocess.run([sys.executable, "-m", "kassenwart", *args], env=env, cwd=tmp_path,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT)

    assert kassenwart("init", "--company", "Nordlicht Software GmbH").returncode == 0
    cases = {
        # (arguments): (exit code, words of the one line)
        ("--format", "datev", *JULY): (1, "The consultant number (Beraternummer) is not set."),
        ("--format", "csv", *JULY, "--account", "DE02 1203 0000 0000 2020 51"):
            (1, "has no account with the IBAN DE02 1203 0000 0000 2020 51"),
        ("--format", "csv", "--from", "2026-07-31", "--to", "2026-07-01"): (1, "--to is before --from"),
        ("--format", "csv", *JULY, "--output", str(tmp_path / "missing" / "out.csv")): (1, "cannot be written"),
        ("--format", "csv", *JULY, "--company", "Alpenglück"): (1, "There is no company 'Alpenglück'"),
        ("--format", "csv", "--from", "2026-13-01", "--to", "2026-07-31"): (2, "is not a date like"),
        ("--format", "pdf", *JULY): (2, "invalid choice: 'pdf'"),
        ("--format", "csv"): (2, "required: --from, --to"),
    }
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = dict(zip(cases, pool.map(lambda args: kassenwart("export-bookings", *args), cases)))
    for args, (code, says) in cases.items():
        outcome = outcomes[args]
        lines = outcome.stderr.splitlines()
        assert "Traceback" not in outcome.stderr, outcome.stderr
        assert outcome.returncode == code and len(lines) == 1 and not outcome.stdout, (args, outcome)
        assert lines[0].startswith("kassenwart export-bookings: ") and says in lines[0], lines[0]
    empty = kassenwart("export-bookings", "--format", "csv", *JULY)  # nothing booked yet: the headings
    assert empty.returncode == 0 and empty.stdout.startswith("Booking date,Value date,Account,IBAN")


@pytest.fixture
def booked(company):
    from kassenwart.banking.models import BankAccount, StatementImport, Transaction
    from kassenwart.receivables.models import Invoice

    account = BankAccount.objects.create(company=company, name="Giro", iban="DE89370400440532013000")
    record = StatementImport.objects.create(company=company, file_name="juli.xml", sha256="0" * 64,
                                            status=StatementImport.Status.IMPORTED)

    def booking(amount, name, day, remittance=""):
        return Transaction.objects.create(
            company=company, account=account, statement_import=record, booking_date=day, value_date=day,
            amount=Decimal(amount), currency="EUR", counterparty_name=name, remittance=remittance,
            fingerprint=f"{name}-{day}")

    def invoice(number, amount):
        return Invoice.objects.create(company=company, customer=customer, number=number, amount=Decimal(amount),
                                      open_amount=Decimal(amount), status=Invoice.Status.OPEN)

    customer = Customer.objects.create(company=company, number="10001", name="Beispiel AG")
    first, second = invoice("RE-2026-0001", "100.00"), invoice("RE-2026-0002", "50.00")
    paid = booking("150.00", "Beispiel AG", date(2026, 7, 2))
    match_create(company, paid, [(first, Decimal("100.00"), Decimal("0.00")),
                                 (second, Decimal("50.00"), Decimal("0.00"))], user=None)
    booking("-12.34", "Bank", date(2026, 7, 31), "Entgelt")
    booking("99.00", "August", date(2026, 8, 1))
    export_settings_update(company, consultant_number=29098, client_number=55003, fiscal_year_start_month=1,
                           account_length=4, debtor_account="10000", customer_number_is_debtor=True,
                           suspense_account="1590", ledger_accounts={account.pk: "1200"}, user=None, via="test")
    return account


def test_a_datev_batch_to_a_file(booked, tmp_path, capsys):
    target = tmp_path / "EXTF_Juli.csv"
    code = main(["kassenwart", "export-bookings", "--format", "datev", *JULY, "--account", "de89 3704 0044 0532 0130 00",
                 "--output", str(target)])
    assert code == 0
    assert capsys.readouterr().out == f"{target}: {target.stat().st_size} bytes\n"
    header, _columns, *rows = csv.reader(io.StringIO(target.read_bytes().decode("cp1252"), newline=""), delimiter=";")
    assert header[:5] == ["EXTF", "700", "21", "Buchungsstapel", "13"] and header[8] == "kassenwart"
    assert [(row[0], row[1], row[6], row[7], row[9], row[10]) for row in rows] == [
        ("100,00", "S", "1200", "10001", "0207", "RE-2026-0001"),
        ("50,00", "S", "1200", "10001", "0207", "RE-2026-0002"),
        ("12,34", "H", "1200", "1590", "3107", ""),
    ]


def test_a_csv_file_for_excel_to_stdout(booked, capfdbinary):
    assert main(["kassenwart", "export-bookings", "--format", "csv", "--csv-style", "excel-de", *JULY]) == 0
    data = capfdbinary.readouterr().out
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert [(row[0], row[7], row[10], row[13]) for row in rows[1:]] == [
        ("02.07.2026", "150,00", "RE-2026-0001", "100,00"),
        ("02.07.2026", "150,00", "RE-2026-0002", "50,00"),
        ("31.07.2026", "-12,34", "", ""),
    ]
