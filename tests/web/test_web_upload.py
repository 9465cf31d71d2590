"""Uploading statement files through the page: the service decides, the page reports."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kassenwart.banking.models import BankAccount, StatementImport, Transaction
from kassenwart.core.models import AuditEvent

IBAN = "DE89370400440532013000"


def _upload(client, *files):
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    return client.post(reverse("statement_upload"), {"files": uploads}, follow=True)


def _results(response):
    assert response.status_code == 200
    assert response.redirect_chain and reverse("statement_result") in response.redirect_chain[-1][0]
    return response.context["imports"]


def test_admin_uploads_a_camt_file_for_a_new_account(company, admin, client_for, camt_file):
    client = client_for(admin)
    response = _upload(client, ("juli.xml", camt_file()))
    (record,) = _results(response)
    assert record.status == StatementImport.Status.IMPORTED
    assert (record.added, record.duplicates, record.balance_ok) == (1, 0, True)
    assert record.source == "upload" and record.created_by == admin
    text = response.content.decode()
    assert "importiert" in text and "1 Umsatz neu" in text and "Salden stimmen" in text
    assert BankAccount.objects.filter(company=company, iban=IBAN).exists()
    assert AuditEvent.objects.filter(company=company, action="statement.imported", actor=admin).exists()

    listing = client.get(reverse("transaction_list") + "?q=1.234,56").content.decode()
    assert "Kunde Eins GmbH" in listing
    assert "juli.xml" in client.get(reverse("statement_list")).content.decode()


def test_the_same_file_again_is_already_imported(company, admin, client_for, camt_file):
    client = client_for(admin)
    _upload(client, ("juli.xml", camt_file()))
    response = _upload(client, ("juli-nochmal.xml", camt_file()))
    (record,) = _results(response)
    assert record.status == StatementImport.Status.DUPLICATE
    assert (record.added, record.duplicates) == (0, 1)
    assert "bereits importiert" in response.content.decode()
    assert Transaction.objects.filter(company=company).count() == 1


def test_member_may_not_add_an_account_but_may_import_into_one(company, member, admin, client_for, camt_file, db_rows):
    client = client_for(member)
    (refused,) = _results(_upload(client, ("juli.xml", camt_file())))
    assert refused.status == StatementImport.Status.REFUSED
    assert "Admin" in refused.message
    assert not BankAccount.objects.filter(company=company).exists()

    db_rows.account(company, iban=IBAN)
    (record,) = _results(_upload(client, ("juli.xml", camt_file())))
    assert record.status == StatementImport.Status.IMPORTED and record.added == 1


def test_several_files_at_once_each_with_its_result(company, admin, client_for, camt_file, mt940_file):
    client = client_for(admin)
    response = _upload(
        client,
        ("a.xml", camt_file()),
        ("b.sta", mt940_file()),
        ("kaputt.txt", b"\x00\x01 nothing to see"),
        ("schief.xml", camt_file(statement_id="2", closing_error="1.00",
                                 entries=(("5.00", "DBIT", "Kiosk", "DE02120300000000202051", "Zeitung"),))),
    )
    records = _results(response)
    assert [r.file_name for r in records] == ["a.xml", "b.sta", "kaputt.txt", "schief.xml"]
    assert [r.status for r in records] == ["imported", "imported", "refused", "imported"]
    assert records[3].balance_ok is False
    text = response.content.decode()
    assert "abgelehnt" in text and "Saldendifferenz" in text


def test_upload_without_a_file_shows_the_form_again(admin, client_for):
    response = client_for(admin).post(reverse("statement_upload"), {})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


def test_result_page_of_an_import_links_its_transactions(company, admin, client_for, camt_file):
    client = client_for(admin)
    (record,) = _results(_upload(client, ("juli.xml", camt_file())))
    listing = client.get(reverse("transaction_list") + f"?statement={record.pk}")
    assert [t.counterparty_name for t in listing.context["page"].object_list] == ["Kunde Eins GmbH"]
    tx = listing.context["page"].object_list[0]
    detail = client.get(reverse("transaction_detail", args=[tx.pk])).content.decode()
    assert "E2E-0001" in detail and "166" in detail and "juli.xml" in detail


@pytest.mark.parametrize("method", ["get", "put"])
def test_upload_takes_only_post(method, admin, client_for):
    assert getattr(client_for(admin), method)(reverse("statement_upload")).status_code == 405
