"""Benchmark: syncing a FinTS account from the sandbox bank over HTTP on loopback.

    benchmarks/bench_fints_sync.py [--bookings 10000] [--new 100] [--page-size 100] [--runs 3] [--quick]

Each run is a fresh process with a fresh SQLite database in a temporary data directory and
a sandbox bank (in the same process, on loopback) holding one current account with
--bookings bookings over the last year. Kassenwart connects to it (probe, TAN method), then:

- the baseline: python-fints alone (FinTS3PinTanClient with the client state a first dialog
  left, as Kassenwart keeps it) reads what Kassenwart's first sync reads, in one dialog:
  the accounts, every camt page of the account's transactions (--page-size bookings a
  page), its balance; nothing is parsed or stored. It is the cost of the protocol and the
  library that any FinTS client pays, so nothing in this stack syncs faster. A first,
  untimed read warms the bank and the library up for both.
- the first sync through the product (fints.connection_sync: the same reading,
  then the camt pages merged and imported, the balance stored, the audit event);
- after --new bookings arrive today, the next sync (informational, no goal).

Printed: wall-clock seconds (min / median over --runs), CPU seconds, and how much of the time
the sandbox bank spent answering (it runs in this process, so its work is in both figures).

Goal: the first sync of 10,000 bookings under 10 s.
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402 (beside this file)

GOAL_SECONDS, GOAL_BOOKINGS = 10.0, 10_000
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


def library_read(info: dict, method: str, state: bytes | None) -> tuple[int, bytes]:
    """What the first sync reads, with python-fints alone: the camt documents read and the
    client state to start from next time."""
    from fints.client import FinTS3PinTanClient

    client = FinTS3PinTanClient(info["bank_code"], info["login"], info["pin"], info["url"],
                                product_id=info["product_id"], from_data=state)
    if state is None:
        client.fetch_tan_mechanisms()
    client.set_tan_mechanism(method)
    with client:
        account = client.get_sepa_accounts()[0]
        booked, pending = client.get_transactions_xml(account)
        client.get_balance(account)
    return len(booked) + len(pending), client.deconstruct(including_private=True)


def measure(bookings: int, new: int, page_size: int) -> dict:
    os.environ["KASSENWART_DATA_DIR"] = folder = tempfile.mkdtemp(prefix="kassenwart-bench-fints-")
    atexit.register(shutil.rmtree, folder, True)  # this process's own data directory
    os.environ["DATABASE_URL"] = ""
    harness.django_ready()
    from kassenwart.banking import fints
    from kassenwart.companies.services import company_create
    from kassenwart.sandbox.server import SandboxServer

    bank = seeded_bank(bookings, page_size)
    bank_timer = BankTimer(bank)
    server = SandboxServer(bank)
    server.start()
    try:
        info = server.connection_info()
        company = company_create("Benchmark GmbH", via="bench")
        connection = fints.connection_create(
            company, name="Sandbox", bank_code=info["bank_code"], server_url=info["url"],
            login=info["login"], pin=info["pin"], keep_pin=True, via="bench",
        )
        method = fints.connection_probe(connection, via="bench")[0].method
        fints.connection_choose_tan(connection, method=method, via="bench")
        _, state = library_read(info, method, None)  # warm-up, not timed
        figures: dict = {}
        bank_timer.seconds = 0.0
        with harness.timed(figures, "baseline", "baseline cpu"):
            figures["documents"], _ = library_read(info, method, state)
        figures["baseline bank"], bank_timer.seconds = bank_timer.seconds, 0.0
        with harness.timed(figures, "first sync", "first sync cpu"):
            first = fints.connection_sync(connection, via="bench")
        figures["first sync bank"], bank_timer.seconds = bank_timer.seconds, 0.0
        iban = next(iter(bank.ledger.accounts))
        rng = random.Random(100)
        for index in range(new):
            bank.ledger.append(iban, booking(bank.ledger, rng, bank.clock.now().date(), bookings + index))
        with harness.timed(figures, "next sync", "next sync cpu"):
            later = fints.connection_sync(connection, via="bench")
        figures["next sync bank"] = bank_timer.seconds
    finally:
        server.stop()
    if first.added != bookings or later.added != new:
        raise SystemExit(f"unexpected counts: {first.added} and {later.added} added ({first.message} {later.message})")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=100, help="bookings that arrive before the next sync")
    parser.add_argument("--page-size", type=int, default=100, help="bookings per bank answer")
    parser.add_argument("--runs", type=harness.runs_argument, default=3, help="runs (at least 3)")
    parser.add_argument("--quick", action="store_true", help="1,000 bookings, for a smoke run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    bookings = 1_000 if args.quick else args.bookings
    if args.child:
        return harness.report(measure(bookings, args.new, args.page_size))

    harness.preamble(
        f"bench_fints_sync: {bookings:,} bookings from the sandbox bank, {args.page_size} a page",
        "python-fints alone reading the same (accounts, all camt pages, balance) in one dialog",
        [f"first sync of {GOAL_BOOKINGS:,} bookings < {GOAL_SECONDS:.0f} s (median)"],
        args.runs,
    )
    passed = ["--child", "--bookings", str(bookings), "--new", str(args.new), "--page-size", str(args.page_size)]
    runs = []
    for round_number in range(1, args.runs + 1):
        runs.append(harness.child(__file__, passed))
        print(f"run {round_number} done, {harness.load()}", flush=True)

    def figure(key: str) -> harness.Figure:
        return harness.Figure([r[key] for r in runs])

    print(f"\n{'':<46} {'wall s min / med':>17} {'CPU s med':>10} {'bank answering s med':>21}")
    for key, label in (("baseline", f"baseline: python-fints, {runs[0]['documents']} camt documents"),
                       ("first sync", f"first sync, {bookings:,} bookings"),
                       ("next sync", f"next sync, {args.new} new")):
        print(f"{label:<46} {figure(key).show():>17} {figure(key + ' cpu').median:>10.2f} "
              f"{figure(key + ' bank').median:>21.2f}")
    first, baseline = figure("first sync"), figure("baseline")
    print(f"\nfirst sync / baseline: {harness.ratio(first, baseline)}")
    budget = GOAL_SECONDS * bookings / GOAL_BOOKINGS
    scale = "" if bookings == GOAL_BOOKINGS else f" (the 10 s goal scaled to {bookings:,} bookings)"
    print(f"goal: first sync median {first.median:.2f} s, goal < {budget:.2f} s{scale}: "
          f"{harness.verdict(first.median < budget, bool(scale))}")
    print("next sync: no goal set (informational)")
    harness.closing()


if __name__ == "__main__":
    main()
