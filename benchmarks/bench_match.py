"""Benchmark: the reconciliation engine on 25k, 50k and 100k open invoices.

    .venv/bin/python benchmarks/bench_match.py [--sizes 25000 50000 100000] [--no-memory]

For N open invoices, 60 % are paid on a statement of 0.75 * N lines (100k invoices: 75k
lines) written the way customers pay: full, shortened and mistyped invoice numbers, numbers
cut across lines, RF references, collective payments, installments, Skonto, fees, round-up
overpayments, payments without any reference, plus unrelated credits and outgoing payments.
Prints, per size, the matching time, the share reconciled automatically and (unless
--no-memory) the engine's peak memory measured with tracemalloc in a second run. Each size
runs in its own process. Goal: 100k invoices vs 75k lines in under 10 s, growing linearly.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal

from kassenwart.reconciliation.engine import Invoice, Status, Transaction, reconcile

CENT = Decimal("0.01")
WORDS = "Bau Optik Dental Media Logistik Textil Energie Holzbau Software Druckerei Handel Technik".split()
PLACES = "Nord Sued West Ost Rhein Elbe Donau Alpen Hanse Ruhr Franken Tirol Baltic Main".split()
FAMILIES = "Meier Schulz Wagner Becker Hoffmann Koch Richter Klein Wolf Schroeder Neumann Braun".split()
FORMS = ["GmbH", "AG", "KG", "OHG", "GbR", "e.K.", "GmbH & Co. KG", "UG (haftungsbeschränkt)", "mbH"]
LEADS = ["Rechnung", "Rg.", "Invoice", "Zahlung zu", "Beleg", "Ihre Rechnung", "", "Re.Nr."]


def _rf(serial: int) -> str:
    body = f"K{serial}"
    digits = "".join(str(int(ch, 36)) for ch in body + "RF00")
    return f"RF{98 - int(digits) % 97:02d}{body}"


def _iban(rng: random.Random) -> str:
    return "DE" + "".join(rng.choice("0123456789") for _ in range(20))


def make_invoices(rng: random.Random, count: int) -> list[Invoice]:
    customers = []
    for number in range(10000, 10000 + count // 4):
        name = f"{rng.choice(FAMILIES)} {rng.choice(WORDS)} {rng.choice(PLACES)} {number} {rng.choice(FORMS)}"
        customers.append((str(number), name, (_iban(rng),) if rng.random() < 0.7 else ()))
    invoices = []
    for serial in range(1, count + 1):
        customer, name, ibans = rng.choice(customers)
        amount = rng.choice([Decimal(140), Decimal(280), Decimal(700)]) if rng.random() < 0.2 else (
            Decimal(rng.randint(1500, 900000)) / 100
        )
        issued = date(2026, 1, 1) + timedelta(days=rng.randint(0, 300))
        invoices.append(
            Invoice(
                id=str(serial),
                number=f"AR-26-{serial:06d}",
                customer_number=customer,
                customer_name=name,
                amount=amount,
                open_amount=amount,
                customer_ibans=ibans,
                payment_reference=_rf(serial) if rng.random() < 0.1 else "",
                issue_date=issued,
                due_date=issued + timedelta(days=rng.choice([14, 30, 60])),
            )
        )
    return invoices


def _spelling(rng: random.Random, number: str) -> str:
    digits = number.split("-")[-1]
    style = rng.random()
    if style < 0.55:
        return number
    if style < 0.7:
        return number.replace("-", " ").lower()
    if style < 0.8:
        return "26" + digits
    if style < 0.9:
        i = rng.randrange(len(digits) - 1)
        return f"AR-26-{digits[:i]}{digits[i + 1]}{digits[i]}{digits[i + 2:]}"
    return f"AR-26-{digits.lstrip('0')}"


def _lines(text: str, rng: random.Random) -> str:
    if len(text) > 12 and rng.random() < 0.3:
        cut = rng.randrange(5, len(text) - 3)
        return text[:cut] + "\n" + text[cut:]
    return text


def _payment(rng: random.Random, tx_id: str, batch: list[Invoice], day: date) -> Transaction:
    first = batch[0]
    total = sum((inv.open_amount for inv in batch), Decimal(0))
    kind = rng.random()
    amount = total
    if len(batch) == 1 and kind < 0.1:
        amount = (total * Decimal("0.98")).quantize(CENT)
    elif len(batch) == 1 and kind < 0.15:
        amount = total - Decimal("7.50")
    elif len(batch) == 1 and kind < 0.25:
        amount = (total / 3).quantize(CENT)
    elif len(batch) == 1 and kind < 0.3:
        amount = total.to_integral_value() + 5
    structured, text = "", ""
    style = rng.random()
    if first.payment_reference and style < 0.5:
        structured = first.payment_reference
    elif style < 0.85:
        numbers = ", ".join(_spelling(rng, inv.number) for inv in batch)
        text = _lines(f"{rng.choice(LEADS)} {numbers} Kd {first.customer_number}".strip(), rng)
    elif style < 0.92:
        text = f"Kundennummer {first.customer_number}"
    else:
        text = rng.choice(["Zahlung", "Danke", "", "Ausgleich offener Posten"])
    payer = first.customer_name.upper()[:35] if rng.random() < 0.3 else first.customer_name
    return Transaction(
        id=tx_id,
        amount=amount,
        currency="EUR",
        booking_date=day,
        counterparty_name=payer,
        counterparty_iban=first.customer_ibans[0] if first.customer_ibans else _iban(rng),
        remittance=text,
        structured_reference=structured,
        end_to_end_id="NOTPROVIDED",
        bank_transaction_code="PMNT/RCDT/ESCT",
    )


def make_statement(rng: random.Random, invoices: list[Invoice], lines: int) -> list[Transaction]:
    paid = rng.sample(invoices, int(len(invoices) * 0.6))
    by_customer: dict[str, list[Invoice]] = {}
    for inv in paid:
        by_customer.setdefault(inv.customer_number, []).append(inv)
    batches = []
    for group in by_customer.values():
        while group:
            size = 1 if rng.random() < 0.85 else min(len(group), rng.randint(2, 4))
            batches.append(group[:size])
            group = group[size:]
    day = date(2026, 10, 1)
    statement = [_payment(rng, f"T{n}", batch, day) for n, batch in enumerate(batches)]
    while len(statement) < lines:
        sign = -1 if rng.random() < 0.7 else 1
        statement.append(
            Transaction(
                id=f"N{len(statement)}",
                amount=sign * Decimal(rng.randint(100, 500000)) / 100,
                currency="EUR",
                booking_date=day,
                counterparty_name=f"{rng.choice(FAMILIES)} {rng.choice(WORDS)} GmbH",
                counterparty_iban=_iban(rng),
                remittance=rng.choice(["Miete", "Erstattung 2026/10", "Zinsen", "Lieferantenrechnung 88123"]),
            )
        )
    rng.shuffle(statement)
    return statement[:lines]


def measure(size: int, memory: bool) -> dict[str, float]:
    rng = random.Random(size)
    invoices = make_invoices(rng, size)
    statement = make_statement(rng, invoices, size * 3 // 4)
    started = time.perf_counter()
    decisions = reconcile(invoices, statement)
    result = {
        "invoices": size,
        "lines": len(statement),
        "seconds": time.perf_counter() - started,
        "auto": sum(d.status is Status.AUTO for d in decisions) / len(statement),
    }
    if memory:
        tracemalloc.start()
        reconcile(invoices, statement)
        result["peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25000, 50000, 100000])
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, not args.no_memory)))
        return
    print(f"{'invoices':>9} {'lines':>7} {'seconds':>8} {'per line':>9} {'auto':>6} {'peak MB':>8}")
    for size in args.sizes:
        command = [sys.executable, __file__, "--child", str(size)] + (["--no-memory"] if args.no_memory else [])
        r = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        peak = f"{r['peak_mb']:8.0f}" if "peak_mb" in r else f"{'-':>8}"
        print(
            f"{r['invoices']:9} {r['lines']:7} {r['seconds']:8.2f} "
            f"{r['seconds'] / r['lines'] * 1e6:7.0f}us {r['auto']:6.1%} {peak}"
        )


if __name__ == "__main__":
    main()
