"""Payment orders: checked when submitted (before any TAN), booked when authorised.

HKCCS single transfer, HKIPZ instant transfer, HKCCM batch transfer; direct debits single
(HKDSE CORE, HKDSC COR1, HKBSE B2B) and batch (HKDME, HKDMC, HKBME), checked by debits.py.
A batch is booked as one collective entry unless the client asked for single bookings.
Transfers to and direct debits from accounts of this bank reach the other account too.
Bookings dated after today are announced: pending until their day. Payments to or from
IBANs with a scripted outcome come back as returns (returns.py) some days later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from . import debits
from .bpd import MAX_BATCH, PAIN_FORMATS
from .ledger import Account, ExecutedOrder, Ledger, money
from .pain import PainError, PainMessage, parse_pain
from .protocol import Refused
from .returns import Outcome, book_outcomes

KINDS = {"HKCCS": "transfer", "HKIPZ": "transfer", "HKCCM": "transfer", "HKDSE": "debit",
         "HKDSC": "debit", "HKBSE": "debit", "HKDME": "debit", "HKDMC": "debit", "HKBME": "debit"}
SINGLE = ("HKCCS", "HKIPZ", "HKDSE", "HKDSC", "HKBSE")
INSTANT_LIMIT = money("100000.00")


@dataclass(frozen=True)
class Order:
    segment_type: str
    account: Account
    pain: PainMessage
    single_booking: bool


def german(value) -> str:
    return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def check(segment, account: Account, ledger: Ledger, today: date) -> Order:
    kind = segment.header.type
    if segment.sepa_descriptor not in PAIN_FORMATS:
        raise Refused(f"SEPA-Datenformat nicht unterstützt: {segment.sepa_descriptor}")
    try:
        pain = parse_pain(segment.sepa_pain_message)
    except PainError as e:
        raise Refused(f"pain-Nachricht ungültig: {e}") from e
    if pain.kind != KINDS[kind]:
        raise Refused("pain-Nachricht passt nicht zum Geschäftsvorfall.")
    if any(block.account_iban != account.iban for block in pain.blocks):
        raise Refused("Auftraggeberkonto weicht vom Konto des Auftrags ab.")
    payments = pain.payments
    if kind in SINGLE and len(payments) != 1:
        raise Refused("Einzelauftrag mit mehr als einem Posten.")
    if len(payments) > MAX_BATCH:
        raise Refused(f"Mehr als {MAX_BATCH} Posten.")
    if kind == "HKIPZ" and pain.total > INSTANT_LIMIT:
        raise Refused(f"Echtzeitüberweisung über dem Limit von {german(INSTANT_LIMIT)} EUR.")
    sum_amount = getattr(segment, "sum_amount", None)
    if kind not in SINGLE and (sum_amount is None or money(sum_amount.amount) != pain.total):
        raise Refused("Summenfeld stimmt nicht mit der Summe der Posten überein.")
    for payment in payments:
        if payment.currency != account.currency:
            raise Refused(f"Währung {payment.currency} nicht zulässig.")
        try:
            IBAN(payment.iban)
        except SchwiftyException as e:
            raise Refused(f"IBAN ungültig: {payment.iban}") from e
    refuse_duplicate(ledger, account.iban, pain.message_id)
    if pain.kind == "transfer" and ledger.balance(account.iban, today) + account.credit_line < pain.total:
        raise Refused("Kontodeckung nicht ausreichend.")
    if pain.kind == "debit":
        debits.check(kind, pain, today)
    single = kind in SINGLE or bool(getattr(segment, "request_single_booking", False)) \
        or any(block.batch_booking is False for block in pain.blocks)
    return Order(kind, account, pain, single)


def refuse_duplicate(ledger: Ledger, account_iban: str, message_id: str) -> None:
    """A message executed once is never executed again: checked when it is submitted and
    again when its TAN arrives (two submissions may both wait for their TAN)."""
    if any(o.message_id == message_id and o.account_iban == account_iban for o in ledger.orders):
        ledger.resubmitted.append(message_id)
        raise Refused(f"Doppeleinreichung: MsgId {message_id} bereits ausgeführt.")


def describe(order: Order) -> str:
    """What the customer authorises, for the TAN challenge."""
    payments = order.pain.payments
    if order.segment_type in ("HKCCS", "HKIPZ"):
        p = payments[0]
        what = "Echtzeitüberweisung" if order.segment_type == "HKIPZ" else "Überweisung"
        return f"{what} von {german(p.amount)} EUR an {p.name}, IBAN {p.iban}."
    if order.segment_type in SINGLE:
        p = payments[0]
        return f"Lastschrift ({order.pain.blocks[0].scheme}) über {german(p.amount)} EUR von {p.name}, IBAN {p.iban}."
    what = "Sammelüberweisung" if order.pain.kind == "transfer" else "Lastschrifteinzug"
    return f"{what}: {len(payments)} Posten, Summe {german(order.pain.total)} EUR."


def flicker_elements(order: Order) -> tuple[str, ...]:
    """What a chipTAN generator shows: the payee's account and the amount, or for a batch
    the number of payments and the sum."""
    payments = order.pain.payments
    total = f"{order.pain.total:.2f}".replace(".", ",")
    if len(payments) == 1:
        return payments[0].iban[-10:], total
    return str(len(payments)), total


def execute(order: Order, ledger: Ledger, now: datetime, outcomes: dict[str, Outcome]) -> ExecutedOrder:
    account = order.account
    order_id = ledger.next_reference("ORD")
    sign = -1 if order.pain.kind == "transfer" else 1
    today = now.date()
    instant = order.segment_type == "HKIPZ"
    for block in order.pain.blocks:
        if sign > 0:
            day = debits.collection_day(block, today)
        else:
            day = today if instant else max(today, block.requested_date or today)
        lines = [
            ledger.booking(
                booking_date=day, amount=sign * p.amount,
                text=("SEPA-ECHTZEIT-UEBERWEISUNG" if instant else "SEPA-UEBERWEISUNG") if sign < 0
                else f"SEPA-LASTSCHRIFT EINZUG {block.scheme}",
                gvc="116" if sign < 0 else "171", counterparty_name=p.name,
                counterparty_iban=p.iban, counterparty_bic=p.bic, remittance=p.remittance,
                end_to_end_id=p.end_to_end_id, mandate_id=p.mandate_id,
                creditor_id=block.creditor_id, order_id=order_id, announced=today,
            )
            for p in block.payments
        ]
        if order.single_booking:
            for line in lines:
                ledger.append(account.iban, line)
        else:
            ledger.book(
                account.iban, booking_date=day, amount=sum((line.amount for line in lines), money(0)),
                text="SEPA-SAMMEL-UEBERWEISUNG" if sign < 0 else "SEPA-SAMMEL-EINZUG",
                gvc="191" if sign < 0 else "192",
                remittance=f"SAMMLER {block.payment_info_id} {len(lines)} POSTEN",
                creditor_id=block.creditor_id, order_id=order_id, parts=tuple(lines),
                announced=today,
            )
        book_outcomes(ledger, account.iban, lines, outcomes)
        for p in block.payments:
            other = ledger.find(p.iban)
            if other is not None:
                ledger.book(
                    other.iban, booking_date=day, amount=-sign * p.amount,
                    text="SEPA-GUTSCHRIFT" if sign < 0 else "SEPA-BASISLASTSCHRIFT",
                    gvc="166" if sign < 0 else "105", counterparty_name=account.owner,
                    counterparty_iban=account.iban, counterparty_bic=account.bic,
                    remittance=p.remittance, end_to_end_id=p.end_to_end_id,
                    mandate_id=p.mandate_id, creditor_id=block.creditor_id, order_id=order_id,
                    announced=today,
                )
    executed = ExecutedOrder(order_id, order.segment_type, account.iban, order.pain.message_id,
                             len(order.pain.payments), order.pain.total, now)
    ledger.record_order(executed)
    return executed
