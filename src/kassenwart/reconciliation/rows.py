"""The engine's input made from database rows, and the engine run over them, without Django.

A matching run reads plain rows (`values_list` of INVOICE_COLUMNS and TRANSACTION_COLUMNS):
a run loads 100,000 invoices, and model instances would cost more than the matching. Nothing
here imports Django, so the engine's child interpreter (engine_child) imports it without
setting Django up, and is sent the rows as they are: tuples of str, Decimal and date pickle
several times faster than the engine's dataclasses, and the child makes those itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from kassenwart.core.gc_pause import gc_paused
from kassenwart.reconciliation import engine

CENT = Decimal("0.01")

# What the engine reads of an open invoice and of a transaction, as `values_list` columns.
INVOICE_COLUMNS = (
    "pk", "number", "customer__number", "customer__name", "customer__iban", "amount",
    "open_amount", "currency", "payment_reference", "issue_date", "due_date",
)
TRANSACTION_COLUMNS = (
    "pk", "amount", "currency", "booking_date", "counterparty_name", "counterparty_iban",
    "remittance", "structured_reference", "end_to_end_id", "transaction_code", "dk_code",
    "return_reason", "reversal", "account_id",
)


def engine_invoice(row: tuple) -> engine.Invoice:
    """An invoice from its INVOICE_COLUMNS, as Django gives them or as `plain_invoice` made them."""
    pk, number, customer_number, customer_name, iban, amount, open_amount, currency, reference, issued, due = row
    if type(amount) is str:  # in cents as Django gives them (on SQLite they were floats)
        amount, open_amount = Decimal(amount).quantize(CENT), Decimal(open_amount).quantize(CENT)
        issued, due = _day(issued), _day(due)
    # by position, in the order of engine.Invoice's fields (a run makes 100,000 of them)
    return engine.Invoice(
        str(pk), number, customer_number, customer_name, amount, open_amount, currency,
        (iban,) if iban else (), reference, issued, due,
    )


def engine_transaction(row: tuple) -> engine.Transaction:
    """A transaction from its TRANSACTION_COLUMNS, as the database gives them or as `plain`
    made them."""
    (pk, amount, currency, booked, name, iban, remittance, reference, end_to_end_id,
     code, dk_code, return_reason, reversal, _account) = row
    if type(amount) is str:
        amount, booked = Decimal(amount), _day(booked)
    if dk_code:
        code = f"{code}+{dk_code}"
    if return_reason or reversal:
        code = f"{code}+RRTN"  # the engine never matches returns and reversals
    # by position, in the order of engine.Transaction's fields
    return engine.Transaction(str(pk), amount, currency, booked, name, iban, remittance, reference, end_to_end_id, code)


def plain_invoice(row: tuple) -> tuple:
    """An invoice's row with its amounts and dates as text, as Django gives it or as the
    database driver does (a large run reads its invoices so: SQLite's driver gives amounts
    as floats of up to 15 digits, whose shortest text is the amount's, and dates as ISO
    text): what `marshal` writes, ten times faster than pickle writes Decimals and dates
    (a child is sent 100,000 invoices)."""
    pk, number, customer_number, customer_name, iban, amount, open_amount, currency, reference, issued, due = row
    return (pk, number, customer_number, customer_name, iban, _amount_text(amount), _amount_text(open_amount),
            currency, reference, _day_text(issued), _day_text(due))


def plain_transaction(row: tuple) -> tuple:
    """A transaction's row as `plain_invoice` makes an invoice's."""
    pk, amount, currency, booked, *rest = row
    return (pk, str(amount), currency, booked and booked.isoformat(), *rest)


def _amount_text(amount: Decimal | float | int) -> str:
    return repr(amount) if type(amount) is float else str(amount)


def _day_text(day: date | str | None) -> str | None:
    return day.isoformat() if isinstance(day, date) else day


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def decisions(
    invoice_rows: Iterable[tuple],
    transaction_rows: Iterable[tuple],
    config: engine.MatchingConfig,
    knowledge: engine.Knowledge,
) -> Iterator[engine.Decision]:
    """The engine's decisions over the rows, one per transaction, in the order it decides
    them (engine.decisions), each as soon as it is decided: in the run's own process for a
    small run, in a child interpreter for a large one (engine_child). Each kind of rows is
    read once, as it comes: the invoices first, the transactions after the invoices' index
    is built. The garbage collector rests
    meanwhile: the run makes millions of acyclic objects."""
    with gc_paused():
        invoices = [engine_invoice(row) for row in invoice_rows]
        transactions = (engine_transaction(row) for row in transaction_rows)
        yield from engine.decisions(invoices, transactions, config, knowledge)

