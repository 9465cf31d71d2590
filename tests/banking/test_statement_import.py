"""The statement import service: dedupe, atomicity, balances, accounts, pending, audit."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Count
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from kassenwart.banking import fingerprint as fingerprint_module
from kassenwart.banking import importer
from kassenwart.banking.fingerprint import Fingerprinter
from kassenwart.banking.formats.statement import Entry
from kassenwart.banking.models import BankAccount, PendingTransaction, StatementImport, Transaction
from kassenwart.banking.services import statement_import
from kassenwart.core.models import AuditEvent

from camt_files import DAY, IBAN, camt, entry
from shared_data import shared_path


def run(company, file, user=None, name="s.xml"):
    return statement_import(company, file, file_name=name, user=user, via="test")


@pytest.mark.parametrize("message", ["053", "052"])
def test_the_hand_written_test_files_are_valid_camt(message):
    """camt_files writes the inputs of these tests by hand; the ISO schema vouches for them."""
    schema = etree.XMLSchema(etree.parse(str(shared_path("xsd", f"camt.{message}.001.08.xsd"))))
    lines = [entry("100.00", end_to_end_id="E2E-1", mandate_id="M-1"), entry("-30.50", text="Miete & <Nebenkosten>"),
             entry("-100.00", end_to_end_id="E2E-1", return_reason="AC04"), entry("70.00", status="pending")]
    assert schema.validate(etree.parse(camt(lines, message=message, opening="-5.00"))), schema.error_log


def test_imports_entries_with_their_details_and_checks_balances(company):
    result = run(company, camt([entry("100.00", end_to_end_id="E2E-1"), entry("-30.50", text="Miete")]))
    assert (result.status, result.added, result.duplicates, result.balance_ok) == ("imported", 2, 0, True)
    account = BankAccount.objects.get(company=company, iban=IBAN)
    credit = Transaction.objects.get(account=account, amount=Decimal("100.00"))
    assert credit.end_to_end_id == "E2E-1"
    assert credit.counterparty_iban == "DE02120300000000202051"
    assert credit.remittance == "Rechnung RE-1"
    assert AuditEvent.objects.filter(action="statement.imported", object_id=str(result.import_id)).exists()
    assert AuditEvent.objects.filter(action="account.created").count() == 1


def test_same_file_twice_adds_nothing(company):
    file = camt([entry("100.00"), entry("5.00")])
    run(company, file)
    file.seek(0)
    again = run(company, file)
    assert (again.status, again.added, again.duplicates) == ("duplicate", 0, 2)
    assert Transaction.objects.count() == 2


def test_overlapping_statements_add_only_what_is_new(company):
    days = [entry(f"{10 + i}.00", day=DAY + timedelta(days=i)) for i in range(10)]
    run(company, camt(days[:6]))
    result = run(company, camt(days[3:]))
    assert (result.added, result.duplicates) == (4, 3)
    assert Transaction.objects.count() == 10


def test_two_real_identical_transactions_on_one_day_both_stay(company):
    twins = [entry("9.99", text="Kaffee"), entry("9.99", text="Kaffee")]
    assert run(company, camt(twins)).added == 2
    assert run(company, camt(twins)).added == 0
    assert run(company, camt(twins[:1])).added == 0
    assert Transaction.objects.count() == 2


def test_balance_difference_is_reported(company):
    result = run(company, camt([entry("100.00")], opening="50.00", closing="160.00"))
    assert result.balance_ok is False
    assert "differs from closing 160.00 by 10.00" in result.message
    assert result.added == 1  # the file is still imported; the difference is shown


def test_a_file_that_breaks_midway_writes_nothing(company):
    good = camt([entry(f"{i}.00") for i in range(1, 40)]).getvalue()
    broken = good.replace(b">37.00<", b">37,00x<")
    assert broken != good
    result = run(company, io.BytesIO(broken))
    assert result.refused
    assert "line" in result.message
    assert Transaction.objects.count() == 0
    assert not BankAccount.objects.exists()
    assert StatementImport.objects.get(pk=result.import_id).status == "refused"
    assert AuditEvent.objects.filter(action="statement.refused").exists()


def test_a_file_that_breaks_after_batches_were_written_writes_nothing(company, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 5)  # rows of earlier batches are in the table when it breaks
    good = camt([entry(f"{i}.00") for i in range(1, 40)]).getvalue()
    result = run(company, io.BytesIO(good.replace(b">37.00<", b">37,00x<")))
    assert result.refused and "line" in result.message
    assert Transaction.objects.count() == 0 and not BankAccount.objects.exists()


def test_batches_count_what_is_new_and_what_was_imported_before(company, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 4)
    days = [entry(f"{10 + i}.00", day=DAY + timedelta(days=i)) for i in range(15)]
    twins = [entry("9.99", text="Kaffee"), entry("9.99", text="Kaffee")]
    assert run(company, camt(days[:9] + twins)).added == 11
    again = run(company, camt(days[5:] + twins + twins[:1]))
    assert (again.added, again.duplicates) == (7, 6)  # days 9..14 and a third coffee are new
    assert Transaction.objects.count() == 18


def test_two_statements_of_two_accounts_go_to_their_accounts(company):
    first = camt([entry("1.00"), entry("2.00")]).getvalue()
    second = camt([entry("3.00")], iban="DE02120300000000202051", statement_id="S-2").getvalue()
    # one Document with both statements: the second Stmt element of the other file appended
    start, end = second.index(b"<Stmt>"), second.index(b"</Stmt>") + len(b"</Stmt>")
    both = first.replace(b"</Stmt>", b"</Stmt>" + second[start:end], 1)
    result = run(company, io.BytesIO(both))
    assert (result.added, result.balance_ok) == (3, True)
    by_account = dict(Transaction.objects.values_list("account__iban").annotate(n=Count("id")))
    assert by_account == {IBAN: 2, "DE02120300000000202051": 1}


def test_values_longer_than_their_columns_are_cut_not_refused(company):
    xml = camt([entry("5.00", name="LONG-NAME", end_to_end_id="LONG-E2E")]).getvalue()
    result = run(company, io.BytesIO(xml.replace(b"LONG-NAME", b"N" * 300).replace(b"LONG-E2E", b"E" * 80)))
    assert result.added == 1
    stored = Transaction.objects.get()
    assert (stored.counterparty_name, stored.end_to_end_id) == ("N" * 255, "E" * 64)


def test_fingerprints_of_imported_transactions_never_change():
    """They are stored: another fingerprint for the same entry would import it twice."""
    fingerprint = Fingerprinter()
    credit = Entry(amount=Decimal("140.00"), currency="EUR", booking_date=date(2026, 4, 14),
                   counterparty_iban="AT62 1904 3470 1933 4696",
                   remittance="Ausgleich\nBeleg 000000001 Buchungstext SEPA-Gutschrift RE_2026-00140")
    debit = Entry(amount=Decimal("-30.5"), currency="eur", booking_date=None, value_date=date(2026, 4, 15),
                  end_to_end_id="E2E-1", mandate_id="M-7", remittance="Miete März – Büro Straße 5 ½", reversal=True)
    assert [fingerprint(1, credit), fingerprint(1, credit), fingerprint(2, credit), fingerprint(1, debit)] == [
        "21eac837568da0b05115b3b239ed86ddbb94ae4f",
        "b5ecf07d0f0c82edd3aeb6d9b073177c8d876213",
        "21eac837568da0b05115b3b239ed86ddbb94ae4f",
        "fcdf4841aed95a4333d341899b9a43ca382d342e",
    ]


@given(st.text())
def test_the_fingerprint_keeps_the_same_letters_and_digits_of_any_text(text):
    assert fingerprint_module._letters_and_digits(text) == re.sub(r"[\W_]+", "", text)


def test_unknown_account_is_refused_for_members_and_created_for_admins(company, member, admin):
    refused = run(company, camt([entry("1.00")]), user=member)
    assert refused.refused
    assert IBAN in refused.message and "admin" in refused.message
    created = run(company, camt([entry("1.00")]), user=admin)
    assert created.added == 1
    assert created.accounts_created and IBAN in created.accounts_created[0]
    assert "Added account" in created.message
    # now that it exists, a member may import into it
    assert run(company, camt([entry("2.00")]), user=member).added == 1


def test_pending_entries_are_kept_apart_and_replaced_by_the_next_report(company):
    pending = entry("70.00", status="pending", text="vorgemerkt")
    result = run(company, camt([entry("1.00"), pending], message="052"))
    assert (result.added, result.pending) == (1, 1)
    assert PendingTransaction.objects.get().remittance == "vorgemerkt"
    run(company, camt([entry("1.00")], message="052"))
    assert not PendingTransaction.objects.exists()
    assert Transaction.objects.count() == 1


def test_not_a_statement_is_refused_with_a_message(company):
    result = run(company, io.BytesIO(b"\x00\x01 binary garbage"), name="x.bin")
    assert result.refused and result.message


def test_xml_with_external_entity_is_refused(company, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xml = camt([entry("1.00", text="&xxe;")]).getvalue().replace(b"&amp;xxe;", b"&xxe;")
    doctype = f'<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
    xml = xml.replace(b"?>", b"?>" + doctype, 1)
    result = run(company, io.BytesIO(xml))
    assert result.refused
    assert not Transaction.objects.filter(remittance__contains="SECRET").exists()


def test_csv_mapping_chosen_once_is_remembered_for_the_account(company, admin):
    from kassenwart.banking.formats.bank_csv import CsvMapping

    account = BankAccount.objects.create(company=company, name="Kasse", iban="DE02120300000000202051")
    mapping = CsvMapping(
        delimiter=";", decimal_comma=True, thousands_separator=".", date_format="%d.%m.%Y",
        booking_date="Datum", amount="Betrag", remittance=("Text",),
    )
    first = io.BytesIO(b"Datum;Betrag;Text\r\n01.03.2026;-12,50;Porto\r\n")
    result = statement_import(company, first, file_name="a.csv", user=admin, account=account, csv_mapping=mapping)
    assert (result.status, result.added) == ("imported", 1)
    account.refresh_from_db()
    assert CsvMapping.from_dict(account.csv_mapping) == mapping
    assert AuditEvent.objects.filter(action="account.csv_mapping_saved", object_id=str(account.pk)).exists()
    # the next file of that layout needs no mapping: the account's is used
    second = io.BytesIO(b"Datum;Betrag;Text\r\n02.03.2026;100,00;Einlage\r\n")
    again = statement_import(company, second, file_name="b.csv", user=admin, account=account)
    assert again.added == 1
    assert Transaction.objects.get(account=account, remittance="Einlage").amount == Decimal("100.00")


def test_pending_entries_of_a_final_statement_are_left_out_with_a_warning(company):
    pending = entry("70.00", status="pending", text="vorgemerkt")
    result = run(company, camt([entry("1.00"), pending], message="053"))
    assert (result.added, result.pending) == (1, 0)
    assert not PendingTransaction.objects.filter(company=company).exists()
    assert any("1 pending entry left out" in warning for warning in result.as_dict()["warnings"])
