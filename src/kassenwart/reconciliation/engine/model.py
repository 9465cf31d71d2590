"""What goes into the engine and what comes out: plain, immutable dataclasses.

Money is `Decimal` everywhere; only `Proposal.confidence` is a float (a score, not money).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal("0.00")


class Criterion(StrEnum):
    """A kind of evidence the company lets count."""

    INVOICE_NUMBER = "invoice_number"
    RF_REFERENCE = "rf_reference"
    AMOUNT = "amount"
    PAYER_IBAN = "payer_iban"
    PAYER_NAME = "payer_name"
    CUSTOMER_NUMBER = "customer_number"


class Automation(StrEnum):
    AUTOMATIC = "automatic"  # apply unique, safe matches on its own
    SUGGEST_ONLY = "suggest_only"  # never apply; everything goes to a person


class Status(StrEnum):
    AUTO = "auto"
    OPEN = "open"


@dataclass(frozen=True, slots=True)
class Invoice:
    """An open item. A negative amount is a credit note."""

    id: str
    number: str
    customer_number: str
    customer_name: str
    amount: Decimal
    open_amount: Decimal
    currency: str = "EUR"
    customer_ibans: tuple[str, ...] = ()
    payment_reference: str = ""  # ISO 11649 "RF.." creditor reference, if the invoice had one
    issue_date: date | None = None
    due_date: date | None = None


@dataclass(frozen=True, slots=True)
class Transaction:
    """A booked, not yet reconciled bank transaction. Credits are positive."""

    id: str
    amount: Decimal
    currency: str
    booking_date: date | None = None
    counterparty_name: str = ""
    counterparty_iban: str = ""
    remittance: str = ""  # the bank's lines joined with "\n" (words may be cut across lines)
    structured_reference: str = ""
    end_to_end_id: str = ""
    # ISO "PMNT/RCDT/ESCT", optionally followed by "+" and the German GVC ("+166").
    bank_transaction_code: str = ""


@dataclass(frozen=True, slots=True)
class Knowledge:
    """What earlier matches taught: payer IBAN / payer name -> customer number; the
    suggestions a person rejected as (transaction id, invoice ids), never proposed again;
    and the matches a person undid, (transaction id, invoice ids) too, never applied
    automatically again (still suggested, marked as undone before).
    `customer_ibans` are (IBAN, customer number) from the master data, also of customers
    without open invoices: who the payer is, even when it owes nothing now.
    Keys may be written as the bank wrote them; the engine normalizes them."""

    customers_by_iban: Mapping[str, str] = field(default_factory=dict)
    customers_by_name: Mapping[str, str] = field(default_factory=dict)
    rejected: frozenset[tuple[str, frozenset[str]]] = frozenset()
    undone: frozenset[tuple[str, frozenset[str]]] = frozenset()
    customer_ibans: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class MatchingConfig:
    """The company's matching settings."""

    criteria: frozenset[Criterion] = frozenset(Criterion)
    skonto_percents: tuple[Decimal, ...] = (Decimal("2"), Decimal("3"))
    max_fee: Decimal = Decimal("15.00")  # bank fees a payer may deduct
    max_overpayment: Decimal = Decimal("10.00")  # surplus applied on its own (rounded-up payments)
    rounding: Decimal = Decimal("0.01")  # slack per invoice when checking Skonto
    allow_multiple: bool = True  # collective payments, partial payments and installments
    automation: Automation = Automation.AUTOMATIC
    max_suggestions: int = 5

    def counts(self, criterion: Criterion) -> bool:
        return criterion in self.criteria


@dataclass(frozen=True, slots=True)
class Proposal:
    """One way to reconcile a transaction.

    `allocations` maps invoice id -> amount applied (credit notes negative); they sum to the
    transaction amount minus `surplus` (an overpayment left unapplied). `write_off` is the
    shortfall accepted as Skonto or bank fee; the reasons say which.
    """

    allocations: Mapping[str, Decimal]
    confidence: float
    reasons: tuple[str, ...]  # each a reasons.Reason
    surplus: Decimal = ZERO
    write_off: Decimal = ZERO

    def __reduce__(self):
        # by position: a slots dataclass pickles through Python-level __getstate__, and a
        # run in a child interpreter sends its parent a hundred thousand proposals
        return Proposal, (self.allocations, self.confidence, self.reasons, self.surplus, self.write_off)


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer for one transaction: AUTO with `match`, or OPEN with ranked
    `suggestions` (best first, possibly none; `note` then says why)."""

    transaction_id: str
    status: Status
    match: Proposal | None = None
    suggestions: tuple[Proposal, ...] = ()
    note: str = ""  # a reasons.Reason, or ""

    def __reduce__(self):  # by position, as Proposal
        return Decision, (self.transaction_id, self.status, self.match, self.suggestions, self.note)
