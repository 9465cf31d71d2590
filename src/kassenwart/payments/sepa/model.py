"""What a SEPA credit-transfer message says, as plain frozen dataclasses.

Values are kept as given (a name straight from the CRM, an IBAN with spaces); `rules`
says whether they can be sent and `pain001` writes them in the form a bank expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Party:
    """An account holder: debtor or creditor. An empty `bic` means "not provided"."""

    name: str
    iban: str
    bic: str = ""


@dataclass(frozen=True)
class CreditTransfer:
    end_to_end_id: str
    amount: Decimal
    creditor: Party
    remittance: str = ""
    currency: str = "EUR"


@dataclass(frozen=True)
class TransferMessage:
    """One pain.001 message with one payment-information block (one debtor account,
    one execution date): a single transfer or a payment run."""

    message_id: str
    created_at: datetime
    initiator: str
    debtor: Party
    payment_info_id: str
    requested_date: date
    transfers: tuple[CreditTransfer, ...]
    batch_booking: bool = True
    instant: bool = False

    def __post_init__(self):
        if not isinstance(self.transfers, tuple):  # a list would make the message mutable
            object.__setattr__(self, "transfers", tuple(self.transfers))

    @property
    def control_sum(self) -> Decimal:
        return sum((t.amount for t in self.transfers), Decimal("0.00"))

    @property
    def count(self) -> int:
        return len(self.transfers)
