"""The chosen account wins for CSV files; `import-statement --mapping` and `csv-layout`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kassenwart.banking.models import BankAccount, PendingTransaction, Transaction
from kassenwart.banking.services import statement_import
from kassenwart.core.models import AuditEvent

# A Sparkasse CSV-MT940 export: its own account is a plain account number.
SPARKASSE = (
    '"Auftragskonto";"Buchungstag";"Valutadatum";"Buchungstext";"Verwendungszweck";'
    '"Beguenstigter/Zahlungspflichtiger";"Kontonummer";"BLZ";"Betrag";"Waehrung";"Info"\r\n'
    '"1000594757";"22.02.18";"22.02.18";"FOLGELASTSCHRIFT";"Rechnung";"Vodafone";"123";"50010517";'
    '"-36,99";"EUR";"Umsatz gebucht"\r\n'
).encode("cp1252")
IBAN = "DE89370400440532013000"
OTHER_IBAN = "DE02120300000000202051"


def cli(*args) -> list[str]:
    out = io.StringIO()
    call_command("import_statement", *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_chosen_account_wins_over_the_files_plain_account_number(company, tmp_path):
    chosen = BankAccount.objects.create(company=company, name="Giro", iban=IBAN)
    (tmp_path / "umsatz.csv").write_bytes(SPARKASSE)
    assert cli(str(tmp_path / "umsatz.csv"), "--account", IBAN)[0].endswith("imported: 1 added, 0 duplicates, "
                                                                             "0 pending, no balances to check")
    assert list(BankAccount.objects.filter(company=company)) == [chosen]
    assert Transaction.objects.get().account == chosen


def test_a_file_naming_another_iban_than_the_chosen_account_is_refused_with_both(company, tmp_path):
    BankAccount.objects.create(company=company, name="Giro", iban=IBAN)
    (tmp_path / "other.csv").write_bytes(SPARKASSE.replace(b'"1000594757"', f'"{OTHER_IBAN}"'.encode()))
    result = statement_import(company, tmp_path / "other.csv", via="cli",
                              account=BankAccount.objects.get(iban=IBAN))
    assert result.refused and OTHER_IBAN in result.message and IBAN in result.message
    assert not Transaction.objects.exists()


UNKNOWN = "Datum;Text;Betrag;SH\r\n01.02.2026;Miete;1.500,00;S\r\n02.02.2026;Kunde AG;20,50;H\r\n"
NEXT = "Datum;Text;Betrag;SH\r\n03.02.2026;Strom;80,00;S\r\n"


def test_an_unknown_layout_is_mapped_once_in_the_cli_and_the_next_file_imports_without_asking(company, tmp_path):
    BankAccount.objects.create(company=company, name="Giro", iban=IBAN)
    (tmp_path / "jan.csv").write_text(UNKNOWN, encoding="cp1252")
    (tmp_path / "feb.csv").write_text(NEXT, encoding="cp1252")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_statement", str(tmp_path / "jan.csv"), "--account", IBAN, stdout=out)
    assert "csv-layout" in out.getvalue() and "--mapping" in out.getvalue()

    layout = io.StringIO()
    call_command("csv_layout", str(tmp_path / "jan.csv"), stdout=layout)
    shown = layout.getvalue()
    assert "not known" in shown and "01.02.2026 | Miete | 1.500,00 | S" in shown
    template = json.loads(shown[shown.index("{"):])
    template.update(booking_date="Datum", amount="Betrag", indicator="SH", remittance=["Text"])
    (tmp_path / "mapping.json").write_text(json.dumps(template))

    preview = io.StringIO()
    call_command("csv_layout", str(tmp_path / "jan.csv"), "--mapping", str(tmp_path / "mapping.json"), stdout=preview)
    assert "-1,500.00 EUR Miete" in preview.getvalue() and "+20.50 EUR Kunde AG" in preview.getvalue()
    assert "#4 SH: indicator" in preview.getvalue()

    lines = cli(str(tmp_path / "jan.csv"), "--account", IBAN, "--mapping", str(tmp_path / "mapping.json"))
    assert lines[0].endswith("imported: 2 added, 0 duplicates, 0 pending, no balances to check")
    assert AuditEvent.objects.filter(action="account.csv_mapping_saved").count() == 1
    assert cli(str(tmp_path / "feb.csv"), "--account", IBAN)[0].endswith("imported: 1 added, 0 duplicates, "
                                                                         "0 pending, no balances to check")
    assert sorted(str(a) for a in Transaction.objects.values_list("amount", flat=True)) == [
        "-1500.00", "-80.00", "20.50"]


@pytest.mark.parametrize(("content", "says"), [
    ("{", "is not JSON"),
    ('["Datum"]', "must be a JSON object"),
    ('{"booking_date": "Datum", "amout": "Betrag"}', "keys that mean nothing here: amout"),
    ('{"booking_date": "Datum"}', "needs a booking date and an amount"),
    ('{"booking_date": "Datum", "amount": "Betrag", "has_header": "no"}', "has_header='no' is not valid"),
    ('{"booking_date": "Datum", "amount": "Betrag", "has_header": false}', "names its columns by number"),
])
def test_a_wrong_mapping_is_refused_with_what_is_wrong_and_no_traceback(company, tmp_path, content, says):
    (tmp_path / "jan.csv").write_text(UNKNOWN, encoding="cp1252")
    (tmp_path / "mapping.json").write_text(content)
    with pytest.raises(CommandError, match=says):
        cli(str(tmp_path / "jan.csv"), "--mapping", str(tmp_path / "mapping.json"))


def test_a_mapping_whose_columns_do_not_fit_the_file_is_refused_with_the_line(company, tmp_path):
    BankAccount.objects.create(company=company, name="Giro", iban=IBAN)
    (tmp_path / "jan.csv").write_text(UNKNOWN.replace("20,50", "20,5x"), encoding="cp1252")
    (tmp_path / "mapping.json").write_text('{"booking_date": "Datum", "amount": "Betrag", "indicator": "SH"}')
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_statement", str(tmp_path / "jan.csv"), "--account", IBAN, "--mapping",
                     str(tmp_path / "mapping.json"), stdout=out)
    assert 'refused: line 3, column "Betrag": "20,5x" is not an amount' in out.getvalue()


def test_csv_layout_of_a_known_profile_shows_columns_and_signed_rows(tmp_path, db):
    (tmp_path / "umsatz.csv").write_bytes(SPARKASSE)
    out = io.StringIO()
    call_command("csv_layout", str(tmp_path / "umsatz.csv"), stdout=out)
    text = out.getvalue()
    assert "Layout: the profile sparkasse" in text
    assert "#9 Betrag: amount" in text and "#4 Buchungstext: not read" in text
    assert "line 2: 22.02.2018        -36.99 EUR Vodafone Rechnung" in text


def test_pending_rows_stay_pending_with_a_chosen_account(company, tmp_path):
    chosen = BankAccount.objects.create(company=company, name="Giro", iban=IBAN)
    (tmp_path / "c.csv").write_bytes(
        '"Buchungstag";"Wertstellung (Valuta)";"Vorgang";"Buchungstext";"Umsatz in EUR";\r\n'
        '"offen";"--";"Kartenverfügung";"Tankstelle";"-23,86";\r\n'
        '"06.10.2023";"06.10.2023";"Lastschrift";"Strom";"-40,01";\r\n'.encode("cp1252"))
    cli(str(tmp_path / "c.csv"), "--account", IBAN)
    assert PendingTransaction.objects.get().account == chosen
    assert Transaction.objects.get().account == chosen


def test_the_mapping_to_fill_in_suggests_what_the_rows_show(tmp_path, db):
    (tmp_path / "export.csv").write_text("Date,Text,Amount\r\n2026-02-01,Rent,-1500.00\r\n2026-02-02,Fee,-2.50\r\n")
    out = io.StringIO()
    call_command("csv_layout", str(tmp_path / "export.csv"), stdout=out)
    template = json.loads(out.getvalue()[out.getvalue().index("{"):])
    assert {key: template[key] for key in ("delimiter", "has_header", "date_format", "decimal_comma",
                                           "thousands_separator")} == {
        "delimiter": ",", "has_header": True, "date_format": "%Y-%m-%d", "decimal_comma": False,
        "thousands_separator": ","}
    assert template["booking_date"] == template["amount"] == "" and template["remittance"] == []
