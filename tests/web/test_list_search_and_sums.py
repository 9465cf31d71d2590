"""The transaction list's text search (trigram index), amounts typed into the search box and
the count and sums above the list (kept daily sums) find exactly what a plain reading of
every row finds, on either database."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from kassenwart.banking.models import Transaction
from kassenwart.banking.selectors import CREDIT, DEBIT, transaction_search
from kassenwart.dashboards.monthly import booked_sums
from kassenwart.web.amounts import amount_range
from kassenwart.web.lists import currency_sums

NAMES = ["Hans MÜLLER GmbH", "Bäckerei Krause e.K.", "krause logistik KG", "Straße & Co 100%", "O'Neil_Trading",
         'Firma "Anführung"', "Zinsen", "Kunde Eins GmbH"]
REMITTANCES = ["RE-2026-0042 danke", "Rechnung 1897 vom 3.4.", "Gehalt Mai", "Skonto 2% abgezogen",
               "Miete\u00a0Büro", "Beitrag 18974", ""]
AMOUNTS = ["1897.48", "-1897.48", "1897.00", "1897.99", "1898.00", "18974.00", "-50.00", "0.00", "12.34"]


@pytest.fixture
def book(company, db_rows):
    """Two accounts (one in CHF), two imports, rows over two years, some without booking date."""
    rng = random.Random("list search and sums")
    euro = db_rows.account(company, name="Giro", iban="DE02120300000000202051")
    franc = db_rows.account(company, name="Franken", currency="CHF")
    first, second = db_rows.statement_import(company), db_rows.statement_import(company)
    for n in range(160):
        account = euro if n % 4 else franc
        db_rows.transaction(
            account, rng.choice(AMOUNTS), statement_import=first if n < 100 else second,
            counterparty_name=rng.choice(NAMES), remittance=rng.choice(REMITTANCES),
            counterparty_iban=rng.choice(["DE89370400440532013000", "AT611904300234573201", ""]),
            end_to_end_id=rng.choice(["E2E-4711", "NOTPROVIDED", ""]),
            booking_date=None if n % 17 == 0 else date(2025, 1, 1) + timedelta(days=rng.randrange(700)))
    return euro, franc


def _plain(company, text):
    """What a reading of every row finds: `text` (or, without spaces, an IBAN) in a column, any case."""
    wanted = [text.casefold(), text.replace(" ", "").casefold()]
    columns = ("remittance", "counterparty_name", "ultimate_debtor", "ultimate_creditor", "end_to_end_id",
               "structured_reference", "counterparty_iban")
    found = set()
    for tx in Transaction.objects.filter(company=company):
        if any(w in getattr(tx, column).casefold() for column in columns for w in wanted if w):
            found.add(tx.pk)
    return found


@pytest.mark.parametrize("text", ["müller", "MÜLLER", "krause", "KRAUSE LOG", "re-2026-00", "100%", "_Trading",
                                  '"Anführung"', "o'neil", "2% abg", "DE89 3704 0044", "at61", "e2e-47",
                                  "Miete\u00a0B", "nirgends", "ße & C"])
def test_a_text_search_finds_what_every_row_read_finds(book, company, text):
    found = set(transaction_search(company, text=text).values_list("pk", flat=True))
    assert found == _plain(company, text)
    assert found or text == "nirgends"


def test_a_row_added_later_is_found(book, company, db_rows):
    euro, _franc = book
    added = db_rows.transaction(euro, "3.00", counterparty_name="Neu Hinzugekommen AG")
    assert list(transaction_search(company, text="hinzugekommen").values_list("pk", flat=True)) == [added.pk]


def test_a_text_search_stays_in_its_company(book, company, db_rows, make_user):
    from kassenwart.companies.services import company_create

    other = company_create("Andere GmbH", via="test")
    db_rows.transaction(db_rows.account(other), "1.00", counterparty_name="Hans Müller GmbH")
    assert set(transaction_search(company, text="müller").values_list("pk", flat=True)) == _plain(company, "müller")


@pytest.mark.parametrize("text", ["1897", "1.897,48", "1897,48", "1897.48", "-1897,48", "1.897", "18974"])
def test_an_amount_in_the_search_box_finds_those_amounts_and_the_text(book, company, text):
    found = set(transaction_search(company, text=text, amount=amount_range(text)).values_list("pk", flat=True))
    span = amount_range(text)
    by_amount = {tx.pk for tx in Transaction.objects.filter(company=company)
                 if span.low <= tx.amount <= span.high or (not span.negative and span.low <= -tx.amount <= span.high)}
    assert by_amount
    assert found == by_amount | _plain(company, text)


def _filters(euro):
    yield {}
    yield {"account_id": euro.pk}
    yield {"direction": CREDIT}
    yield {"direction": DEBIT, "account_id": euro.pk}
    yield {"date_from": date(2025, 6, 1)}
    yield {"date_from": date(2025, 6, 1), "date_to": date(2026, 1, 31), "direction": CREDIT}
    yield {"date_to": date(2025, 3, 31), "account_id": euro.pk}


def test_the_kept_sums_are_the_sums_of_the_rows(book, company, db_rows):
    euro, _franc = book
    for filters in _filters(euro):
        kept = [(s.currency, s.count, s.total) for s in booked_sums(company, **filters)]
        rows = [(s.currency, s.count, s.total) for s in currency_sums(transaction_search(company, **filters))]
        assert kept == rows, filters
    # an import committed after the sums were kept is added on the next read
    later = db_rows.statement_import(company)
    db_rows.transaction(euro, "1000.01", statement_import=later, booking_date=date(2025, 7, 1))
    db_rows.transaction(euro, "-0.01", statement_import=later, booking_date=None)
    for filters in _filters(euro):
        kept = [(s.currency, s.count, s.total) for s in booked_sums(company, **filters)]
        rows = [(s.currency, s.count, s.total) for s in currency_sums(transaction_search(company, **filters))]
        assert kept == rows, filters


@pytest.fixture
def matches(book, company):
    """Every third payment received matched, one of them in part; every fifth of those open
    again (undone). Returns the matched ones. The states are written here, so the kept days
    are summed anew (the services keep them: tests/reconciliation/test_matched_days.py)."""
    from kassenwart.reconciliation import matched_days
    from kassenwart.reconciliation.models import TransactionState

    credits = Transaction.objects.filter(company=company, amount__gt=0).order_by("pk")
    for n, tx in enumerate(credits[::3]):
        status = "open" if n % 5 == 4 else "partially_matched" if n == 1 else "matched"
        TransactionState.objects.create(company=company, transaction=tx, status=status)
    matched_days.rebuild(company)
    return set(TransactionState.objects.filter(company=company, status__in=matched_days.TAKEN)
               .values_list("transaction_id", flat=True))


def _in_2025_h2(tx) -> bool:
    return tx.booking_date is not None and date(2025, 6, 1) <= tx.booking_date <= date(2025, 12, 31)


# Each query of the list, and which rows a plain reading finds for it (active: the payments
# matched in full or in part).
LIST_QUERIES = {
    "": lambda tx, company, active: True,
    "?direction=credit": lambda tx, company, active: tx.amount > 0,
    "?date_from=2025-06-01&date_to=2025-12-31": lambda tx, company, active: _in_2025_h2(tx),
    "?q=krause": lambda tx, company, active: tx.pk in _plain(company, "krause"),
    "?q=1.897,48": lambda tx, company, active: abs(tx.amount) == Decimal("1897.48") or tx.pk in _plain(company, "1.897,48"),
    "?amount_from=0&amount_to=1897.48": lambda tx, company, active: Decimal("0") <= tx.amount <= Decimal("1897.48"),
    "?matched=matched": lambda tx, company, active: tx.pk in active,
    "?matched=unmatched": lambda tx, company, active: tx.pk not in active,
    "?matched=unmatched&direction=debit": lambda tx, company, active: tx.amount < 0 and tx.pk not in active,
    "?matched=matched&date_from=2025-06-01":
        lambda tx, company, active: tx.pk in active and tx.booking_date is not None and tx.booking_date >= date(2025, 6, 1),
    "?matched=unmatched&q=krause": lambda tx, company, active: tx.pk not in active and tx.pk in _plain(company, "krause"),
}


@pytest.mark.parametrize("query", LIST_QUERIES)
def test_the_list_shows_the_count_and_sums_of_its_rows(book, matches, company, admin, client_for, query):
    response = client_for(admin).get(reverse("transaction_list") + query)
    assert response.status_code == 200
    rows = [tx for tx in Transaction.objects.filter(company=company) if LIST_QUERIES[query](tx, company, matches)]
    assert rows
    expected = {}
    for tx in rows:
        count, total = expected.get(tx.currency, (0, Decimal("0.00")))
        expected[tx.currency] = (count + 1, total + tx.amount)
    assert {s.currency: (s.count, s.total) for s in response.context["sums"]} == expected
    assert response.context["page"].paginator.count == len(rows)


def test_a_download_starts_with_a_small_piece_then_goes_on_in_chunks():
    """The first rows leave before a whole chunk is written (the time to the first byte of a
    million-row export), and every row leaves once, in order."""
    from kassenwart.web.lists import CHUNK, FIRST_PIECE, PLAIN, Column, csv_lines

    rows = [(n,) for n in range(FIRST_PIECE + CHUNK + 7)]
    pieces = list(csv_lines([Column("n", "number")], iter(rows), PLAIN))
    assert [piece.count("\n") for piece in pieces] == [1, FIRST_PIECE, CHUNK, 7]
    assert "".join(pieces).split()[1:] == [str(n) for n, in rows]
