"""No file under 100 KB takes more than a second of CPU, in the parser or in the whole import
(issue 12): files of 96 KB made of as many of the smallest statements or rows as fit, so what
costs per statement shows (a balance, an account looked up per statement took 1.5 s for 1,200
MT940 statements). Process time, and the least of up to five attempts: on a loaded machine
a process's CPU time grows too (the other core's work slows the shared caches), while a cost
per statement that grows with the file fails every attempt."""

import io
import time

import pytest
from django.core.management import call_command
from django.db import transaction

from kassenwart.banking.models import Balance, BankAccount, StatementImport

from parser_fuzz import BUDGET, CROWDED, IBAN, crowded, run


@pytest.mark.parametrize("shape", CROWDED)
def test_a_crowded_96_kb_file_is_parsed_and_imported_within_the_budget(shape, company, tmp_path):
    data = crowded(shape)
    parsed = run(CROWDED[shape], data)
    assert parsed.kind == "parsed", parsed.detail
    assert least_cpu(lambda: run(CROWDED[shape], data).cpu_seconds) <= BUDGET, "parsing took too long"

    path = tmp_path / f"crowded.{CROWDED[shape]}"
    path.write_bytes(data)

    def import_and_undo() -> float:
        with transaction.atomic():
            started = time.process_time()
            call_command("import_statement", str(path), company=str(company.pk), create_account=IBAN,
                         stdout=io.StringIO())
            took = time.process_time() - started
            transaction.set_rollback(True)
        return took

    assert least_cpu(import_and_undo) <= BUDGET, "the import took too long"
    call_command("import_statement", str(path), company=str(company.pk), create_account=IBAN, stdout=io.StringIO())
    record = StatementImport.objects.get(company=company)
    assert record.status == StatementImport.Status.IMPORTED
    if shape == "mt940":  # a balance for each day a statement closed on, written at once at the end
        days = {line.split("EUR")[0][-6:] for line in data.decode().splitlines() if line.startswith(":62F:")}
        assert Balance.objects.filter(account=BankAccount.objects.get(iban=IBAN)).count() == len(days) > 1000


def least_cpu(measure, attempts: int = 5) -> float:
    """The least CPU seconds of up to `attempts` calls of `measure`, stopping at one within the
    budget; the figures of all attempts are printed when none is."""
    figures = []
    for _ in range(attempts):
        figures.append(measure())
        if figures[-1] <= BUDGET:
            break
    print("CPU seconds per attempt:", ", ".join(f"{figure:.2f}" for figure in figures))
    return min(figures)
