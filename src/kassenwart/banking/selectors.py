"""Reads of the banking app. Every function takes the company first and never leaves it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from kassenwart.banking import text_search
from kassenwart.banking.models import (
    Balance,
    BankAccount,
    PendingTransaction,
    StatementImport,
    Transaction,
)
from kassenwart.companies.models import Company
from kassenwart.core.money import AmountRange, quantize

CREDIT, DEBIT = "credit", "debit"

# The orderings a list may ask for, each ending in the id so that pages never overlap. The
# date orderings follow the index (company, -booking_date, -id), the amount ones the index
# (company, amount, id), read backwards for the largest first.
TRANSACTION_ORDERINGS = {
    "-date": (F("booking_date").desc(nulls_last=True), "-id"),
    "date": (F("booking_date").asc(nulls_first=True), "id"),
    "-amount": ("-amount", "-id"),
    "amount": ("amount", "id"),
}
NEWEST_FIRST = "-date"


def _latest_balance(kind: str, field: str) -> Subquery:
    newest = Balance.objects.filter(account=OuterRef("pk"), kind=kind).order_by("-date", "-id")
    return Subquery(newest.values(field)[:1])


def account_overview(company: Company) -> list[BankAccount]:
    """The company's accounts, each with its latest booked and available balance and the
    number of pending transactions, in one query.

    Annotations: booked_amount, booked_date, available_amount, available_date, pending_count.
    """
    accounts = list(_account_overview(company))
    for account in accounts:
        # SQLite hands a subquery's decimal back without its scale.
        for name in ("booked_amount", "available_amount"):
            if getattr(account, name) is not None:
                setattr(account, name, quantize(getattr(account, name)))
    return accounts


def accounts_with_balances(company: Company) -> QuerySet[BankAccount]:
    """account_overview's accounts as a query (for paging); amounts as the database gives them
    (SQLite: without their scale, see account_overview)."""
    return _account_overview(company)


def balances_of(company: Company, account: BankAccount) -> QuerySet[Balance]:
    """Every balance reported for the company's account."""
    return Balance.objects.filter(account__company=company, account=account)


def _account_overview(company: Company) -> QuerySet[BankAccount]:
    pending = (
        PendingTransaction.objects.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(n=Count("id"))
        .values("n")
    )
    return BankAccount.objects.filter(company=company).annotate(
        booked_amount=_latest_balance(Balance.Kind.BOOKED, "amount"),
        booked_date=_latest_balance(Balance.Kind.BOOKED, "date"),
        available_amount=_latest_balance(Balance.Kind.AVAILABLE, "amount"),
        available_date=_latest_balance(Balance.Kind.AVAILABLE, "date"),
        pending_count=Coalesce(Subquery(pending, output_field=IntegerField()), Value(0)),
    )


def account_choices(company: Company) -> list[tuple[int, str]]:
    """(id, label) of the company's accounts, for a filter."""
    return [
        (pk, f"{name} ({iban or number})" if (iban or number) else name)
        for pk, name, iban, number in BankAccount.objects.filter(company=company).values_list(
            "pk", "name", "iban", "account_number"
        )
    ]


def company_account(company: Company, pk: int | None) -> BankAccount | None:
    """The company's account with this id (None for none)."""
    return None if pk is None else BankAccount.objects.filter(company=company, pk=pk).first()


def balance_history(company: Company, account: BankAccount, limit: int = 30) -> QuerySet[Balance]:
    return Balance.objects.filter(account__company=company, account=account).order_by(
        "-date", "kind"
    )[:limit]


def _texts(text: str) -> list[str]:
    """What a search for `text` looks for: itself and, written without spaces, an IBAN."""
    compact = text.replace(" ", "")
    return [text] + ([compact] if compact and compact != text else [])


def _amounts(amount: AmountRange | None) -> list[tuple[Decimal, Decimal]]:
    """"1.234,56" finds money in and out alike; "-1.234,56" only money out."""
    if amount is None:
        return []
    return [(amount.low, amount.high)] + ([] if amount.negative else [(-amount.high, -amount.low)])


def _matching(
    queryset: QuerySet,
    *,
    text: str,
    amount: AmountRange | None,
    account_id: int | None,
    direction: str | None,
) -> QuerySet:
    if account_id is not None:
        queryset = queryset.filter(account_id=account_id)
    if direction == CREDIT:
        queryset = queryset.filter(amount__gt=0)
    elif direction == DEBIT:
        queryset = queryset.filter(amount__lt=0)
    text = text.strip()
    if text:
        found = Q()
        for column in text_search.COLUMNS:
            for t in _texts(text) if column == "counterparty_iban" else [text]:
                found |= Q(**{f"{column}__icontains": t})
        for low, high in _amounts(amount):
            found |= Q(amount__range=(low, high))
        queryset = queryset.filter(found)
    return queryset


def transaction_search(
    company: Company,
    *,
    text: str = "",
    amount: AmountRange | None = None,
    account_id: int | None = None,
    direction: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    statement_import_id: int | None = None,
    amount_from: Decimal | None = None,
    amount_to: Decimal | None = None,
    order: str = NEWEST_FIRST,
) -> QuerySet[Transaction]:
    """Booked transactions, newest first unless `order` names another of TRANSACTION_ORDERINGS.

    `text` is looked for in remittance, names, references and the counterparty IBAN; when
    the caller could read it as an `amount`, transactions of exactly that amount match too.
    `amount_from` and `amount_to` bound the signed amount (money out is negative).
    """
    texts = _texts(text.strip())
    if text.strip() and all(len(t) >= text_search.MIN_LENGTH for t in texts):
        # text and amount answered by their indexes (text_search.py), the company kept there
        found = Transaction.objects.filter(text_search.matching(company.pk, texts, _amounts(amount)))
        text, amount = "", None
    else:
        found = Transaction.objects.filter(company=company)
    queryset = _matching(found, text=text, amount=amount, account_id=account_id, direction=direction)
    if date_from is not None:
        queryset = queryset.filter(booking_date__gte=date_from)
    if date_to is not None:
        queryset = queryset.filter(booking_date__lte=date_to)
    if statement_import_id is not None:
        queryset = queryset.filter(statement_import_id=statement_import_id)
    if amount_from is not None:
        queryset = queryset.filter(amount__gte=amount_from)
    if amount_to is not None:
        queryset = queryset.filter(amount__lte=amount_to)
    ordering = TRANSACTION_ORDERINGS.get(order, TRANSACTION_ORDERINGS[NEWEST_FIRST])
    return queryset.select_related("account").order_by(*ordering)


def days_and_undated(days: QuerySet, undated: QuerySet[Transaction], *, account_id: int | None = None,
                     date_from: date | None = None, date_to: date | None = None) -> tuple[QuerySet, QuerySet]:
    """Sums kept per account and booking day (rows with `account_id` and `day`) and the
    transactions they leave out for having no booking date, filtered alike: of an account (or
    all), booked between the dates (both included); those without a date only when no date
    is asked for. The kept sums of the transaction list (dashboards.monthly, matched_days)."""
    if date_from is not None or date_to is not None:
        undated = undated.none()
    if account_id is not None:
        days, undated = days.filter(account_id=account_id), undated.filter(account_id=account_id)
    if date_from is not None:
        days = days.filter(day__gte=date_from)
    if date_to is not None:
        days = days.filter(day__lte=date_to)
    return days, undated.filter(booking_date__isnull=True)


def pending_search(
    company: Company,
    *,
    text: str = "",
    amount: AmountRange | None = None,
    account_id: int | None = None,
    direction: str | None = None,
) -> QuerySet[PendingTransaction]:
    """Pending (not yet booked) transactions with the same filters, minus the date range."""
    queryset = _matching(
        PendingTransaction.objects.filter(company=company),
        text=text,
        amount=amount,
        account_id=account_id,
        direction=direction,
    )
    return queryset.select_related("account").order_by(
        F("booking_date").desc(nulls_last=True), "-id"
    )


def recent_transactions(company: Company, account: BankAccount, limit: int = 10):
    return transaction_search(company, account_id=account.pk)[:limit]


def statement_imports(company: Company) -> QuerySet[StatementImport]:
    """Past imports, newest first, with who made them."""
    return StatementImport.objects.filter(company=company).select_related("created_by")


def statement_imports_by_id(company: Company, ids: list[int]) -> list[StatementImport]:
    """The company's imports among `ids`, in the order given; others' ids are ignored."""
    found = {i.pk: i for i in statement_imports(company).filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]
