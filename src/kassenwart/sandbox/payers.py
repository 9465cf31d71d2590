"""Scripted customers who pay the demo's open invoices into the bank over the coming days.

`plan` is pure and deterministic (seeded): the same invoices, start day and seed give the
same payments. Kinds of payment, in a fixed rotation over the shuffled invoices:
exact (the amount, the number in the remittance), partial (an instalment), typo (two
digits of the number swapped), collective (several invoices of one customer in one
payment) and no reference (the right amount, nothing to match on but payer and amount).
`Bank.script_payments` books them as future credits that appear as the clock reaches them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from schwifty import IBAN

from kassenwart.core.business_days import next_business_day

from .ledger import Ledger, money

ROTATION = ("exact", "partial", "exact", "typo", "collective", "exact", "no_reference")
INSTALMENTS = (Decimal("0.5"), Decimal("0.3"))
MAX_COLLECTIVE = 3


@dataclass(frozen=True)
class Invoice:
    number: str
    amount: Decimal
    customer: str
    iban: str


@dataclass(frozen=True)
class ScriptedPayment:
    day: date
    amount: Decimal
    payer: str
    iban: str
    remittance: str
    invoices: tuple[str, ...]  # what the payment is really for
    kind: str


def typo(number: str) -> str:
    """Swap the last two different adjacent digits: RE-2026-01234 -> RE-2026-01243."""
    for i in range(len(number) - 2, -1, -1):
        a, b = number[i], number[i + 1]
        if a.isdigit() and b.isdigit() and a != b:
            return number[:i] + b + a + number[i + 2:]
    return number + "0"


def remittance(kind: str, numbers: list[str], rng: random.Random) -> str:
    if kind == "partial":
        return f"Teilzahlung {numbers[0]}"
    if kind == "typo":
        return f"Rechnung {typo(numbers[0])}"
    if kind == "collective":
        return "Rechnungen " + ", ".join(numbers)
    if kind == "no_reference":
        return rng.choice(("", "Zahlung", "Vielen Dank"))
    return rng.choice(("{}", "Rechnung {}", "{} Vielen Dank", "RG-Nr. {}")).format(numbers[0])


def plan(invoices: list[Invoice], start: date, seed: int, days: int = 10) -> list[ScriptedPayment]:
    """Who pays what, and when: one payment per invoice, or per group for collective ones."""
    rng = random.Random(seed)
    order = sorted(invoices, key=lambda i: i.number)
    rng.shuffle(order)
    paid: set[str] = set()
    payments = []
    for position, invoice in enumerate(order):
        if invoice.number in paid:
            continue
        kind = ROTATION[position % len(ROTATION)]
        group = [invoice]
        if kind == "collective":
            group += [i for i in order if i.iban == invoice.iban and i.number not in paid
                      and i is not invoice][:MAX_COLLECTIVE - 1]
            kind = kind if len(group) > 1 else "exact"
        paid.update(i.number for i in group)
        total = sum((i.amount for i in group), Decimal("0.00"))
        if kind == "partial":
            total = money(total * rng.choice(INSTALMENTS))
        day = next_business_day(start + timedelta(days=rng.randint(1, days)))
        payments.append(ScriptedPayment(day, money(total), invoice.customer, invoice.iban,
                                        remittance(kind, [i.number for i in group], rng),
                                        tuple(i.number for i in group), kind))
    return sorted(payments, key=lambda p: p.day)


def book(ledger: Ledger, iban: str, payments: list[ScriptedPayment]) -> None:
    for payment in payments:
        ledger.book(iban, booking_date=payment.day, amount=payment.amount, text="SEPA-GUTSCHRIFT",
                    gvc="166", counterparty_name=payment.payer, counterparty_iban=payment.iban,
                    counterparty_bic=str(IBAN(payment.iban, allow_invalid=True).bic or ""),
                    remittance=payment.remittance, end_to_end_id="NOTPROVIDED")
