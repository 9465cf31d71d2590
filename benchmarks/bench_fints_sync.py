"""Benchmark: syncing a FinTS account from the sandbox bank over HTTP on loopback.

    .venv/bin/python benchmarks/bench_fints_sync.py [--bookings 10000] [--new 100] [--page-size 100]

The sandbox bank gets one current account with --bookings bookings over the last year
(seeded through its Ledger); Kassenwart connects to it (probe, TAN method) and syncs twice:
first everything, then after --new bookings arrive today. Prints wall-clock and CPU seconds
of each sync, how much of it the sandbox bank spent answering (it runs in this process),
and how many transactions the sync added. Goal: first sync of 10,000 under 10 s.
Runs in a fresh SQLite database in a temporary data directory.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal

COUNTERPARTIES = ["Autohaus Weber KG", "Bäckerei Schmidt GmbH", "Stadtwerke Musterstadt",
                  "Hoffmann Maschinenbau AG", "Stahlhandel Nord GmbH", "Logistik Fischer GmbH"]


def seeded_bank(bookings: int, page_size: int):
    from kassenwart.sandbox.bank import Bank, Clock, Customer, Settings
    from kassenwart.sandbox.ledger import Ledger, money
    from kassenwart.sandbox.scenarios import LOGIN, OWNER, PIN, accounts

    settings = Settings(page_size=page_size)
    clock = Clock()
    today = clock.now().date()
    current = accounts(settings)[0]
    ledger = Ledger()
    ledger.open_account(current, today - timedelta(days=366), money("50000.00"))
    rng = random.Random(10_000)
    days = sorted(today - timedelta(days=rng.randrange(0, 365)) for _ in range(bookings))
    ledger.bookings[current.iban] = [booking(ledger, rng, day, index) for index, day in enumerate(days)]
    return Bank(settings, ledger, [Customer(LOGIN, PIN, OWNER, [current], last_sca=clock.now())], clock)


def booking(ledger, rng: random.Random, day, index: int):
    amount = Decimal(rng.randrange(-250000, 480000)) / 100 or Decimal("1.00")
    return ledger.booking(
        booking_date=day, amount=amount, text="SEPA-GUTSCHRIFT" if amount > 0 else "SEPA-UEBERWEISUNG",
        gvc="166" if amount > 0 else "116", counterparty_name=rng.choice(COUNTERPARTIES),
        counterparty_iban="DE02120300000000202051", remittance=f"RE-2026-{index:05d} Vielen Dank",
        end_to_end_id=f"E2E-BENCH-{index}",
    )


class BankTimer:
    """Sums the time the bank spends in `handle` (its own work, not the client's)."""

    def __init__(self, bank):
        self.seconds = 0.0
        self._handle = bank.handle
        bank.handle = self

    def __call__(self, message):
        started = time.perf_counter()
        try:
            return self._handle(message)
        finally:
            self.seconds += time.perf_counter() - started


def timed(function, bank_timer: BankTimer):
    bank_timer.seconds = 0.0
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu, bank_timer.seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--page-size", type=int, default=100, help="bookings per bank answer")
    args = parser.parse_args()

    os.environ["KASSENWART_DATA_DIR"] = tempfile.mkdtemp(prefix="kw-bench-fints-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kassenwart.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from kassenwart.banking import fints
    from kassenwart.companies.services import company_create
    from kassenwart.sandbox.server import SandboxServer

    call_command("migrate", verbosity=0)
    bank = seeded_bank(args.bookings, args.page_size)
    bank_timer = BankTimer(bank)
    server = SandboxServer(bank)
    server.start()
    info = server.connection_info()
    company = company_create("Benchmark GmbH", via="bench")
    connection = fints.connection_create(
        company, name="Sandbox", bank_code=info["bank_code"], server_url=info["url"],
        login=info["login"], pin=info["pin"], keep_pin=True, via="bench",
    )
    options = fints.connection_probe(connection, via="bench")
    fints.connection_choose_tan(connection, method=options[0].method, via="bench")

    first, *times = timed(lambda: fints.connection_sync(connection, via="bench"), bank_timer)
    report("first sync", first, *times)
    iban = next(iter(bank.ledger.accounts))
    today = bank.clock.now().date()
    rng = random.Random(100)
    for index in range(args.new):
        bank.ledger.append(iban, booking(bank.ledger, rng, today, args.bookings + index))
    later, *times = timed(lambda: fints.connection_sync(connection, via="bench"), bank_timer)
    report(f"sync with {args.new} new", later, *times)
    server.stop()
    if first.added != args.bookings or later.added != args.new:
        sys.exit("unexpected counts: " + first.message + later.message)


def report(label: str, result, wall: float, cpu: float, bank: float) -> None:
    print(f"{label:<20} {wall:6.2f} s wall  {cpu:6.2f} s CPU  (bank answering {bank:5.2f} s)  "
          f"added {result.added:>6}  state {result.state}")


if __name__ == "__main__":
    main()
