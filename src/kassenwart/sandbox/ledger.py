"""The sandbox bank's own books: accounts, bookings and the orders it executed.

Bookings are append-only. A booking dated in the future (a scheduled direct debit, a
scripted customer payment) stays out of statements and balances until the bank's clock
reaches its date, so they are always "as of today". The bank's own orders are announced
when they are accepted: until their date they are pending (camt PDNG, MT942).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

CENT = Decimal("0.01")


def money(value) -> Decimal:
    """A Decimal with exactly two places; never built from a float."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return Decimal(value).quantize(CENT)


@dataclass(frozen=True)
class Account:
    iban: str
    bic: str
    number: str
    kind: str  # "current", "savings", "call_money"
    product: str
    owner: str
    operations: tuple[str, ...]  # business transactions allowed on it, e.g. "HKCCS"
    currency: str = "EUR"
    credit_line: Decimal = Decimal("0.00")
    subaccount: str = ""


@dataclass(frozen=True)
class Booking:
    reference: str  # the bank's own reference, unique
    booking_date: date
    value_date: date
    amount: Decimal  # signed: credit positive, debit negative
    text: str  # booking text, e.g. "SEPA-UEBERWEISUNG"
    gvc: str  # German business transaction code, e.g. "116"
    counterparty_name: str = ""
    counterparty_iban: str = ""
    counterparty_bic: str = ""
    remittance: str = ""
    end_to_end_id: str = ""
    mandate_id: str = ""
    creditor_id: str = ""
    order_id: str = ""
    parts: tuple[Booking, ...] = ()  # the single payments of a collective booking
    announced: date | None = None  # shown as pending from this day until it is booked
    return_reason: str = ""  # ISO code of a returned payment (R-transaction), e.g. "AC04"


@dataclass(frozen=True)
class ExecutedOrder:
    order_id: str
    kind: str  # the segment type: "HKCCS", "HKCCM", "HKDMC", ...
    account_iban: str
    message_id: str  # the pain message's MsgId
    count: int
    total: Decimal
    executed_at: datetime


@dataclass
class Ledger:
    accounts: dict[str, Account] = field(default_factory=dict)
    opening: dict[str, tuple[date, Decimal]] = field(default_factory=dict)
    bookings: dict[str, list[Booking]] = field(default_factory=dict)
    orders: list[ExecutedOrder] = field(default_factory=list)
    # Message ids sent again after they were executed (and refused for it): a client that
    # keeps its promise of "at most once" never appears here.
    resubmitted: list[str] = field(default_factory=list)
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(1))

    def open_account(self, account: Account, since: date, balance: Decimal) -> None:
        self.accounts[account.iban] = account
        self.opening[account.iban] = (since, money(balance))
        self.bookings[account.iban] = []

    def next_reference(self, prefix: str) -> str:
        return f"{prefix}{next(self._numbers):08d}"

    def booking(self, **fields) -> Booking:
        """A booking with the next reference, not yet on any account (see `append`)."""
        fields.setdefault("value_date", fields["booking_date"])
        return Booking(reference=self.next_reference("KW"), **fields)

    def append(self, iban: str, booking: Booking) -> Booking:
        entries = self.bookings[iban]
        entries.append(booking)
        entries.sort(key=lambda b: b.booking_date)  # stable: same day keeps booking order
        return booking

    def book(self, iban: str, **fields) -> Booking:
        return self.append(iban, self.booking(**fields))

    def record_order(self, order: ExecutedOrder) -> None:
        self.orders.append(order)

    def history_start(self, iban: str) -> date:
        return self.opening[iban][0]

    def balance(self, iban: str, on: date) -> Decimal:
        """Booked balance at the end of the day `on`."""
        start, amount = self.opening[iban]
        return amount + sum(
            (b.amount for b in self.bookings[iban] if start <= b.booking_date <= on),
            Decimal("0.00"),
        )

    def booked(self, iban: str, start: date, end: date) -> list[Booking]:
        return [b for b in self.bookings[iban] if start <= b.booking_date <= end]

    def pending(self, iban: str, today: date) -> list[Booking]:
        """Announced bookings not yet booked: dated after today."""
        return [b for b in self.bookings[iban]
                if b.booking_date > today and b.announced is not None and b.announced <= today]

    def find(self, iban: str) -> Account | None:
        return self.accounts.get(iban.replace(" ", "").upper())
