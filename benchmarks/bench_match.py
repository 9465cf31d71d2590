"""Benchmark: the reconciliation engine on 25k, 50k and 100k open invoices.

    .venv/bin/python benchmarks/bench_match.py [--sizes 25000 50000 100000] [--no-memory]

For N open invoices, 60 % are paid on a statement of 0.75 * N lines (100k invoices: 75k
lines) written the way customers pay: full, shortened and mistyped invoice numbers, numbers
cut across lines, RF references, collective payments, installments, Skonto, fees, round-up
overpayments, payments without any reference, plus unrelated credits and outgoing payments.
Prints, per size, the matching time (wall clock, and CPU time for shared machines), the
share reconciled automatically and (unless --no-memory) the engine's peak memory measured
with tracemalloc in a second run. Each size runs in its own process. Goal: 100k invoices
vs 75k lines in under 10 s, growing linearly.
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
WORDS = "Bau Optik Dental Media Logistik Textil Energie Holzbau Software Druckerei Handel".split()
PLACES = "Nord Sued West Ost Rhein Elbe Donau Alpen Hanse Ruhr Franken Tirol Baltic Main".split()
FAMILIES = "Meier Schulz Wagner Becker Hoffmann Koch Richter Klein Wolf Schröder Neumann".split()
FORMS = ["GmbH", "AG", "KG", "OHG", "GbR", "e.K.", "GmbH & Co. KG", "UG (haftungsbeschränkt)"]
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
        words = (rng.choice(FAMILIES), rng.choice(WORDS), rng.choice(PLACES), str(number))
        name = f"{' '.join(words)} {rng.choice(FORMS)}"
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
    swap = rng.randrange(len(digits) - 1)
    return rng.choice(
        [
            number.replace("-", " ").lower(),
            "26" + digits,
            f"AR26-{digits}",
            f"AR-26-{digits.lstrip('0')}",
            f"AR-26-{digits[:swap]}{digits[swap + 1]}{digits[swap]}{digits[swap + 2:]}",  # typo
        ]
    )


def _lines(text: str, rng: random.Random) -> str:
    """The bank's line break, anywhere (here: in one text out of five)."""
    if len(text) > 12 and rng.random() < 0.2:
        cut = rng.randrange(5, len(text) - 3)
        return text[:cut] + "\n" + text[cut:]
    return text


# Roughly the mix of the labelled reconbench sample.
AMOUNTS = {"exact": 80, "skonto": 5, "fee": 3, "installment": 10, "overpaid": 2}
TEXTS = {"number": 60, "spelling": 15, "rf": 5, "customer number": 5, "nothing": 15}


def _amount(rng: random.Random, total: Decimal, single: bool) -> Decimal:
    kind = rng.choices(list(AMOUNTS), weights=list(AMOUNTS.values()))[0] if single else "exact"
    return {
        "exact": total,
        "skonto": (total * Decimal("0.98")).quantize(CENT),
        "fee": total - Decimal("7.50"),
        "installment": (total / 3).quantize(CENT),
        "overpaid": total.to_integral_value() + 5,
    }[kind]


def _payment(rng: random.Random, tx_id: str, batch: list[Invoice], day: date) -> Transaction:
    first = batch[0]
    total = sum((inv.open_amount for inv in batch), Decimal(0))
    structured, text = "", ""
    match rng.choices(list(TEXTS), weights=list(TEXTS.values()))[0]:
        case "rf" if first.payment_reference:
            structured = first.payment_reference
        case "number" | "rf":
            numbers = ", ".join(inv.number for inv in batch)
            text = _lines(f"{rng.choice(LEADS)} {numbers}".strip(), rng)
        case "spelling":
            numbers = ", ".join(_spelling(rng, inv.number) for inv in batch)
            text = _lines(f"{rng.choice(LEADS)} {numbers} Kd {first.customer_number}".strip(), rng)
        case "customer number":
            text = f"Kundennummer {first.customer_number}"
        case _:
            text = rng.choice(["Zahlung", "Danke", "", "Ausgleich offener Posten"])
    payer = first.customer_name.upper()[:35] if rng.random() < 0.3 else first.customer_name
    return Transaction(
        id=tx_id,
        amount=_amount(rng, total, len(batch) == 1),
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
                remittance=rng.choice(["Miete", "Erstattung 2026/10", "Zinsen", "Lieferung 88123"]),
            )
        )
    rng.shuffle(statement)
    return statement[:lines]


def measure(size: int, memory: bool) -> dict[str, float]:
    rng = random.Random(size)
    invoices = make_invoices(rng, size)
    statement = make_statement(rng, invoices, size * 3 // 4)
    started, cpu = time.perf_counter(), time.process_time()
    decisions = reconcile(invoices, statement)
    result = {
        "invoices": size,
        "lines": len(statement),
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
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
    columns = ("invoices", 9), ("lines", 7), ("seconds", 8), ("cpu s", 6), ("per line", 9)
    print(" ".join(f"{name:>{width}}" for name, width in columns), f"{'auto':>6} {'peak MB':>8}")
    for size in args.sizes:
        command = [sys.executable, __file__, "--child", str(size)]
        command += ["--no-memory"] if args.no_memory else []
        r = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        peak = f"{r['peak_mb']:8.0f}" if "peak_mb" in r else f"{'-':>8}"
        print(
            f"{r['invoices']:9} {r['lines']:7} {r['seconds']:8.2f} {r['cpu']:6.2f} "
            f"{r['seconds'] / r['lines'] * 1e6:7.0f}us {r['auto']:6.1%} {peak}"
        )


if __name__ == "__main__":
    main()
