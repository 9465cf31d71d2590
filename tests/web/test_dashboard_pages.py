"""The home page: what each role sees and may act on, the layout a person chooses, the
number of queries whatever the number of rows."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kassenwart.banking.models import Balance, BankConnection
from kassenwart.core.messages import message
from kassenwart.dashboards.models import DashboardLayout
from kassenwart.payments.models import PaymentOrder, Transfer


@pytest.fixture
def approver(company, make_user):
    return make_user(company, "approver")


@pytest.fixture
def book(company, db_rows, member):
    today = timezone.localdate()
    giro = db_rows.account(company, name="Giro")
    savings = db_rows.account(company, name="Tagesgeld")
    db_rows.balance(giro, Balance.Kind.BOOKED, today, "1234.56")
    db_rows.balance(savings, Balance.Kind.BOOKED, today - timedelta(days=30), "1000.00")
    db_rows.transaction(giro, "500.00", booking_date=today, counterparty_iban="DE89370400440532013000")
    db_rows.transaction(giro, "-200.00", booking_date=today, counterparty_iban=savings.iban)  # own: left out
    db_rows.invoice(company, "RE-1", "300.00", due_date=today - timedelta(days=45))
    order = PaymentOrder.objects.create(company=company, account=giro, state=PaymentOrder.State.PENDING_APPROVAL,
                                        requested_date=today, created_by=member)
    Transfer.objects.create(order=order, drafted_by=member, payee_name="Stahlhandel Nord",
                            iban="DE02120300000000202051", amount=Decimal("75.00"))
    BankConnection.objects.create(company=company, kind="fints", name="Hausbank", state="error",
                                  last_error=message("banking.fints.tan_asked"))  # stored by an English worker
    return order


def test_the_approver_sees_the_total_in_german_and_the_order_waiting_for_them(book, approver, client_for):
    text = client_for(approver).get(reverse("home")).content.decode()
    assert "2.234,56\u00a0EUR" in text  # 1.234,56 + 1.000,00
    assert "älter als zwei Geschäftstage" in text  # Tagesgeld's balance is a month old
    assert reverse("payment_detail", args=[book.pk]) in text and "75,00\u00a0EUR" in text
    assert "Hausbank" not in text  # connections are the admin's
    assert "vendor/chart.umd.min.js" in text and 'id="chart-forecast"' in text
    assert "31–60 Tage überfällig" in text and "300,00\u00a0EUR" in text
    # nothing approved to go out, the one invoice overdue: in 30 days as today
    assert 'In 30 Tagen</dt><dd><span class="amount">2.234,56\u00a0EUR</span>' in text


def test_money_is_written_one_way_on_the_home_page_and_the_other_pages_in_both_languages(book, approver, client_for):
    from django.conf import settings
    from django.utils import translation

    from kassenwart.web.templatetags.kassenwart import money

    with translation.override("de"):
        assert money(Decimal("-1234.5"), "EUR") == "-1.234,50\u00a0EUR"
    with translation.override("en"):
        assert money(Decimal("-1234.5"), "EUR") == "-1,234.50\u00a0EUR"
    client = client_for(approver)
    for language, total, order in (("de", "2.234,56\u00a0EUR", "75,00\u00a0EUR"),
                                   ("en", "2,234.56\u00a0EUR", "75.00\u00a0EUR")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        home = client.get(reverse("home")).content.decode()
        payments = client.get(reverse("payment_list")).content.decode()
        assert total in home and order in home and order in payments, language
        assert "€" not in home + payments, language


def test_the_member_sees_no_approvals_the_admin_the_failed_sync(book, member, admin, client_for):
    text = client_for(member).get(reverse("home")).content.decode()
    assert reverse("payment_detail", args=[book.pk]) not in text  # they drafted it, and may not approve
    assert "widget-forecast" not in text  # not in a member's default
    text = client_for(admin).get(reverse("home")).content.decode()
    assert "Synchronisierung von Hausbank fehlgeschlagen" in text and "Die Bank verlangt eine TAN." in text
    assert reverse("payment_detail", args=[book.pk]) in text


def test_money_in_leaves_the_transfer_to_the_own_account_out(book, admin, client_for):
    text = client_for(admin).get(reverse("home")).content.decode()
    assert '"incoming": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 500.0]' in text
    assert '"outgoing": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]' in text


def test_a_person_chooses_widgets_order_and_period_and_resets_to_the_default(company, admin, client_for):
    client = client_for(admin)
    response = client.post(reverse("dashboard_customize"), {
        "show_receivables": "1", "position_receivables": "1", "show_balances": "1", "position_balances": "2",
        "show_in_out": "1", "position_in_out": "3", "months": "3"})
    assert response.status_code == 302
    saved = DashboardLayout.objects.get(company=company, user=admin)
    assert (saved.widgets, saved.months) == (["receivables", "balances", "in_out"], 3)
    text = client.get(reverse("home")).content.decode()
    assert text.index('id="widget-receivables"') < text.index('id="widget-balances"') < text.index('id="widget-in_out"')
    assert "widget-todos" not in text and "Letzte 3 Monate" in text
    client.post(reverse("dashboard_customize"), {"reset": "1"})
    assert not DashboardLayout.objects.filter(company=company, user=admin).exists()
    assert 'id="widget-todos"' in client.get(reverse("home")).content.decode()


def test_a_widget_moved_to_a_taken_position_goes_before_the_one_there(company, admin, client_for):
    client = client_for(admin)
    form = {f"show_{key}": "1" for key in ("todos", "balances", "forecast")}
    form.update(position_todos="1", was_todos="1", position_balances="2", was_balances="2",
                position_forecast="1", was_forecast="3", months="12")
    client.post(reverse("dashboard_customize"), form)
    assert DashboardLayout.objects.get(company=company, user=admin).widgets == ["forecast", "todos", "balances"]


def test_home_queries_do_not_grow_with_rows(company, db_rows, admin, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(admin)

    def count() -> int:
        client.get(reverse("home"))  # warm up
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
        return len(queries)

    account = db_rows.account(company)
    db_rows.balance(account, Balance.Kind.BOOKED, date.today(), "1.00")
    few = count()
    for n in range(30):
        db_rows.transaction(account, booking_date=date.today() - timedelta(days=n * 10))
        db_rows.invoice(company, f"RE-{n}", due_date=date.today() - timedelta(days=n * 3))
    assert count() == few <= 35


def test_the_chart_library_comes_from_npm_into_the_static_files():
    from django.contrib.staticfiles import finders

    found = finders.find("vendor/chart.umd.min.js")
    assert found, "Chart.js is missing: run `npm install` (it copies it into static/vendor)"
    with open(found, encoding="utf-8") as library:
        assert "Chart.js v4." in library.read(400)
