"""Each page renders what it promises."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kassenwart.banking.models import Balance


def test_login_and_logout(member, client):
    """A member without an authenticator app: the password logs in (admins: test_two_factor_pages.py)."""
    page = client.get(reverse("login"))
    assert page.status_code == 200 and 'name="password"' in page.content.decode()
    response = client.post(reverse("login"), {"username": member.username, "password": "correct horse battery"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_stays_on_login(admin, client):
    response = client.post(reverse("login"), {"username": admin.username, "password": "nope"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_accounts_with_balances_in_one_query(company, db_rows, admin, client_for):
    from kassenwart.banking.selectors import account_overview

    for n in range(5):
        account = db_rows.account(company, name=f"Konto {n}")
        db_rows.balance(account, Balance.Kind.BOOKED, date(2026, 7, 20), "100.00")
        db_rows.balance(account, Balance.Kind.BOOKED, date(2026, 7, 21), f"{n}234.50")
        db_rows.balance(account, Balance.Kind.AVAILABLE, date(2026, 7, 21), "-50.00")
        for _ in range(n):
            db_rows.pending(account, "-1.00")
    with CaptureQueriesContext(connection) as queries:
        rows = list(account_overview(company))
    assert len(queries) == 1
    by_name = {a.name: a for a in rows}
    assert str(by_name["Konto 3"].booked_amount) == "3234.50"
    assert by_name["Konto 3"].booked_date == date(2026, 7, 21)
    assert str(by_name["Konto 3"].available_amount) == "-50.00"
    assert [by_name[f"Konto {n}"].pending_count for n in range(5)] == [0, 1, 2, 3, 4]

    text = client_for(admin).get(reverse("account_list")).content.decode()
    assert "3.234,50\u00a0EUR" in text
    assert '<span class="amount neg">-50,00\u00a0EUR</span>' in text
    assert "21.07.2026" in text


def test_account_detail(company, db_rows, admin, client_for):
    account = db_rows.account(company, name="Giro", iban="DE89370400440532013000")
    db_rows.transaction(account, "-12.00", counterparty_name="Bäckerei")
    db_rows.pending(account, "-3.00", counterparty_name="Kiosk")
    db_rows.balance(account, Balance.Kind.BOOKED, date(2026, 7, 21), "88.00")
    text = client_for(admin).get(reverse("account_detail", args=[account.pk])).content.decode()
    for expected in ("DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000", "Bäckerei", "Kiosk", "88,00"):
        assert expected in text


def test_transaction_detail_shows_every_field(company, db_rows, admin, client_for):
    account = db_rows.account(company, name="Giro")
    record = db_rows.statement_import(company, file_name="camt053-juli.xml")
    tx = db_rows.transaction(
        account,
        "-49.90",
        statement_import=record,
        counterparty_name="Stadtwerke Musterstadt",
        counterparty_iban="DE02120300000000202051",
        counterparty_bic="BYLADEM1001",
        ultimate_debtor="Filiale Nord",
        ultimate_creditor="Stadtwerke Abrechnung",
        remittance="Abschlag Strom\nKundennr 4711",
        structured_reference="RF18539007547034",
        end_to_end_id="E2E-STROM-07",
        mandate_id="MANDAT-0815",
        creditor_id="DE98ZZZ09999999999",
        bank_reference="BANKREF-1",
        transaction_code="PMNT/RDDT/ESDD",
        dk_code="105",
        purpose_code="ELEC",
        return_reason="MD06",
        reversal=True,
        batch_reference="SAMMLER-3",
        batch_size=3,
        value_date=date(2026, 7, 22),
    )
    text = client_for(admin).get(reverse("transaction_detail", args=[tx.pk])).content.decode()
    for expected in (
        "Stadtwerke Musterstadt", "DE02\u00a01203", "BYLADEM1001", "Filiale Nord", "Stadtwerke Abrechnung",
        "Kundennr 4711", "RF18539007547034", "E2E-STROM-07", "MANDAT-0815", "DE98ZZZ09999999999",
        "BANKREF-1", "PMNT/RDDT/ESDD", "105", "ELEC", "MD06", "SAMMLER-3", "camt053-juli.xml",
        "22.07.2026", "-49,90", reverse("statement_detail", args=[record.pk]),
    ):
        assert expected in text, expected


def test_pending_detail(company, db_rows, admin, client_for):
    pending = db_rows.pending(db_rows.account(company), "-3.00", counterparty_name="Kiosk", booking_date=None)
    response = client_for(admin).get(reverse("pending_detail", args=[pending.pk]))
    assert response.status_code == 200 and "Kiosk" in response.content.decode()


def test_invoice_detail(company, db_rows, admin, client_for):
    invoice = db_rows.invoice(company, "RE-2026-0100", "1190.00", open_amount="190.00", payment_reference="RF71RE20260100")
    text = client_for(admin).get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    for expected in ("RE-2026-0100", "Musterkunde GmbH", "K-1000", "1.190,00", "190,00", "RF71RE20260100"):
        assert expected in text, expected


def test_statement_detail_and_list(company, db_rows, admin, client_for):
    record = db_rows.statement_import(
        company,
        file_name="mt940-juli.sta",
        added=3,
        balance_ok=False,
        message="Statement 7 differs by 1.00",
        details={
            "statements": [{"account": "DE89370400440532013000", "statement_id": "7", "entries": 3,
                            "opening": "10.00", "closing": "20.00", "total": "9.00", "difference": "1.00"}],
            "warnings": ["line 12: odd date"],
        },
    )
    client = client_for(admin)
    text = client.get(reverse("statement_detail", args=[record.pk])).content.decode()
    for expected in ("mt940-juli.sta", "Statement 7 differs by 1.00", "line 12: odd date", "9,00", "badge bad"):
        assert expected in text, expected
    assert "mt940-juli.sta" in client.get(reverse("statement_list")).content.decode()


@pytest.mark.parametrize("name", ["home", "transaction_list", "statement_list", "invoice_list", "audit_log"])
def test_empty_pages_render(name, admin, client_for):
    assert client_for(admin).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["account_list", "transaction_list", "statement_list", "invoice_list", "audit_log"])
def test_lists_do_not_query_per_row(name, company, db_rows, admin, client_for):
    client = client_for(admin)

    def add_rows(n):
        account = db_rows.account(company, name=f"Konto {n}")
        record = db_rows.statement_import(company, created_by=admin)
        db_rows.balance(account, Balance.Kind.BOOKED, date(2026, 7, 21), "1.00")
        for _ in range(20):
            db_rows.transaction(account, statement_import=record)
            db_rows.pending(account, statement_import=record)
        for i in range(20):
            db_rows.invoice(company, f"RE-{n}-{i}")

    def queries() -> int:
        client.get(reverse(name))  # warm up: the session, and summaries kept on first read
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name)).status_code == 200
        return len(captured)

    add_rows(0)
    few = queries()
    for n in (1, 2):
        add_rows(n)
    assert queries() == few  # three times the accounts, statements, rows and invoices
    assert few <= 20
