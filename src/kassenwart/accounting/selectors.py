"""Reads for the exports: the booked transactions of a period with what each paid, and the
company's account numbers turned into DATEV bookings.

Every transaction booked in the period (booking date from..to, both included) of the company,
optionally of one account, oldest first. A transaction carries the allocations of its
matches that stand (an undone match is left out): one invoice each, with the amount applied.

DATEV bookings, on the bank account's G/L account against:
* each allocation: the customer's debtor account, with the invoice number in Belegfeld 1
  (a payment split over several invoices gives one line per invoice);
* what is not allocated (an unmatched or ignored payment, money going out, the part of a
  payment beyond its invoices): the suspense account, or nothing when none is set. Then
  the bank account in the books agrees with the statement only when a suspense account is
  set; the export page says so.
What a match wrote off (Skonto, a fee the payer deducted) is no money on the bank account and
is not booked here: it needs a tax key, and the accountant books it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F

from kassenwart.accounting import datev
from kassenwart.accounting.models import ExportSettings, LedgerAccount
from kassenwart.banking.models import BankAccount, Transaction
from kassenwart.companies.models import Company
from kassenwart.reconciliation.models import Allocation, TransactionState

BATCH = 500  # transactions read at a time; their ids are one IN list (SQLite: at most 999 parameters)


@dataclass(frozen=True)
class Applied:
    invoice_number: str
    customer_number: str
    customer_name: str
    amount: Decimal


@dataclass(frozen=True)
class BookedLine:
    """A booked transaction of the period and the invoices it paid."""

    id: int
    account_id: int
    account_name: str
    account_iban: str
    booking_date: date
    value_date: date | None
    amount: Decimal
    currency: str
    counterparty_name: str
    counterparty_iban: str
    remittance: str
    status: str  # TransactionState.Status, "open" when there is no state
    applied: tuple[Applied, ...] = field(default=())

    @property
    def unapplied(self) -> Decimal:
        """The part of the amount no invoice took (signed like the amount)."""
        taken = sum((abs(a.amount) for a in self.applied), Decimal("0.00"))
        return self.amount - taken if self.amount > 0 else self.amount + taken


def export_settings(company: Company) -> ExportSettings:
    """The company's settings, the defaults when none are saved (not saved by reading)."""
    return ExportSettings.objects.filter(company=company).first() or ExportSettings(company=company)


def ledger_accounts(company: Company) -> list[tuple[BankAccount, str]]:
    """Every account of the company with its G/L account number ("" when none is set)."""
    numbers = dict(LedgerAccount.objects.filter(company=company).values_list("account_id", "number"))
    return [(account, numbers.get(account.pk, "")) for account in BankAccount.objects.filter(company=company)
            .order_by("name", "pk")]


def booked_lines(company: Company, date_from: date, date_to: date, account: BankAccount | None = None
                 ) -> Iterator[BookedLine]:
    """The company's transactions booked from `date_from` to `date_to`, oldest first, with
    what their standing matches applied. Lazy: BATCH transactions at a time, and one query
    for the allocations of each batch (flat rows, no nested prefetch: its IN lists grew too
    deep for SQLite)."""
    found = Transaction.objects.filter(company=company, booking_date__gte=date_from, booking_date__lte=date_to)
    if account is not None:
        found = found.filter(account=account)
    found = found.order_by("booking_date", "id").values_list(*_FIELDS)
    batch: list[tuple] = []
    for row in found.iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) >= BATCH:
            yield from _with_allocations(company, batch)
            batch = []
    if batch:
        yield from _with_allocations(company, batch)


# BookedLine's fields but `applied`, read as plain rows (no model instances: a third of the time)
_FIELDS = ("pk", "account_id", "account__name", "account__iban", "booking_date", "value_date", "amount", "currency",
           "counterparty_name", "counterparty_iban", "remittance", "state__status")


def _with_allocations(company: Company, batch: list[tuple]) -> Iterator[BookedLine]:
    applied: dict[int, list[Applied]] = {}
    # The company is compared as an expression (company_id + 0) so that SQLite finds the
    # matches by their transactions, not by walking every standing match of the company for
    # each batch (which made the export quadratic: 5.7 s of CPU at 100,000 transactions).
    rows = (Allocation.objects
            .alias(owner=F("match__company_id") + 0)
            .filter(owner=company.pk, match__undone_at__isnull=True,
                    match__transaction_id__in=[row[0] for row in batch])
            .order_by("match__transaction_id", "match_id", "id")
            .values_list("match__transaction_id", "invoice__number", "invoice__customer__number",
                         "invoice__customer__name", "amount"))
    for tx_id, number, customer_number, customer_name, amount in rows:
        applied.setdefault(tx_id, []).append(Applied(number, customer_number, customer_name, amount))
    for row in batch:
        *fields, status = row
        yield BookedLine(*fields, status=status or TransactionState.Status.OPEN,
                         applied=tuple(applied.get(row[0], ())))


# -- DATEV ----------------------------------------------------------------------------------
class ExportRefused(Exception):
    """No DATEV batch for this: the settings lack something, or the period does not fit.
    `problems` are (code, params), worded by the page or the command."""

    def __init__(self, problems: list[tuple[str, dict]]):
        super().__init__(", ".join(code for code, _params in problems))
        self.problems = problems


def datev_header(company: Company, date_from: date, date_to: date, *, exported_by: str = "",
                 settings: ExportSettings | None = None, accounts: list[BankAccount] | None = None) -> datev.Header:
    """The header for the period, or ExportRefused with everything that is missing."""
    settings = settings or export_settings(company)
    missing = []
    if settings.consultant_number is None:
        missing.append(("consultant_number", {}))
    if settings.client_number is None:
        missing.append(("client_number", {}))
    numbers = dict(ledger_accounts_by_id(company))
    for account in accounts or BankAccount.objects.filter(company=company):
        if not numbers.get(account.pk):
            missing.append(("ledger_account", {"account": account.name}))
    if not settings.debtor_account:
        missing.append(("debtor_account", {}))
    if missing:
        raise ExportRefused(missing)
    start = datev.fiscal_year_start(date_from, settings.fiscal_year_start_month)
    if date_to < date_from:
        raise ExportRefused([("period_reversed", {})])
    if date_to >= datev.fiscal_year_after(start):
        raise ExportRefused([("period_across_years", {"start": start, "end": datev.fiscal_year_after(start)})])
    header = datev.Header(
        consultant_number=settings.consultant_number, client_number=settings.client_number,
        fiscal_year_start=start, account_length=settings.account_length, date_from=date_from, date_to=date_to,
        description=f"Kassenwart {date_from:%d.%m.%y}-{date_to:%d.%m.%y}", exported_by=exported_by,
    )
    datev.check_header(header)  # the settings were checked when saved; this guards the ranges
    return header


def ledger_accounts_by_id(company: Company) -> dict[int, str]:
    return dict(LedgerAccount.objects.filter(company=company).values_list("account_id", "number"))


def debtor_account(settings: ExportSettings, customer_number: str) -> str:
    """The customer's number when customer numbers are debtor accounts and it is one (one digit
    more than the G/L accounts), else the default debtor account."""
    number = (customer_number or "").strip()
    if settings.customer_number_is_debtor and number.isdigit() and len(number) == settings.account_length + 1:
        return number
    return settings.debtor_account


def datev_bookings(lines: Iterator[BookedLine], settings: ExportSettings, ledgers: dict[int, str]
                   ) -> Iterator[datev.Booking]:
    """The DATEV bookings of `lines` (see the module's docstring)."""
    for line in lines:
        bank = ledgers[line.account_id]
        sign = Decimal(1) if line.amount > 0 else Decimal(-1)
        name = line.counterparty_name or line.remittance
        for applied in line.applied:
            if applied.amount:
                yield datev.Booking(
                    amount=sign * abs(applied.amount), currency=line.currency, account=bank,
                    contra_account=debtor_account(settings, applied.customer_number),
                    document_date=line.booking_date, document_field_1=applied.invoice_number,
                    text=f"{applied.invoice_number} {name}".strip())
        rest = line.unapplied
        if rest and settings.suspense_account:
            yield datev.Booking(
                amount=rest, currency=line.currency, account=bank, contra_account=settings.suspense_account,
                document_date=line.booking_date, text=f"{name} {line.remittance}".strip() if name != line.remittance
                else name)
