"""Writing small camt files for the import tests (through the product's own camt writer)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from kassenwart.banking.formats.camt_writer import write_camt
from kassenwart.banking.formats.statement import BalanceSnapshot, Entry, StatementHeader

IBAN = "DE89370400440532013000"
DAY = date(2026, 10, 1)


def entry(amount: str | Decimal, day: date = DAY, text: str = "Rechnung RE-1", **fields) -> Entry:
    return Entry(
        amount=Decimal(amount),
        currency="EUR",
        booking_date=day,
        value_date=day,
        counterparty_name=fields.pop("name", "Muster GmbH"),
        counterparty_iban=fields.pop("iban", "DE02120300000000202051"),
        remittance=text,
        **fields,
    )


def camt(
    entries: list[Entry],
    *,
    iban: str = IBAN,
    opening: str | Decimal | None = "1000.00",
    closing: str | Decimal | None = None,
    message: str = "053",
    statement_id: str = "S-1",
) -> io.BytesIO:
    """A camt file; the closing balance is right unless given."""
    days = [e.booking_date for e in entries if e.booking_date] or [DAY]
    start, end = min(days), max(days)
    header = StatementHeader(
        format=f"camt.{message}.001.08",
        account_iban=iban,
        currency="EUR",
        statement_id=statement_id,
        period_from=start,
        period_to=end,
    )
    if opening is not None:
        opening = Decimal(opening)
        booked = sum((e.amount for e in entries if e.status == "booked"), Decimal("0"))
        closing = Decimal(closing) if closing is not None else opening + booked
        header.opening = BalanceSnapshot(opening, "EUR", start - timedelta(days=1), "opening")
        header.closing = BalanceSnapshot(closing, "EUR", end, "closing")
    out = io.BytesIO()
    write_camt(out, header, [replace(e) for e in entries], message=message)
    out.seek(0)
    return out
