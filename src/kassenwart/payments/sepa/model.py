"""What a SEPA message says (credit transfers for pain.001, direct debits for pain.008), as
plain frozen dataclasses.

Values are kept as given (a name straight from the CRM, an IBAN with spaces); `rules`
says whether they can be sent and `pain001` / `pain008` write them in the form a bank
expects.
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


# -- direct debits (pain.008) ------------------------------------------------------------
CORE = "CORE"  # SEPA Core Direct Debit: any debtor
B2B = "B2B"  # SEPA Business-to-Business Direct Debit: business debtors, mandate confirmed at their bank
SCHEMES = (CORE, B2B)
FIRST, RECURRING, ONE_OFF, FINAL = "FRST", "RCUR", "OOFF", "FNAL"
SEQUENCE_TYPES = (FIRST, RECURRING, ONE_OFF, FINAL)


@dataclass(frozen=True)
class MandateAmendment:
    """What changed on the mandate since the last collection: the original values (ISO
    AmdmntInfDtls). Give only what changed.

    `original_debtor_iban` is the former account when the debtor changed accounts at the
    same bank; `new_debtor_bank` says the debtor moved to another bank (written as SMNDA,
    "same mandate, new debtor account"; the old IBAN is then not sent)."""

    original_reference: str = ""
    original_creditor_id: str = ""
    original_creditor_name: str = ""
    original_debtor_iban: str = ""
    new_debtor_bank: bool = False


@dataclass(frozen=True)
class MandateRelatedInfo:
    """The mandate a debit is collected under (ISO MndtRltdInf)."""

    reference: str
    signature_date: date
    amendment: MandateAmendment | None = None


@dataclass(frozen=True)
class DirectDebit:
    """One collection from one debtor. `sequence_type` None means the message's; a debit
    whose mandate needs another sequence type belongs in another message."""

    end_to_end_id: str
    amount: Decimal
    debtor: Party
    mandate: MandateRelatedInfo
    remittance: str = ""
    currency: str = "EUR"
    sequence_type: str | None = None


@dataclass(frozen=True)
class DirectDebitMessage:
    """One pain.008 message with one payment-information block: one creditor account, one
    scheme (CORE or B2B), one sequence type and one collection date. Banks refuse files that
    mix them, so the product makes one message per such batch."""

    message_id: str
    created_at: datetime
    initiator: str
    creditor: Party
    creditor_id: str
    payment_info_id: str
    collection_date: date
    scheme: str  # CORE or B2B
    sequence_type: str  # FRST, RCUR, OOFF or FNAL
    debits: tuple[DirectDebit, ...]
    batch_booking: bool = True

    def __post_init__(self):
        if not isinstance(self.debits, tuple):  # a list would make the message mutable
            object.__setattr__(self, "debits", tuple(self.debits))

    @property
    def control_sum(self) -> Decimal:
        return sum((d.amount for d in self.debits), Decimal("0.00"))

    @property
    def count(self) -> int:
        return len(self.debits)
