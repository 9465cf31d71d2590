"""Reads the reconciliation screens put together from the apps' own selectors.

Every function takes the company first and never leaves it. Filtering reuses the search of
the transactions and invoices lists, so the same words and amounts find the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from kassenwart.banking.models import Transaction
from kassenwart.banking.selectors import transaction_search
from kassenwart.core.money import AmountRange, quantize
from kassenwart.receivables.models import Invoice
from kassenwart.receivables.selectors import invoice_search
from kassenwart.reconciliation import selectors
from kassenwart.reconciliation.matched_days import TAKEN
from kassenwart.reconciliation.models import Allocation, Match, MatchingConfig, TransactionState
from kassenwart.web.suggestions import SHOWN, Suggestion
from kassenwart.web.suggestions import build as build_suggestions
from kassenwart.web.suggestions import invoice_ids as suggestion_invoice_ids

WAITING, IGNORED = "waiting", "ignored"
MATCHED, UNMATCHED = "matched", "unmatched"
ZERO = Decimal("0.00")
OPEN_INVOICES = [Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID]


def transaction_list_search(company, *, matched: str | None = None, **filters) -> QuerySet[Transaction]:
    """The transactions list: the banking search, and whether the payment is matched, in full
    or in part (`matched="matched"`), or not (`"unmatched"`): the rows matched_days keeps."""
    found = transaction_search(company, **filters)
    if matched in (MATCHED, UNMATCHED):
        taken = Q(state__status__in=TAKEN)
        found = found.filter(taken if matched == MATCHED else ~taken)
    return found


# The orderings of the open and matched lists, by their payment; each ends in a unique key.
PAYMENT_ORDERINGS = {
    "-date": ("-transaction__booking_date", "-transaction_id"),
    "date": ("transaction__booking_date", "transaction_id"),
    "-amount": ("-transaction__amount", "-transaction_id"),
    "amount": ("transaction__amount", "transaction_id"),
}


def _ordered(queryset: QuerySet, order: str | None, *, last: str) -> QuerySet:
    """`queryset` in the whitelisted `order`, as it is for any other; `last` breaks ties."""
    if order not in PAYMENT_ORDERINGS:
        return queryset
    return queryset.order_by(*PAYMENT_ORDERINGS[order], last)


def _payments(company, *, text, amount, account_id, date_from, date_to, amount_from=None, amount_to=None
              ) -> QuerySet[Transaction] | None:
    """The company's transactions the filters leave, or None when nothing is filtered."""
    if not (text or account_id or date_from or date_to or amount_from is not None or amount_to is not None):
        return None
    return transaction_search(
        company, text=text, amount=amount, account_id=account_id, date_from=date_from, date_to=date_to,
        amount_from=amount_from, amount_to=amount_to,
    )


def payment_search(
    company,
    *,
    status: str | None = WAITING,
    text: str = "",
    amount: AmountRange | None = None,
    account_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    amount_from: Decimal | None = None,
    amount_to: Decimal | None = None,
    order: str | None = None,
) -> QuerySet[TransactionState]:
    """Incoming payments waiting for a person (open and partially matched), or those marked
    as not an invoice payment (`status="ignored"`), oldest first unless `order` names
    another of PAYMENT_ORDERINGS."""
    if status == IGNORED:
        states = (
            TransactionState.objects.filter(company=company, status=TransactionState.Status.IGNORED)
            .select_related("transaction", "transaction__account")
            .order_by("transaction__booking_date", "transaction_id")
        )
    else:
        states = selectors.open_payments(company)
    found = _payments(company, text=text, amount=amount, account_id=account_id, date_from=date_from, date_to=date_to,
                      amount_from=amount_from, amount_to=amount_to)
    states = states if found is None else states.filter(transaction__in=found)
    return _ordered(states, order, last="pk")


def match_search(
    company,
    *,
    kind: str | None = None,
    text: str = "",
    amount: AmountRange | None = None,
    account_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    amount_from: Decimal | None = None,
    amount_to: Decimal | None = None,
    order: str | None = None,
) -> QuerySet[Match]:
    """Active matches, newest first unless `order` names one of PAYMENT_ORDERINGS. The search
    finds the payment's words and amount and the invoices' numbers, customers and amounts;
    the amount range bounds the payment's amount."""
    matches = _ordered(selectors.active_matches(company), order, last="-pk")
    if kind:
        matches = matches.filter(kind=kind)
    if account_id or date_from or date_to or amount_from is not None or amount_to is not None:
        matches = matches.filter(
            transaction__in=transaction_search(company, account_id=account_id, date_from=date_from, date_to=date_to,
                                               amount_from=amount_from, amount_to=amount_to)
        )
    if text.strip():
        payments = transaction_search(company, text=text, amount=amount)
        invoices = invoice_search(company, text=text, amount=amount)
        with_invoice = Allocation.objects.filter(match__company=company, invoice__in=invoices).values("match_id")
        matches = matches.filter(Q(transaction__in=payments) | Q(pk__in=with_invoice))
    return matches


def assigned_amounts(company, transaction_ids: Iterable[int]) -> dict[int, Decimal]:
    """How much of each payment active matches have applied already (one query)."""
    rows = (
        Allocation.objects.filter(
            match__company=company, match__undone_at__isnull=True, match__transaction_id__in=list(transaction_ids)
        )
        .values("match__transaction_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["match__transaction_id"]: quantize(row["total"]) for row in rows}


def invoices_by_id(company, ids: Iterable) -> dict[int, Invoice]:
    """The company's invoices among `ids` (ints or the strings of the engine's JSON)."""
    wanted = {int(i) for i in ids if str(i).isdigit()}
    return selectors.invoices_by_id(company, wanted) if wanted else {}


def open_invoice_search(company, *, text: str = "", amount: AmountRange | None = None, limit: int = 20) -> list[Invoice]:
    """Invoices that can still take a payment, for the map page's search."""
    found = invoice_search(company, text=text, amount=amount).filter(status__in=OPEN_INVOICES)
    return list(found.exclude(open_amount=0)[:limit])


def payment_state(company, tx: Transaction) -> TransactionState | None:
    return TransactionState.objects.filter(company=company, transaction=tx).first()


def payment_matches(company, tx: Transaction) -> list[Match]:
    """Every match of one payment, undone ones too, newest first."""
    return list(
        Match.objects.filter(company=company, transaction=tx)
        .select_related("created_by", "undone_by")
        .prefetch_related("allocations__invoice")
    )


def matching_config(company) -> MatchingConfig:
    """The company's settings; unsaved defaults when it has none yet."""
    return MatchingConfig.objects.filter(company=company).first() or MatchingConfig(company=company)


@dataclass(frozen=True)
class PaymentRow:
    """An incoming payment on the reconciliation screens: its state, how much of it is
    applied already and the engine's suggestions with their invoices."""

    state: TransactionState
    assigned: Decimal
    suggestions: list[Suggestion]

    @property
    def tx(self) -> Transaction:
        return self.state.transaction

    @property
    def left(self) -> Decimal:
        return self.tx.amount - self.assigned


def payment_rows(company, states: Iterable[TransactionState], limit: int | None = SHOWN) -> list[PaymentRow]:
    """The page's payments with the first `limit` suggestions each, in two queries at most."""
    states = list(states)
    invoices = invoices_by_id(company, suggestion_invoice_ids(s.suggestions[:limit] for s in states))
    partial = [s.transaction_id for s in states if s.status == TransactionState.Status.PARTIALLY_MATCHED]
    done = assigned_amounts(company, partial) if partial else {}
    return [
        PaymentRow(state, done.get(state.transaction_id, ZERO), build_suggestions(state.suggestions, invoices, limit))
        for state in states
    ]


def payment_row(company, tx: Transaction) -> PaymentRow:
    """One payment with all its suggestions, also when no run has looked at it yet."""
    state = payment_state(company, tx) or TransactionState(company=company)
    state.transaction = tx  # the one already loaded, with its account
    invoices = invoices_by_id(company, suggestion_invoice_ids([state.suggestions]))
    done = assigned_amounts(company, [tx.pk]).get(tx.pk, ZERO)
    return PaymentRow(state, done, build_suggestions(state.suggestions, invoices))
