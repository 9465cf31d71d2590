"""No file under 100 KB takes more than a second of CPU, in the parser or in the whole import
(issue 12): files of 96 KB made of as many of the smallest statements or rows as fit, so what
costs per statement shows (a balance, an account looked up per statement took 1.5 s for 1,200
MT940 statements). Process time, so a loaded machine does not make it fail."""

import io
import time

import pytest
from django.core.management import call_command

from kassenwart.banking.models import Balance, BankAccount, StatementImport

from parser_fuzz import BUDGET, CROWDED, IBAN, crowded, run


@pytest.mark.parametrize("shape", CROWDED)
def test_a_crowded_96_kb_file_is_parsed_and_imported_within_the_budget(shape, company, tmp_path):
    data = crowded(shape)
    parsed = run(CROWDED[shape], data)
    assert parsed.kind == "parsed", parsed.detail
    assert parsed.cpu_seconds <= BUDGET, f"parsing took {parsed.cpu_seconds:.2f} s of CPU"

    path = tmp_path / f"crowded.{CROWDED[shape]}"
    path.write_bytes(data)
    started = time.process_time()
    call_command("import_statement", str(path), company=str(company.pk), create_account=IBAN, stdout=io.StringIO())
    took = time.process_time() - started
    record = StatementImport.objects.get(company=company)
    assert record.status == StatementImport.Status.IMPORTED
    assert took <= BUDGET, f"the import took {took:.2f} s of CPU"
    if shape == "mt940":  # a balance for each day a statement closed on, written at once at the end
        days = {line.split("EUR")[0][-6:] for line in data.decode().splitlines() if line.startswith(":62F:")}
        assert Balance.objects.filter(account=BankAccount.objects.get(iban=IBAN)).count() == len(days) > 1000
