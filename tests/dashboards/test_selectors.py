"""The home page's reads on a small hand-made book whose answers are worked out by hand:
two own accounts (a transfer between them), customers' payments and a return, invoices of
every age, transfers approved, accepted and waiting, a planned direct debit."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kassenwart.banking.models import Balance, BankAccount, StatementImport, Transaction
from kassenwart.dashboards import calc, selectors
from kassenwart.payments.models import Collection, Mandate, PaymentOrder, Transfer
from kassenwart.receivables.models import Customer, Invoice

D = Decimal
TODAY = date(2026, 12, 9)  # a Wednesday
BERLIN = ZoneInfo("Europe/Berlin")
GIRO, SAVINGS, CUSTOMER, SUPPLIER = ("DE02100000000000000001", "DE02100000000000000002",
                                     "DE89370400440532013000", "DE02120300000000202051")
State = PaymentOrder.State


@pytest.fixture
def book(company, admin, member):
    giro = BankAccount.objects.create(company=company, name="Giro", iban=GIRO)
    savings = BankAccount.objects.create(company=company, name="Tagesgeld", iban=SAVINGS)
    source = StatementImport.objects.create(company=company, file_name="a.xml", sha256="0" * 64, status="imported")
    rows = [
        (giro, "2025-12-31", "50.00", CUSTOMER, ""),  # before the 12 months
        (giro, "2026-01-05", "70.00", CUSTOMER, ""),
        (giro, "2026-11-10", "1000.00", CUSTOMER, ""),
        (giro, "2026-11-20", "-300.00", SUPPLIER, ""),
        (giro, "2026-11-25", "-2000.00", SAVINGS, ""),  # to our own savings account
        (savings, "2026-11-25", "2000.00", GIRO, ""),
        (giro, "2026-12-02", "500.00", CUSTOMER, ""),
        (giro, "2026-12-03", "-100.00", CUSTOMER, "AC04"),  # a debit came back
    ]
    for n, (account, day, amount, iban, reason) in enumerate(rows):
        Transaction.objects.create(company=company, account=account, booking_date=date.fromisoformat(day),
                                   amount=D(amount), currency="EUR", counterparty_iban=iban, return_reason=reason,
                                   statement_import=source, fingerprint=f"fp{n}")
    Balance.objects.create(account=giro, kind="booked", date=date(2026, 12, 8), amount=D("10000.00"), currency="EUR")
    Balance.objects.create(account=savings, kind="booked", date=date(2026, 12, 1), amount=D("5000.00"),
                           currency="EUR")

    customer = Customer.objects.create(company=company, number="K-1", name="Kunde")
    invoices = [("A", "2026-12-20", "400.00", "400.00"), ("B", "2026-12-09", "100.00", "100.00"),
                ("C", "2026-11-30", "200.00", "200.00"), ("D", "2026-11-09", "80.00", "50.00"),
                ("E", "2026-10-20", "300.00", "300.00"), ("F", "2026-09-01", "1000.00", "1000.00"),
                ("G", "2026-12-15", "90.00", "0.00"), ("H", None, "10.00", "10.00"),
                ("I", "2026-12-15", "250.00", "250.00")]
    made = {}
    for number, due, amount, open_amount in invoices:
        status = ("paid" if open_amount == "0.00" else "open" if amount == open_amount else "partially_paid")
        made[number] = Invoice.objects.create(
            company=company, customer=customer, number=number, amount=D(amount), open_amount=D(open_amount),
            due_date=due and date.fromisoformat(due), status=status)
    mandate = Mandate.objects.create(company=company, customer=customer, reference="M-1", creditor_id="DE98ZZZ09999999999",
                                     signed_on=date(2026, 1, 1), debtor_name="Kunde", iban=CUSTOMER)
    Collection.objects.create(company=company, mandate=mandate, invoice=made["I"], account=giro, amount=D("250.00"),
                              due_date=date(2026, 12, 18), drafted_by=member)

    def order(state, requested, amounts, *, drafted_by=member, finished=None, kind="transfer"):
        made = PaymentOrder.objects.create(
            company=company, account=giro, state=state, requested_date=date.fromisoformat(requested), created_by=drafted_by,
            kind=kind, scheme="CORE" if kind == "debit" else "",
            finished_at=finished and datetime.fromisoformat(finished).replace(tzinfo=BERLIN))
        for position, amount in enumerate(amounts, start=1):
            if kind == "debit":
                Collection.objects.create(company=company, mandate=mandate, account=giro, amount=D(amount),
                                          due_date=made.requested_date, order=made, position=position,
                                          state="collected", drafted_by=drafted_by)
            else:
                Transfer.objects.create(order=made, drafted_by=drafted_by, position=position, payee_name="Lieferant",
                                        iban=SUPPLIER, amount=D(amount))
        return made

    order(State.APPROVED, "2026-12-12", ["700.00"])
    order(State.PENDING_APPROVAL, "2026-12-14", ["999.00", "1.00"])  # not approved: not in the forecast
    order(State.PENDING_APPROVAL, "2026-12-14", ["5.00"], drafted_by=admin)
    order(State.ACCEPTED, "2026-12-05", ["123.00"], finished="2026-12-05T10:00")  # executed, on the statement
    order(State.ACCEPTED, "2026-12-22", ["50.00"], finished="2026-12-08T23:30")  # at the bank for its date
    order(State.BOOKED, "2026-11-15", ["10.00", "20.00"], finished="2026-11-14T09:00")
    order(State.BOOKED, "2026-11-20", ["60.00"], finished="2026-11-18T09:00", kind="debit")
    order(State.ACCEPTED, "2026-10-20", ["40.00"], finished="2026-10-31T23:30")  # October: neither month
    return giro, savings


def test_money_in_and_out_per_month_leaves_transfers_between_own_accounts_out(company, book):
    giro, savings = book
    months = selectors.money_in_out(company, TODAY)
    assert [m.month for m in months] == calc.month_starts(TODAY, 12)
    flows = {m.month: (m.incoming, m.outgoing) for m in months if m.incoming or m.outgoing}
    assert flows == {date(2026, 1, 1): (D("70.00"), D("0.00")),
                     date(2026, 11, 1): (D("1000.00"), D("-300.00")),
                     date(2026, 12, 1): (D("500.00"), D("-100.00"))}
    assert not any(m.incoming or m.outgoing for m in selectors.money_in_out(company, TODAY, account_id=savings.pk))
    three = selectors.money_in_out(company, TODAY, months=3, account_id=giro.pk)
    assert [(m.month, m.net) for m in three] == [(date(2026, 10, 1), D("0.00")), (date(2026, 11, 1), D("700.00")),
                                                (date(2026, 12, 1), D("400.00"))]


def test_receivables_by_age(company, book):
    buckets = selectors.receivables_by_age(company, TODAY)
    assert [(b.key, b.count, b.total) for b in buckets] == [
        ("not_due", 4, D("760.00")), ("1_30", 2, D("250.00")), ("31_60", 1, D("300.00")), ("over_60", 1, D("1000.00"))]


def test_balances_total_and_a_warning_when_older_than_two_business_days(company, book):
    found = selectors.balances(company, TODAY)
    assert found.totals == {"EUR": D("15000.00")} and found.main_currency == "EUR"
    stale = {a.name: a.stale for a in found.accounts}
    assert stale == {"Giro": False, "Tagesgeld": True}  # 8 Dec: 1 business day; 1 Dec: 6


def test_cash_forecast_from_the_balances_expected_money_in_and_approved_out(company, book):
    accounts = selectors.balances(company, TODAY).accounts
    forecast = selectors.cash_forecast(company, TODAY, accounts, "EUR")
    by_day = {p.day: p for p in forecast.points}
    # 30 days back: Giro 10.000 less what it booked after 9 Nov (-900), Tagesgeld 5.000 less 2.000.
    assert forecast.points[0].day == date(2026, 11, 9) and forecast.points[0].balance == D("13900.00")
    assert by_day[TODAY].balance == D("15000.00") and not by_day[TODAY].expected
    expected = {date(2026, 12, 10): "15100.00",  # B due today: tomorrow at the latest
                date(2026, 12, 12): "14400.00",  # approved transfer
                date(2026, 12, 18): "14650.00",  # the planned debit of invoice I (not I's due date too)
                date(2026, 12, 20): "15050.00",  # invoice A
                date(2026, 12, 22): "15000.00",  # accepted transfer dated 22 Dec
                date(2027, 1, 8): "15000.00"}
    assert {day: by_day[day].balance for day in expected} == {day: D(v) for day, v in expected.items()}
    assert by_day[date(2027, 1, 8)].expected and forecast.points[-1].day == date(2027, 1, 8)
    assert (forecast.incoming, forecast.outgoing) == (D("750.00"), D("-750.00"))


def test_executed_transfers_and_debits_this_month_and_last_with_returns(company, book):
    last, this = selectors.executed_payments(company, TODAY)
    assert last.month == date(2026, 11, 1) and this.month == date(2026, 12, 1)
    assert (last.transfers.count, last.transfers.total) == (2, D("30.00"))
    assert (last.debits.count, last.debits.total) == (1, D("60.00"))
    assert (last.returns.count, this.returns.count, this.returns.total) == (0, 1, D("-100.00"))
    assert (this.transfers.count, this.transfers.total) == (2, D("173.00"))


def test_only_orders_someone_else_drafted_wait_for_my_approval(company, book, admin, member):
    mine = selectors.todos(company, admin, approves=True, maps=True, drafts_debits=True, manages_connections=True)
    assert mine.approvals_count == 1 and mine.approvals[0].transfer_total == D("1000.00")
    theirs = selectors.todos(company, member, approves=False, maps=True, drafts_debits=True, manages_connections=False)
    assert theirs.approvals_count == 0 and not theirs.approvals


def _import(company, account, amount, *, pk=None, tx_id=None, iban="DE02300000000000000003"):
    """A statement import of one booking on 4 December, as the import commits it."""
    source = StatementImport.objects.create(pk=pk, company=company, file_name="b.xml", sha256=f"{pk or 1:064}",
                                            status="imported")
    Transaction.objects.create(id=tx_id, company=company, account=account, booking_date=date(2026, 12, 4),
                               amount=D(amount), currency="EUR", counterparty_iban=iban, statement_import=source,
                               fingerprint=f"later{pk}")
    return source


def test_the_kept_sums_take_new_imports_and_a_new_own_account_in(company, book):
    giro, savings = book
    assert selectors.money_in_out(company, TODAY)[-1].incoming == D("500.00")
    _import(company, giro, "25.00")
    assert selectors.money_in_out(company, TODAY)[-1].incoming == D("525.00")
    BankAccount.objects.create(company=company, name="Festgeld", iban="DE02300000000000000003")
    assert selectors.money_in_out(company, TODAY)[-1].incoming == D("500.00")  # now a transfer of our own


def test_an_import_that_commits_after_a_newer_one_is_summed_too(company, book):
    """On PostgreSQL two imports may commit in the other order than their ids were given:
    the one with the smaller ids must still be counted after the newer one was summed."""
    giro, _savings = book
    newest = Transaction.objects.order_by("-id").first().id
    first = StatementImport.objects.order_by("-id").first().pk
    _import(company, giro, "25.00", pk=first + 10, tx_id=newest + 10)
    assert selectors.money_in_out(company, TODAY)[-1].incoming == D("525.00")
    _import(company, giro, "7.00", pk=first + 5, tx_id=newest + 5, iban="DE02300000000000000004")  # committed later
    assert selectors.money_in_out(company, TODAY)[-1].incoming == D("532.00")


def test_the_worker_sums_new_imports_so_that_the_home_page_reads_no_transaction(company, book):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kassenwart.dashboards.tasks import enqueue_due_summaries, summary_refresh_task

    giro, _savings = book
    assert enqueue_due_summaries() == 1  # never summed
    summary_refresh_task.call(company.pk)
    assert enqueue_due_summaries() == 0
    _import(company, giro, "25.00")
    assert enqueue_due_summaries() == 1
    summary_refresh_task.call(company.pk)
    with CaptureQueriesContext(connection) as queries:
        assert selectors.money_in_out(company, TODAY)[-1].incoming == D("525.00")
    assert not [q["sql"] for q in queries if "banking_transaction" in q["sql"]]
