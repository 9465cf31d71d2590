"""`kassenwart import-statement` and the real-world corpus under ../shared/bankfiles."""

from __future__ import annotations

import io
import json
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from kassenwart.banking.models import BankAccount, StatementImport, Transaction
from kassenwart.banking.services import statement_import
from kassenwart.core.models import AuditEvent

from bankfiles_expected import (
    CAMT_DIFFERENCES,
    CAMT_REFUSED,
    MT940_DIFFERENCES,
    MT940_REFUSED,
    differences,
)
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


# An ING export without its preamble: it names no account of its own.
CSV_NAMING_NO_ACCOUNT = (
    "Buchung;Wertstellungsdatum;Auftraggeber/Empfänger;Verwendungszweck;Betrag;Währung\n"
    "02.03.2026;02.03.2026;Muster GmbH;RE-1;100,00;EUR\n"
).encode("cp1252")


def test_a_batch_has_a_line_for_every_file_and_imports_the_good_ones(company, tmp_path):
    (tmp_path / "first.xml").write_bytes(camt([entry("12.00")], statement_id="S-1").getvalue())
    (tmp_path / "a folder").mkdir()
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 8)
    (tmp_path / "empty.sta").write_bytes(b"")
    (tmp_path / "last.xml").write_bytes(
        camt([entry("30.00")], iban="DE02120300000000202051", statement_id="S-2").getvalue())
    names = ["first.xml", "missing.xml", "a folder", "scan.pdf", "empty.sta", "last.xml"]
    out = io.StringIO()
    with pytest.raises(CommandError, match="^4 of 6 files refused$"):
        call_command("import_statement", *(str(tmp_path / name) for name in names), stdout=out)
    lines = [line for line in out.getvalue().splitlines() if not line.startswith("  ")]
    assert [line.split(": ", 1)[0] for line in lines] == [str(tmp_path / name) for name in names]
    assert [line.split(": ")[1] for line in lines] == ["imported", "refused", "refused", "refused", "refused", "imported"]
    assert lines[1].endswith("refused: there is no such file")
    assert lines[2].endswith("refused: a folder, not a file")
    assert lines[3].endswith("refused: not a statement file (binary data)")
    assert lines[4].endswith("refused: the file is empty")
    assert sorted(Transaction.objects.values_list("amount", flat=True)) == [Decimal("12.00"), Decimal("30.00")]
    # the two that were read and refused are on record, like any refused file
    assert sorted(StatementImport.objects.filter(status="refused").values_list("file_name", flat=True)) == [
        "empty.sta", "scan.pdf"]


def test_a_csv_amount_of_thirty_digits_and_a_hostile_mt940_are_refused_with_their_line(company, tmp_path):
    """Once a traceback that ended the batch (decimal.InvalidOperation), and 16 s of
    backtracking on an 8 KB file (issue 12)."""
    (tmp_path / "riesig.csv").write_bytes(
        ('"Auftragskonto";"Buchungstag";"Valutadatum";"Buchungstext";"Verwendungszweck";'
         '"Beguenstigter/Zahlungspflichtiger";"Kontonummer/IBAN";"BIC (SWIFT-Code)";"Betrag";"Waehrung"\n'
         '"DE89370400440532013000";"01.12.26";"01.12.26";"GUTSCHRIFT";"RE-1";"Kunde";"DE02120300000000202051";'
         f'"BYLADEM1001";"{"9" * 30},00";"EUR"\n').encode())
    (tmp_path / "feindlich.sta").write_bytes(
        ("\n".join([":20:HOSTILE", ":25:DE89370400440532013000", ":60F:C261201EUR100,00",
                    ":61:261201C1" + "1" * 8000, "AB", "CD"]) + "\n").encode())
    (tmp_path / "gut.xml").write_bytes(camt([entry("12.00")]).getvalue())
    out = io.StringIO()
    with pytest.raises(CommandError, match="^2 of 3 files refused$"):
        call_command("import_statement", *(str(tmp_path / name) for name in ("riesig.csv", "feindlich.sta", "gut.xml")),
                     stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"{tmp_path / 'riesig.csv'}: refused: line 2, column \"Betrag\": '{'9' * 30}.00' is too large for an amount"
    assert lines[1].startswith(f"{tmp_path / 'feindlich.sta'}: refused: line 4: :61: not a statement line")
    assert lines[2].startswith(f"{tmp_path / 'gut.xml'}: imported: 1 added")


def test_the_command_line_words_the_stored_result_in_its_language(company, tmp_path):
    """The CLI speaks KASSENWART_LANGUAGE (English by default; runtime/cli.py activates it):
    the same stored keys, worded in German when it says so."""
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 8)
    (tmp_path / "bad.xml").write_bytes(camt([entry("1234.56")], closing="2000.00").getvalue())
    out = io.StringIO()
    with translation.override("de"), pytest.raises(CommandError):
        call_command("import_statement", str(tmp_path / "scan.pdf"), str(tmp_path / "bad.xml"), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("keine Kontoauszugsdatei (Binärdaten)")
    assert "Umsätze 1.234,56" in out.getvalue()
    assert [m["key"] for m in StatementImport.objects.order_by("pk").values_list("messages", flat=True)[0]] == [
        "banking.file.binary"]


def test_a_missing_file_is_a_refused_json_line(company, tmp_path):
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 file refused"):
        call_command("import_statement", str(tmp_path / "gone.xml"), "--json", stdout=out)
    line = json.loads(out.getvalue())
    assert (line["file"], line["status"], line["added"], line["message"]) == (
        str(tmp_path / "gone.xml"), "refused", 0, "there is no such file")


def test_account_by_iban_account_number_or_id(company, tmp_path):
    from kassenwart.runtime.management.commands.import_statement import account_from

    giro = BankAccount.objects.create(company=company, name="Giro", iban="DE89370400440532013000")
    cash = BankAccount.objects.create(company=company, name="Kasse", account_number="0004711")
    for value, account in [("DE89 3704 0044 0532 0130 00", giro), ("532013000", giro), ("0532013000", giro),
                           ("4711", cash), ("0004711", cash), (str(cash.pk), cash)]:
        assert account_from(company, value) == account, value
    statement = tmp_path / "ing.csv"
    statement.write_bytes(CSV_NAMING_NO_ACCOUNT)
    cli(str(statement), "--account", "532013000")
    assert Transaction.objects.get().account == giro
    with pytest.raises(CommandError, match="has no account '999'.*--create-account IBAN adds one"):
        cli(str(statement), "--account", "999")
    BankAccount.objects.create(company=company, name="Old", account_number=str(cash.pk))
    with pytest.raises(CommandError, match="could mean several accounts"):
        account_from(company, str(cash.pk))


def test_an_admin_names_a_new_account_for_files_that_name_none(company, tmp_path):
    statement = tmp_path / "ing.csv"
    statement.write_bytes(CSV_NAMING_NO_ACCOUNT)
    lines = cli(str(statement), "--create-account", "DE89 3704 0044 0532 0130 00")
    account = BankAccount.objects.get(company=company)
    assert (account.iban, account.bank_code, account.account_number) == ("DE89370400440532013000", "37040044", "0532013000")
    assert lines[0] == f"Added account DE89370400440532013000 (id {account.pk})."
    assert lines[1].startswith(f"{statement}: imported: 1 added")
    assert Transaction.objects.get().account == account
    assert AuditEvent.objects.filter(action="account.created", object_id=str(account.pk)).exists()
    again = cli(str(statement), "--create-account", "DE89370400440532013000")
    assert again[0] == f"Account DE89370400440532013000 is there already (id {account.pk})."
    assert BankAccount.objects.count() == 1
    with pytest.raises(CommandError, match="DE00 1234 is not a valid IBAN"):
        cli(str(statement), "--create-account", "DE00 1234")
    assert BankAccount.objects.count() == 1


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


# What the import refuses of ../shared/bankfiles, and why (tests/bankfiles_expected.py).
REFUSED = {
    **{f"camt/{name}": says for name, says in CAMT_REFUSED.items()},
    **{f"mt940/{name}": says for name, says in MT940_REFUSED.items()},
    # No SWIFT field at all: the import does not even take it for MT940.
    "mt940/wolph__mt940/mt940_tests__self-provided__invalid_statement.sta": "not a camt, MT940 or CSV statement file",
}
# Statements whose balances do not add up, as the files have them: (file, statement id, difference).
BALANCE_DIFFERENCES = differences(
    [(f"camt/{name}", statement, d) for (name, statement), d in CAMT_DIFFERENCES.items()]
    + [(f"mt940/{name}", statement, d) for name, statement, d in MT940_DIFFERENCES]
    # A fixture cut down to one booking under the bank's own opening and closing balances.
    + [("csv/Volksbank-alt__airblade__volksbanker__test__fixtures__newlines.csv", "", "2232.38")]
)


@pytest.mark.slow
def test_every_corpus_file_imports_or_is_refused_clearly(company):
    folder = shared_path("bankfiles")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "SOURCES.md")
    # Snippet files that name no account go to the one chosen for them, as a person would; CSV
    # files go to it whatever they name (the chosen account wins; it has no IBAN to contradict).
    chosen = BankAccount.objects.create(company=company, name="Chosen for snippets", account_number="1")
    statuses, refusals, found = Counter(), {}, Counter()
    for path in files:
        name = str(path.relative_to(folder))
        result = statement_import(company, path, via="cli", account=chosen)  # a traceback fails
        statuses[result.status] += 1
        if result.refused:
            refusals[name] = result.message
            continue
        checks = StatementImport.objects.get(pk=result.import_id).details["statements"]
        differing = [(name, c["statement_id"], Decimal(c["difference"])) for c in checks if c["difference"]]
        found.update(d for d in differing if d[2])
        assert result.balance_ok is (None if all(c["difference"] is None for c in checks) else not any(
            d[2] for d in differing)), name
    assert len(files) == 337
    assert sorted(refusals) == sorted(REFUSED)
    for name, says in REFUSED.items():
        assert says in refusals[name], (name, refusals[name])
    assert found == BALANCE_DIFFERENCES
    assert dict(statuses) == {"imported": 282, "duplicate": 48, "refused": len(REFUSED)}
    # Booked entries stored: fewer than the files hold, as copies of one fixture in several
    # repositories (and overlapping statements) add each transaction once.
    assert Transaction.objects.count() == 2549  # raphaelm.sta's 9 entries among them

    before = Transaction.objects.count()
    again = [statement_import(company, path, via="cli", account=chosen) for path in files]
    assert Transaction.objects.count() == before
    assert sum(r.added for r in again) == 0
    assert StatementImport.objects.filter(status="refused").count() == 2 * len(REFUSED)
