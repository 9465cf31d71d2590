"""camt.052 account reports for HKCAZ, written by the product's own camt writer.

A collective booking becomes one Ntry with a TxDtls per payment, as banks report batches.
A returned payment carries its reason in TxDtls/RtrInf/Rsn/Cd. Pending bookings go into a
report of their own, entries with status PDNG and no balances.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from kassenwart.banking.formats.camt_writer import write_camt
from kassenwart.banking.formats.statement import BOOKED, PENDING, BalanceSnapshot, Entry, StatementHeader

from .ledger import Account, Booking

TRANSACTION_CODES = {
    "116": "PMNT/ICDT/ESCT", "191": "PMNT/ICDT/ESCT", "166": "PMNT/RCDT/ESCT",
    "171": "PMNT/IDDT/ESDD", "192": "PMNT/IDDT/ESDD", "105": "PMNT/RDDT/ESDD",
    "106": "PMNT/CCRD/POSD", "109": "PMNT/IDDT/UPDD", "159": "PMNT/ICDT/RRTN", "805": "ACMT/MDOP/CHRG", "814": "ACMT/MCOP/INTR",
}


def entry(booking: Booking, currency: str, batch_reference: str = "", status: str = BOOKED) -> Entry:
    return Entry(
        amount=booking.amount, currency=currency, booking_date=booking.booking_date,
        value_date=booking.value_date, counterparty_name=booking.counterparty_name,
        counterparty_iban=booking.counterparty_iban, counterparty_bic=booking.counterparty_bic,
        remittance=booking.remittance, end_to_end_id=booking.end_to_end_id,
        mandate_id=booking.mandate_id, creditor_id=booking.creditor_id,
        bank_reference=booking.reference, transaction_code=TRANSACTION_CODES.get(booking.gvc, ""),
        dk_code=booking.gvc, batch_reference=batch_reference, return_reason=booking.return_reason,
        status=status,
    )


def entries(booking: Booking, currency: str, status: str = BOOKED) -> list[Entry]:
    if not booking.parts:
        return [entry(booking, currency, status=status)]
    return [entry(part, currency, booking.reference, status) for part in booking.parts]


def report(account: Account, opening: Decimal, bookings: list[Booking], start: date, end: date,
           created: datetime, report_id: str) -> bytes:
    closing = opening + sum((b.amount for b in bookings), Decimal("0.00"))
    header = StatementHeader(
        format="camt.052.001.08", account_iban=account.iban, account_bic=account.bic,
        account_name=account.product, account_owner=account.owner, currency=account.currency,
        statement_id=report_id, created_at=created, period_from=start, period_to=end,
        opening=BalanceSnapshot(opening, account.currency, start, "opening"),
        closing=BalanceSnapshot(closing, account.currency, end, "closing"),
    )
    out = io.BytesIO()
    write_camt(out, header, [e for b in bookings for e in entries(b, account.currency)], message="052")
    return out.getvalue()


def pending_report(account: Account, bookings: list[Booking], created: datetime, report_id: str) -> bytes:
    header = StatementHeader(
        format="camt.052.001.08", account_iban=account.iban, account_bic=account.bic,
        account_name=account.product, account_owner=account.owner, currency=account.currency,
        statement_id=report_id, created_at=created,
        period_from=min(b.booking_date for b in bookings), period_to=max(b.booking_date for b in bookings),
    )
    out = io.BytesIO()
    write_camt(out, header, [e for b in bookings for e in entries(b, account.currency, PENDING)], message="052")
    return out.getvalue()
