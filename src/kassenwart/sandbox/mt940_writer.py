"""MT940 as German banks deliver it over FinTS: one statement per booking day,
structured :86: fields (GVC, ?20.. purpose with EREF+/MREF+/CRED+/SVWZ+, ?30..?32 payer,
?34 the reason of a returned payment). Pending bookings come as one MT942 (interim report).

In the purpose each SEPA keyword starts a subfield of its own (DFÜ-Abkommen, Anlage 3) and
a long value goes on in the next ones, so a client that reads a keyword's value up to the
end of its subfields never runs into the next keyword.

Text is reduced to the SWIFT character set (umlauts spelled out), as many banks do.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal

from .ledger import Account, Booking
from .returns import mt940_code

SWIFT_TEXT = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-().,'+ ")
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
TYPE_CODES = {"116": "TRF", "166": "TRF", "191": "TRF", "105": "DDT", "171": "DDT", "192": "DDT",
              "109": "RTI", "159": "RTI", "805": "CHG", "814": "INT"}
LINE = 65


def swift_text(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(UMLAUTS))
    return "".join(c if c in SWIFT_TEXT else " " for c in text if not unicodedata.combining(c)).strip()


def amount(value: Decimal) -> str:
    return f"{abs(value):.2f}".replace(".", ",")


def balance_line(tag: str, value: Decimal, on: date, currency: str) -> str:
    mark = "D" if value < 0 else "C"
    return f":{tag}:{mark}{on:%y%m%d}{currency}{amount(value)}"


def chunks(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def purpose(booking: Booking) -> list[str]:
    """The purpose subfields (27 characters each): EREF+, MREF+, CRED+ and SVWZ+, each
    starting a new one."""
    parts = [("EREF+", booking.end_to_end_id), ("MREF+", booking.mandate_id), ("CRED+", booking.creditor_id)]
    parts = [(keyword, value) for keyword, value in parts if value] + [("SVWZ+", booking.remittance)]
    return [line for keyword, value in parts for line in chunks(swift_text(keyword + value), 27)]


def details(booking: Booking) -> str:
    fields = [f"?00{swift_text(booking.text)}", "?10931"]
    purpose_keys = [f"?{n}" for n in range(20, 30)] + [f"?{n}" for n in range(60, 64)]
    fields += [key + line for key, line in zip(purpose_keys, purpose(booking))]
    if booking.counterparty_bic:
        fields.append(f"?30{booking.counterparty_bic}")
    if booking.counterparty_iban:
        fields.append(f"?31{booking.counterparty_iban}")
    name = chunks(swift_text(booking.counterparty_name), 27)
    fields += [key + part for key, part in zip(("?32", "?33"), name) if part]
    if booking.return_reason:
        fields.append(f"?34{mt940_code(booking.return_reason)}")
    return booking.gvc + "".join(fields)


def transaction_lines(booking: Booking) -> list[str]:
    mark = "D" if booking.amount < 0 else "C"
    customer_ref = swift_text(booking.end_to_end_id)[:16] or "NONREF"
    kind = TYPE_CODES.get(booking.gvc, "MSC")
    line61 = (
        f":61:{booking.value_date:%y%m%d}{booking.booking_date:%m%d}{mark}"
        f"{amount(booking.amount)}N{kind}{customer_ref}//{booking.reference}"
    )
    return [line61] + chunks(":86:" + details(booking), LINE)


def statement(account: Account, bank_code: str, number: int, day: date,
              opening: Decimal, bookings: list[Booking]) -> str:
    closing = opening + sum((b.amount for b in bookings), Decimal("0.00"))
    lines = [
        ":20:STARTUMSE",
        f":25:{bank_code}/{account.number}",
        f":28C:{number:05d}/001",
        balance_line("60F", opening, day, account.currency),
    ]
    for booking in bookings:
        lines += transaction_lines(booking)
    lines += [balance_line("62F", closing, day, account.currency), "-"]
    return "\r\n".join(lines) + "\r\n"


def statements(account: Account, bank_code: str, opening: Decimal,
               days: list[tuple[date, list[Booking]]]) -> bytes:
    """Consecutive day statements, starting from the balance before the first day."""
    out = []
    balance = opening
    for day, bookings in days:
        out.append(statement(account, bank_code, day.timetuple().tm_yday, day, balance, bookings))
        balance += sum((b.amount for b in bookings), Decimal("0.00"))
    return "".join(out).encode("iso-8859-1")


def interim(account: Account, bank_code: str, bookings: list[Booking], now: datetime) -> bytes:
    """An MT942 with the pending (announced, not yet booked) bookings."""
    debits = [b.amount for b in bookings if b.amount < 0]
    credits = [b.amount for b in bookings if b.amount >= 0]
    lines = [
        ":20:STARTDISPE",
        f":25:{bank_code}/{account.number}",
        ":28C:00001/001",
        f":34F:{account.currency}0,",
        f":13D:{now:%y%m%d%H%M}{now.astimezone().strftime('%z')}",
    ]
    for booking in bookings:
        lines += transaction_lines(booking)
    lines += [f":90D:{len(debits)}{account.currency}{amount(sum(debits, Decimal('0.00')))}",
              f":90C:{len(credits)}{account.currency}{amount(sum(credits, Decimal('0.00')))}", "-"]
    return ("\r\n".join(lines) + "\r\n").encode("iso-8859-1")
