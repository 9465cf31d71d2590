"""`kassenwart import-statement` and the real-world corpus under ../shared/bankfiles."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kassenwart.banking.models import BankAccount, StatementImport, Transaction
from kassenwart.banking.services import statement_import

from camt_files import camt, entry
from shared_data import shared_path


def cli(*args) -> list[str]:
    out = io.StringIO()
    call_command("import_statement", *args, stdout=out)
    return out.getvalue().splitlines()


def test_json_lines_and_exit_code(company, tmp_path):
    good = tmp_path / "good.xml"
    good.write_bytes(camt([entry("12.00")]).getvalue())
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<Document><nothing/></Document>")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 2 file"):
        call_command("import_statement", str(good), str(bad), "--json", stdout=out)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["file"] == str(good)
    assert (first["status"], first["added"], first["duplicates"], first["balance_ok"]) == ("imported", 1, 0, True)
    assert second["status"] == "refused" and second["message"]
    assert set(first) >= {"file", "status", "added", "duplicates", "balance_ok", "message"}
    again = json.loads(cli(str(good), "--json")[0])
    assert (again["status"], again["added"], again["duplicates"]) == ("duplicate", 0, 1)


def test_text_lines(company, tmp_path):
    good = tmp_path / "good.xml"
    good.write_bytes(camt([entry("12.00")]).getvalue())
    assert cli(str(good))[0] == f"{good}: imported: 1 added, 0 duplicates, 0 pending, balances agree"


def test_reconbench_statement_keeps_every_detail(company):
    path = shared_path("reconbench", "dev", "statement.xml")
    (line,) = [json.loads(x) for x in cli(str(path), "--json")]
    assert (line["added"], line["balance_ok"]) == (1500, True)
    tx = Transaction.objects.get(bank_reference="202610010000002")
    assert tx.amount == 1400 and tx.counterparty_name == "Schröder Immobilien GmbH & Co. KG"
    assert tx.counterparty_iban == "DE76701500009571593014"
    assert tx.end_to_end_id == "E2E8225530786"
    assert tx.remittance == "Zahlung aus Rechnung RE-\n2026-03698 vielen Dank"
    assert tx.dk_code == "166" and tx.transaction_code == "PMNT/RCDT/ESCT"
    assert Transaction.objects.exclude(bank_reference="").count() == 1500


@pytest.mark.slow
def test_every_corpus_file_imports_or_is_refused_clearly(company):
    folder = shared_path("bankfiles")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "SOURCES.md")
    assert len(files) > 300
    # Snippet files that name no account go to the one chosen for them, as a person would.
    chosen = BankAccount.objects.create(company=company, name="Chosen for snippets", account_number="1")
    statuses, refused, differences = Counter(), [], []
    for path in files:
        result = statement_import(company, path, via="cli", account=chosen)  # a traceback fails
        statuses[result.status] += 1
        if result.refused:
            assert result.message.strip(), path
            refused.append(f"{path.relative_to(folder)}: {result.message}")
        elif result.balance_ok is False:
            differences.append(f"{path.relative_to(folder)}: {result.message}")
    total = len(files)
    imported = total - len(refused)
    print(f"\ncorpus: {total} files, {imported} imported ({imported / total:.1%}), {len(refused)} refused")
    print("refused:\n  " + "\n  ".join(refused))
    print(f"balance differences reported for {len(differences)} files:\n  " + "\n  ".join(differences))
    assert imported / total >= 0.97
    before = Transaction.objects.count()
    again = [statement_import(company, path, via="cli", account=chosen) for path in files]
    assert Transaction.objects.count() == before
    assert sum(r.added for r in again) == 0
    assert StatementImport.objects.filter(status="refused").count() == 2 * len(refused)
