"""Returned payments (R-transactions): a direct debit the debtor's bank gives back, a
transfer the payee's bank cannot credit.

They arrive days after the original as bookings of their own, with the ISO reason code:
camt TxDtls/RtrInf/Rsn/Cd, MT940 GVC 109 (direct debit returned) or 159 (transfer
returned) and the reason as a three-digit code in ?34. The 9xx codes follow the pattern
of German banks (912 = MD06, from a real statement); the others are the sandbox's own
numbering, so a client should prefer the ISO code in the purpose text or in camt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kassenwart.core.business_days import next_business_day

from .ledger import Booking, Ledger

REASONS = {
    "AC01": ("IBAN FEHLERHAFT", "901"),
    "AC04": ("KONTO AUFGELOEST", "902"),
    "AC06": ("KONTO GESPERRT", "903"),
    "AM04": ("DECKUNG UNZUREICHEND", "904"),
    "MD01": ("KEIN MANDAT", "906"),
    "MS03": ("SONSTIGE GRUENDE", "908"),
    "MD06": ("ERSTATTUNG AUF VERLANGEN DES ZAHLERS", "912"),
}
DEBIT_RETURN = "109"
TRANSFER_RETURN = "159"


@dataclass(frozen=True)
class Outcome:
    """What the other side's bank does with a payment to or from one IBAN."""

    reason: str
    after_days: int = 2


def returned(ledger: Ledger, original: Booking, reason: str, day: date) -> Booking:
    """The return of a (single) booking: the opposite amount, the same references."""
    if reason not in REASONS:
        raise ValueError(f"unknown return reason {reason}")
    debit_returned = original.amount > 0
    text, _ = REASONS[reason]
    return ledger.booking(
        booking_date=next_business_day(day), amount=-original.amount,
        text="SEPA-RUECKLASTSCHRIFT" if debit_returned else "SEPA-UEBERWEISUNG RETOURE",
        gvc=DEBIT_RETURN if debit_returned else TRANSFER_RETURN,
        counterparty_name=original.counterparty_name, counterparty_iban=original.counterparty_iban,
        counterparty_bic=original.counterparty_bic,
        remittance=f"RUECKGABE {reason} {text} {original.remittance}".strip(),
        end_to_end_id=original.end_to_end_id, mandate_id=original.mandate_id,
        creditor_id=original.creditor_id, order_id=original.order_id, return_reason=reason,
    )


def book_outcomes(ledger: Ledger, iban: str, lines: list[Booking], outcomes: dict[str, Outcome]) -> None:
    """Book the returns the other banks will send for these payments, on their days."""
    for line in lines:
        outcome = outcomes.get(line.counterparty_iban)
        if outcome is not None:
            day = line.booking_date + timedelta(days=outcome.after_days)
            ledger.append(iban, returned(ledger, line, outcome.reason, day))


def mt940_code(reason: str) -> str:
    return REASONS[reason][1]
