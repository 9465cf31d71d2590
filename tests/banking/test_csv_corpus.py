"""Every bank's CSV export in ../shared/bankfiles/csv, imported as a person would: one file at a
time with `kassenwart import-statement --account`, no mapping. Rows, signed sum and booking
dates per file were written here from reading the files (an independent script with the
standard csv module and the columns picked by hand, not the product's parser).

And the property of a mapped layout: whatever the rows, the marks, the header and the German
decimal commas, the stored signed sum is the sum written.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from decimal import Decimal

from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kassenwart.banking.formats.bank_csv import CsvMapping
from kassenwart.banking.models import BankAccount, PendingTransaction, StatementImport, Transaction
from kassenwart.banking.services import statement_import
from kassenwart.companies.services import company_create

from shared_data import shared_path

# (file, booked rows, signed sum, first and last booking date, pending rows)
EXPECTED = [
    ("BBBank-alt__rtotheb2000__BBBank-CSV-convert-fix__Umsaetze_DE12345678910111213141_2017.01.02.csv", 2, "0.00", "2017-01-09", "2017-01-09", 0),
    ("Commerzbank__bank2ynab__bank2ynab__test__test-data__Umsaetze_KtoNr538917600_EUR_02-03-2018_1503.csv", 1, "-17.22", "2018-03-02", "2018-03-02", 0),
    ("DKB-Visa__hamvocke__dkb2homebank__testfiles__visa.csv", 4, "-168.01", "2018-09-22", "2018-10-15", 0),
    ("DKB-Visa__hamvocke__dkb2homebank__testfiles__visaNew.csv", 6, "167.85", "2022-05-20", "2023-10-20", 0),
    ("DKB-alt__hamvocke__dkb2homebank__testfiles__cash.csv", 2, "28.89", "2018-10-17", "2018-10-19", 0),
    ("DKB-alt__micxer__dkb-to-homebank-csv__test_csvs__giro_test.csv", 4, "-177.88", "2013-12-27", "2013-12-30", 0),
    ("DKB-alt__siddhantgoel__beancount-dkb__tests__data__ec__non_empty.csv", 1, "-15.37", "2018-01-16", "2018-01-16", 0),
    ("DKB__hamvocke__dkb2homebank__testfiles__giro.csv", 5, "101090.67", "2023-08-10", "2023-08-25", 0),
    ("DKB__hamvocke__dkb2homebank__testfiles__tagesgeld.csv", 5, "101090.67", "2023-08-10", "2023-08-25", 0),
    ("DKB__sercxanto__go-homebank-csv__pkg__parser__testfiles__dkb__dkb.csv", 3, "-1000.00", "2024-09-30", "2024-12-10", 0),
    ("GLS__reubano__csv2ofx__data__test__gls.csv", 1, "-98.76", "2017-10-10", "2017-10-10", 0),
    ("ING__dw0111__ing2homebank__testfiles__test.csv", 2, "240.50", "2022-02-28", "2022-02-28", 0),
    ("N26__bank2ynab__bank2ynab__test__test-data__20171001-20171106.csv", 1, "-59.99", "2017-10-01", "2017-10-01", 0),
    ("N26__reubano__csv2ofx__data__test__n26-fr.csv", 2, "0.00", "2020-03-07", "2020-03-07", 0),
    ("Outbank__reubano__csv2ofx__data__test__outbank.csv", 4, "-35.89", "2019-01-05", "2019-02-20", 0),
    ("Raiffeisen-AT__bank2ynab__bank2ynab__test__test-data__test_raiffeisen_01.csv", 73, "-4580.70", "2017-09-18", "2017-10-19", 0),
    ("Sparkasse-Kreditkarte__bank2ynab__bank2ynab__test__test-data__umsatz-1234________1234-20180227.csv", 1, "-5.00", "2018-02-20", "2018-02-20", 0),
    ("Sparkasse__bank2ynab__bank2ynab__test__test-data__20180226-1000594757-umsatz.csv", 1, "-36.99", "2018-02-22", "2018-02-22", 0),
    ("Volksbank-alt__airblade__volksbanker__test__fixtures__newlines.csv", 1, "-10.27", "2012-10-02", "2012-10-02", 0),
    ("Volksbank-alt__airblade__volksbanker__test__fixtures__transactions.csv", 7, "2729.50", "2012-07-17", "2012-08-08", 0),
    ("Volksbank__dw0111__vb2homebank__testfiles__test.csv", 3, "-59.10", "2022-01-01", "2022-01-01", 0),
    ("Volksbank__sercxanto__go-homebank-csv__pkg__parser__testfiles__volksbank__Umsaetze_DE12345678901234567890_2023.10.04.csv", 4, "557.80", "2023-09-29", "2023-10-04", 0),
    ("comdirect__sercxanto__go-homebank-csv__pkg__parser__testfiles__comdirect__umsaetze_1234567890_20231006_1804.csv", 4, "-158.93", "2023-09-04", "2023-10-06", 1),
    ("synthetic-Commerzbank__automationsmanufaktur-labs__waskostetmich__tests__fixtures__commerzbank.csv", 3, "2777.02", "2025-01-03", "2025-01-28", 0),
    ("synthetic-DKB-alt__automationsmanufaktur-labs__waskostetmich__tests__fixtures__dkb-alt.csv", 2, "-22.98", "2025-01-03", "2025-01-05", 0),
    ("synthetic-DKB__automationsmanufaktur-labs__waskostetmich__tests__fixtures__dkb-neu.csv", 3, "2777.02", "2025-01-03", "2025-01-28", 0),
    ("synthetic-ING__automationsmanufaktur-labs__waskostetmich__tests__fixtures__ing.csv", 3, "2777.02", "2025-01-03", "2025-01-28", 0),
    ("synthetic-N26__automationsmanufaktur-labs__waskostetmich__tests__fixtures__n26.csv", 3, "2777.02", "2025-01-03", "2025-01-28", 0),
    ("synthetic-Postbank__automationsmanufaktur-labs__waskostetmich__tests__fixtures__postbank.csv", 2, "-22.98", "2025-01-03", "2025-01-05", 0),
    ("synthetic-Sparkasse__automationsmanufaktur-labs__waskostetmich__tests__fixtures__sparkasse.csv", 3, "2698.01", "2025-01-03", "2025-01-28", 0),
    ("synthetic-Volksbank__automationsmanufaktur-labs__waskostetmich__tests__fixtures__volksbank.csv", 2, "-22.98", "2025-01-03", "2025-01-05", 0),
    ("synthetic-comdirect__automationsmanufaktur-labs__waskostetmich__tests__fixtures__comdirect.csv", 2, "-22.98", "2025-01-03", "2025-01-05", 0),
]
# Files whose balances check the signs: opening/closing lines, or a running balance column
# (True: the rows add up). The Volksbank fixture cut down to one booking keeps the bank's
# balances of the whole period, so they cannot agree; the others carry none, or a running
# balance column that does not add up in the file as it is (warned, not taken).
BALANCES = {
    "BBBank-alt__rtotheb2000__BBBank-CSV-convert-fix__Umsaetze_DE12345678910111213141_2017.01.02.csv": True,
    "GLS__reubano__csv2ofx__data__test__gls.csv": True,
    "Volksbank-alt__airblade__volksbanker__test__fixtures__newlines.csv": False,
    "Volksbank-alt__airblade__volksbanker__test__fixtures__transactions.csv": True,
    "Volksbank__sercxanto__go-homebank-csv__pkg__parser__testfiles__volksbank__Umsaetze_DE12345678901234567890_"
    "2023.10.04.csv": True,
    "synthetic-Postbank__automationsmanufaktur-labs__waskostetmich__tests__fixtures__postbank.csv": True,
}
SYNTHETIC = sum(name.startswith("synthetic-") for name, *_ in EXPECTED)


def cli(*args) -> dict:
    out = io.StringIO()
    call_command("import_statement", *args, "--json", stdout=out)
    [line] = out.getvalue().splitlines()
    return json.loads(line)


def test_every_bank_csv_export_imports_through_its_profile(company):
    folder = shared_path("bankfiles", "csv")
    assert sorted(p.name for p in folder.glob("*.csv")) == [name for name, *_ in EXPECTED]
    assert (len(EXPECTED), SYNTHETIC) == (32, 9)
    for number, (name, rows, total, first, last, pending) in enumerate(EXPECTED):
        account = BankAccount.objects.create(company=company, name=f"CSV {number}", account_number=f"770{number:03d}")
        result = cli(str(folder / name), "--account", str(account.pk))
        assert (result["status"], result["added"], result["pending"]) == ("imported", rows, pending), (name, result)
        assert result["balance_ok"] is BALANCES.get(name), (name, result)
        if result["balance_ok"] is False:  # said with the numbers
            assert "opening 1,234.56 + entries -10.27 differs from closing 3,456.67 by 2,232.38" in result["message"]
        assert StatementImport.objects.get(file_name=name).format.startswith("csv:"), name
        booked = list(Transaction.objects.filter(account=account).values_list("amount", "booking_date"))
        assert (len(booked), sum(a for a, _day in booked), min(d for _a, d in booked), max(d for _a, d in booked)) == (
            rows, Decimal(total), date.fromisoformat(first), date.fromisoformat(last)), name
        assert PendingTransaction.objects.filter(account=account).count() == pending, name
        again = cli(str(folder / name), "--account", str(account.pk))
        assert (again["status"], again["added"]) == ("duplicate", 0), (name, again)
        assert Transaction.objects.filter(account=account).count() == rows, name
    # every file went to the account chosen for it, none made up one of its own
    assert BankAccount.objects.filter(company=company).count() == len(EXPECTED)


MARKED = CsvMapping(booking_date="#1", amount="#3", indicator="#4", remittance=("#2",), has_header=False)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)
rows = st.lists(st.tuples(amounts, st.sampled_from(["S", "H", "s", "h"]), st.integers(0, 400)), min_size=1, max_size=25)


def german(value: Decimal, grouped: bool) -> str:
    text = f"{value:,.2f}" if grouped else f"{value:.2f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows, st.booleans(), st.booleans())
def test_any_marked_csv_stores_the_signed_sum_written(db, written, header, grouped):
    company = company_create("Vorzeichen GmbH", via="test")
    account = BankAccount.objects.create(company=company, name="Giro", account_number="1")
    mapping = MARKED if not header else CsvMapping(
        booking_date="Datum", amount="Umsatz", indicator="S/H", remittance=("Text",))
    lines = ["Datum;Text;Umsatz;S/H"] if header else []
    for number, (value, mark, day) in enumerate(written):
        when = (date(2026, 1, 1) + timedelta(days=day)).strftime("%d.%m.%Y")
        lines.append(f'{when};"Posten {number}; mit Semikolon";{german(value, grouped)};{mark}')
    data = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    result = statement_import(company, io.BytesIO(data), file_name="m.csv", via="test", account=account,
                              csv_mapping=mapping)
    assert result.added == len(written), result.message
    expected = sum((-v if mark in "Ss" else v for v, mark, _day in written), Decimal(0))
    assert sum(Transaction.objects.filter(account=account).values_list("amount", flat=True)) == expected
