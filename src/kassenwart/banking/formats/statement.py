"""Plain data that every statement parser produces (no Django).

A parser turns a file into a stream: a `StatementHeader`, then that statement's `Entry`
objects, then the next header, and so on. The header is complete before its first entry
(camt puts balances before entries; MT940 files are small enough to read whole), so the
importer can resolve the account first and then write entries in batches without holding a
large statement in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from kassenwart.core.money import to_money

BOOKED = "booked"
PENDING = "pending"


class StatementFormatError(ValueError):
    """The file cannot be read as a statement. `where` names the line or element."""

    def __init__(self, message: str, where: str = ""):
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


def exact_amount(value: Decimal | str, where: str) -> Decimal:
    """An amount as the file states it: at most two decimal places, refused (not rounded)
    when it has more, or when it is too large for the money columns."""
    try:
        return to_money(value)
    except ValueError as error:
        raise StatementFormatError(str(error), where) from error


@dataclass(frozen=True, slots=True)
class BalanceSnapshot:
    amount: Decimal  # signed: negative is a debit balance
    currency: str
    date: date | None
    kind: str  # "opening", "closing", "available", "interim"


@dataclass(slots=True)
class StatementHeader:
    format: str  # e.g. "camt.053.001.08", "mt940", "mt942", "csv:sparkasse"
    account_iban: str = ""  # normalized, upper case, no spaces
    account_number: str = ""  # when the file has no IBAN (MT940 :25: BLZ/number)
    bank_code: str = ""
    account_bic: str = ""
    account_name: str = ""
    account_owner: str = ""
    currency: str = ""
    statement_id: str = ""
    sequence: str = ""
    created_at: datetime | None = None
    period_from: date | None = None
    period_to: date | None = None
    opening: BalanceSnapshot | None = None
    closing: BalanceSnapshot | None = None
    available: BalanceSnapshot | None = None
    # Sum of the entries' amounts the file itself reports (camt TxsSummry), if any.
    reported_total: Decimal | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Entry:
    amount: Decimal  # signed: credit positive, debit negative; exact, never float
    currency: str
    booking_date: date | None
    value_date: date | None = None
    status: str = BOOKED  # BOOKED or PENDING
    counterparty_name: str = ""
    counterparty_iban: str = ""  # or the account number when there is no IBAN
    counterparty_bic: str = ""
    ultimate_debtor: str = ""
    ultimate_creditor: str = ""
    remittance: str = ""  # unstructured remittance, the file's lines joined with "\n"
    structured_reference: str = ""  # creditor reference, e.g. ISO 11649 "RF18..."
    end_to_end_id: str = ""
    mandate_id: str = ""
    creditor_id: str = ""
    bank_reference: str = ""  # the bank's own reference (camt AcctSvcrRef, MT940 ref)
    transaction_code: str = ""  # ISO domain/family/sub-family, "PMNT/RCDT/ESCT"
    dk_code: str = ""  # German business transaction code (GVC), "166"
    purpose_code: str = ""  # ISO purpose, "SALA"
    return_reason: str = ""  # e.g. "AC04", "MD06"
    reversal: bool = False
    # Batch booking: the entry of the statement that carries several transactions.
    batch_reference: str = ""
    batch_size: int = 1
    # Where in the file it came from, for messages ("line 12", "Ntry 3").
    source: str = ""


StatementItem = StatementHeader | Entry


def group(items: Iterator[StatementItem]) -> Iterator[tuple[StatementHeader, list[Entry]]]:
    """Collect a stream into (header, entries) pairs; for tests and small files."""
    header: StatementHeader | None = None
    entries: list[Entry] = []
    for item in items:
        if isinstance(item, StatementHeader):
            if header is not None:
                yield header, entries
            header, entries = item, []
        else:
            if header is None:
                raise StatementFormatError("entry before any statement header")
            entries.append(item)
    if header is not None:
        yield header, entries
