"""The home page and the transaction list at scale, through the real stack.

    python benchmarks/bench_dashboard.py --rows 1000000 --db sqlite       # or --db postgresql, both
    python benchmarks/bench_dashboard.py --quick                          # 100,000 rows, to try things
    python benchmarks/bench_dashboard.py --rows 1000000 --clean           # delete the kept data sets

For each database a child process migrates and fills it: one company, 5 accounts, N
transactions spread over the last 3 years (one statement import per account and month,
written with core.bulk as an import writes them; about 4 minutes for 1,000,000 on SQLite,
3 on PostgreSQL), N/10 invoices of 2,000 customers, seven in ten payments received matched
(the rest open, as matching leaves them), an admin; then the kept sums are made
as the worker makes them after an import, and PostgreSQL is vacuumed and analyzed as
autovacuum would. Everything comes from one `random.Random` seeded with the size, so a build
is the same on every machine. The data set is kept for the next run of the same size (the
SQLite data directory and the PostgreSQL database `bench_dashboard_N`, under
$BENCH_DASHBOARD_DIR or the temporary directory); --rebuild fills it anew, --clean deletes it.

Then the product's own `serve` command (waitress, no worker) serves it on 127.0.0.1:--port,
the admin logs in over HTTP (password, then a code of an authenticator issued for the run),
and each page is asked for `--requests` times one after the other (after 3 warm-up
requests). Printed per page and database: p50 and p95 of the wall time of the whole
response, the server process's CPU time per request (what the page costs, whatever else
runs on the machine; on SQLite the queries' time is in it, on PostgreSQL not) and that CPU
time over the wall time of those requests (the server's share of one CPU: a wall figure
taken at a low share says more about the machine's load than about the page). The CSV
export's figure is the time to its first data row, not to its header line (which leaves
before the query runs); then the download is cancelled, so its CPU figure is that of the
first rows (the server stops when it finds the connection closed).

Goal (issue 11 point 6): p95 below 150 ms for every page on both databases.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PG_SERVER, child, load, postgres_reachable, report  # noqa: E402

GOAL_MS = 150.0
CANCELLED_SETTLES = 0.5  # seconds after a cancelled download before the next request
PORT = 8601
ACCOUNTS = 5
YEARS = 3
USER, PASSWORD = "bench-admin", "correct horse battery staple"
SURNAMES = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
            "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
            "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
            "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler",
            "Herrmann", "König", "Walter", "Mayer", "Huber")
TRADES = ("Logistik", "Bäckerei", "Elektro", "Sanitär", "Software", "Druckerei", "Malerbetrieb", "Consulting",
          "Metallbau", "Gartenbau", "Autohaus", "Apotheke", "Steuerberatung", "Dachdeckerei", "Catering")
FORMS = ("GmbH", "KG", "e.K.", "AG", "GmbH & Co. KG")
# What the list pages are asked: (label, query string). The text is a name's part as a person
# types it (another case, cut short); the amounts are written the four ways issue 10 names.
PAGES = [
    ("home", "/", {}),
    ("list, first page", "/transactions/", {}),
    ("list, text search", "/transactions/", {"q": "krause logist"}),
    ("list, amount 1897", "/transactions/", {"q": "1897"}),
    ("list, amount 1.897,48", "/transactions/", {"q": "1.897,48"}),
    ("list, amount range", "/transactions/", {"amount_from": "1800", "amount_to": "1900"}),
    ("list, account + year", "/transactions/", {"account": "ACCOUNT", "date_from": "YEAR-01-01",
                                                "date_to": "YEAR-12-31"}),
    ("list, matched", "/transactions/", {"matched": "matched"}),
    ("list, not matched", "/transactions/", {"matched": "unmatched"}),
    ("CSV export, first row", "/transactions/csv/", {}),
]


# the columns a bank often leaves empty
BLANK = {name: "" for name in ("counterparty_bic", "ultimate_debtor", "ultimate_creditor", "structured_reference",
                               "mandate_id", "creditor_id", "bank_reference", "transaction_code", "dk_code",
                               "purpose_code", "return_reason", "batch_reference")}
BLANK.update(reversal=False, batch_size=1)


# -- the data (in the child) ---------------------------------------------------------------------
def _names(rng: random.Random) -> list[str]:
    return [f"{rng.choice(SURNAMES)} {rng.choice(TRADES)} {rng.choice(FORMS)}" for _ in range(2000)]


def _iban(rng: random.Random) -> str:
    return f"DE{rng.randint(10, 99)}{rng.randint(10**17, 10**18 - 1)}"


def fill(transactions: int) -> dict:
    """Migrate and fill the database of DATABASE_URL / KASSENWART_DATA_DIR; returns the ids
    the pages need."""
    from harness import django_ready

    started = time.perf_counter()
    django_ready()
    from django.db import connection, transaction
    from django.utils import timezone

    from kassenwart.banking import text_search
    from kassenwart.banking.models import Balance, BankAccount, StatementImport, Transaction
    from kassenwart.companies.services import company_create, membership_set, user_create
    from kassenwart.core.bulk import insert_rows
    from kassenwart.dashboards.monthly import summary_refresh
    from kassenwart.receivables.models import Customer, Invoice
    from kassenwart.reconciliation import matched_days
    from kassenwart.reconciliation.models import Match, TransactionState

    rng = random.Random(f"bench_dashboard {transactions}")
    today = timezone.localdate()
    first = today - timedelta(days=365 * YEARS)
    company = company_create("Benchmark GmbH", via="cli")
    admin = user_create(USER, PASSWORD, via="cli")
    membership_set(company, admin, "admin", by=None, via="cli")
    accounts = [BankAccount.objects.create(company=company, name=f"Konto {n + 1}", iban=_iban(rng), currency="EUR")
                for n in range(ACCOUNTS)]
    names = _names(rng)
    payers = [(name, _iban(rng)) for name in names]
    months = []
    month = first.replace(day=1)
    while month <= today:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    per_import = transactions // (ACCOUNTS * len(months))
    serial = 0
    for account in accounts:
        for month in months:
            rows = []
            days = [d for d in (month + timedelta(days=k) for k in range(31)) if d.month == month.month and first <= d <= today]
            if not days:
                continue
            with transaction.atomic():
                source = StatementImport.objects.create(company=company, file_name=f"{account.name} {month:%Y-%m}.xml",
                                                        sha256=f"{rng.getrandbits(256):064x}", status="imported",
                                                        added=per_import)
                for _ in range(per_import):
                    serial += 1
                    name, iban = rng.choice(payers)
                    cents = int(rng.paretovariate(1.2) * 2000)
                    amount = Decimal(min(cents, 99_999_999)) / 100
                    if rng.random() < 0.45:
                        amount = -amount
                        remittance = f"Rechnung {rng.randint(1000, 99999)} Kd-Nr {rng.randint(100, 9999)}"
                    else:
                        remittance = f"RE-{month.year}-{rng.randint(1, 40000):05d} {name[:20]}"
                    day = rng.choice(days)
                    rows.append((account.pk, day, day, amount, "EUR", name, iban, remittance,
                                 f"E2E{serial:012d}" if rng.random() < 0.5 else "", source.pk, f"{serial:040x}"))
                insert_rows(Transaction, ["account", "booking_date", "value_date", "amount", "currency",
                                          "counterparty_name", "counterparty_iban", "remittance", "end_to_end_id",
                                          "statement_import", "fingerprint"], rows, same={"company": company.pk, **BLANK})
        Balance.objects.create(account=account, kind="booked", date=today, amount=Decimal("125000.00"),
                               currency="EUR")
    transactions_done = time.perf_counter()
    customers = [Customer(company=company, number=f"K{n:05d}", name=name, iban=iban)
                 for n, (name, iban) in enumerate(payers)]
    Customer.objects.bulk_create(customers)
    customer_ids = list(Customer.objects.filter(company=company).values_list("pk", flat=True))
    now = timezone.now()
    invoices = []
    for n in range(transactions // 10):
        issued = first + timedelta(days=rng.randrange((today - first).days))
        amount = Decimal(rng.randint(1000, 500000)) / 100
        status = "open" if rng.random() < 0.3 else "paid"
        invoices.append((rng.choice(customer_ids), f"RE-{issued.year}-{n:06d}", issued, issued + timedelta(days=14),
                         amount, amount if status == "open" else Decimal("0.00"), status, now, now))
    insert_rows(Invoice, ["customer", "number", "issue_date", "due_date", "amount", "open_amount", "status",
                          "created_at", "updated_at"], invoices, same={"company": company.pk, "currency": "EUR", "payment_reference": ""})
    # What matching leaves: seven in ten payments received matched, the rest open.
    credits = list(Transaction.objects.filter(company=company, amount__gt=0).order_by("pk").values_list("pk", flat=True))
    matched = [pk for pk in credits if rng.random() < 0.7]
    insert_rows(Match, ["transaction"], [(pk,) for pk in matched],
                same={"company": company.pk, "kind": "auto", "reasons": [], "created_at": now})
    taken = set(matched)
    insert_rows(TransactionState, ["transaction", "status"],
                [(pk, "matched" if pk in taken else "open") for pk in credits],
                same={"company": company.pk, "suggestions": [], "note": "", "ignore_reason": None, "updated_at": now})
    matched_days.rebuild(company)  # what the services keep as they match
    invoices_done = time.perf_counter()
    summary_refresh(company)  # what the worker's clock does within a minute of an import
    text_search.index_new()  # what the import's text_index_task does after the commit
    filled = time.perf_counter()
    if connection.vendor == "postgresql":
        # What autovacuum does after a load this size (PostgreSQL 13 on vacuums after inserts
        # too): statistics, without which the planner guesses (the text search walked every
        # row, 2.8 s), and the visibility map, without which no scan is index-only. The
        # product's after_import_task analyzes too (core.statistics), where autovacuum is
        # late or off.
        with connection.cursor() as cursor:  # Django's autocommit: VACUUM runs outside a transaction
            cursor.execute("VACUUM ANALYZE")
    return {"account": accounts[0].pk, "year": today.year - 1,
            "transactions": Transaction.objects.filter(company=company).count(),
            "invoices": Invoice.objects.filter(company=company).count(),
            "seconds": f"transactions {transactions_done - started:.0f} s, invoices and matches "
                       f"{invoices_done - transactions_done:.0f} s, "
                       f"kept sums and text index {filled - invoices_done:.0f} s, vacuum and analyze {time.perf_counter() - filled:.0f} s"}


def authenticator() -> str:
    """A new authenticator app for the admin (a run's own); its key, base32."""
    from harness import django_ready

    django_ready()
    from kassenwart.companies.two_factor import authenticator_issue, authenticator_secret
    from kassenwart.core.models import User

    return authenticator_secret(authenticator_issue(User.objects.get(username=USER), via="cli"))


# -- asking the server -------------------------------------------------------------------------
class Browser:
    """One keep-alive HTTP connection with the session cookie, like a person's browser."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def _headers(self, extra: dict | None = None) -> dict:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": cookie, "Host": f"127.0.0.1:{self.port}", **(extra or {})}

    def _keep(self, response) -> None:
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]

    def get(self, path: str) -> tuple[int, bytes]:
        self.connection.request("GET", path, headers=self._headers())
        response = self.connection.getresponse()
        body = response.read()
        self._keep(response)
        return response.status, body

    def timed(self, path: str) -> tuple[int, float]:
        """Status and milliseconds until the whole page has come."""
        start = time.perf_counter()
        status, _body = self.get(path)
        return status, (time.perf_counter() - start) * 1000

    def first_row(self, path: str) -> tuple[int, float]:
        """Status and milliseconds until the first data row of a CSV download has come; then
        the connection is closed, as by a person who cancels the download (reading a
        million rows to the end would time the network, not the page), and a new one opened."""
        start = time.perf_counter()
        self.connection.request("GET", path, headers=self._headers())
        response = self.connection.getresponse()
        seen = b""
        while seen.count(b"\n") < 2:
            piece = response.read1(65536)
            if not piece:
                break
            seen += piece
        elapsed = (time.perf_counter() - start) * 1000
        self.connection.close()
        # the server writes on until it finds the connection gone; the next request should
        # not wait behind that (one person cancels one download, not one a second)
        time.sleep(CANCELLED_SETTLES)
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        return response.status, elapsed

    def _post_form(self, path: str, fields: dict) -> int:
        """GET the form at `path`, POST it with its CSRF token and `fields`; the status."""
        _status, page = self.get(path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urlencode({"csrfmiddlewaretoken": token, **fields})
        self.connection.request("POST", path, body=body, headers=self._headers({
            "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{self.port}{path}"}))
        response = self.connection.getresponse()
        response.read()
        self._keep(response)
        return response.status

    def login(self, totp_key: str) -> None:
        """Password, then the code of the admin's authenticator app (admins need one)."""
        from django_otp.oath import TOTP

        if self._post_form("/login/", {"username": USER, "password": PASSWORD}) != 302:
            raise SystemExit("login refused")
        code = f"{TOTP(base64.b32decode(totp_key + '=' * (-len(totp_key) % 8)), step=30, t0=0, digits=6).token():06d}"
        if self._post_form("/login/code/", {"code": code}) != 302:
            raise SystemExit("login code refused")


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_for(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped:\n{server.stderr.read()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def measure(env: dict, ids: dict, requests: int, port: int) -> Iterator[tuple[str, float, float, float, float]]:
    """(page, p50 ms, p95 ms, server CPU ms per request, server CPU share) of every page, as
    each is measured."""
    server = subprocess.Popen([sys.executable, "-m", "kassenwart", "serve", "--port", str(port), "--no-worker",
                               "--threads", "4"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(port, server)
        browser = Browser(port)
        browser.login(child(__file__, ["--authenticator"], env)["key"])
        for label, path, params in PAGES:
            query = {k: str(v).replace("ACCOUNT", str(ids["account"])).replace("YEAR", str(ids["year"]))
                     for k, v in params.items()}
            url = path + ("?" + urlencode(query) if query else "")
            ask = browser.first_row if "csv" in path else browser.timed
            for _ in range(3):
                status, _elapsed = ask(url)
                if status != 200:
                    raise SystemExit(f"{url}: HTTP {status}")
            times = []
            cpu, wall = _cpu_seconds(server.pid), time.perf_counter()
            for _ in range(requests):
                times.append(ask(url)[1])
            cpu = _cpu_seconds(server.pid) - cpu
            share = cpu / (time.perf_counter() - wall)
            yield label, statistics.median(times), percentile(times, 0.95), cpu * 1000 / requests, share
    finally:
        server.terminate()
        server.wait(timeout=30)


def kept_place(transactions: int) -> str:
    """The folder that keeps a built data set between runs (the SQLite data directory, the
    PostgreSQL database's key file and the ids the pages need)."""
    root = os.environ.get("BENCH_DASHBOARD_DIR") or os.path.join(tempfile.gettempdir(), "kassenwart_bench_dashboard")
    return os.path.join(root, str(transactions))


def pg_name(transactions: int) -> str:
    return f"bench_dashboard_{transactions}"


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", sql], check=True)


def built(name: str, env: dict, place: str, transactions: int, rebuild: bool) -> dict:
    """The data set in `env`'s database: the one kept from an earlier run, or filled now
    (then kept, with the ids the pages need beside it)."""
    answer = os.path.join(place, "built.json")
    if os.path.exists(answer) and not rebuild:
        with open(answer) as kept:
            ids = json.load(kept)
        print(f"\n{name}: {ids['transactions']:,} transactions, {ids['invoices']:,} invoices, kept from an "
              f"earlier run in {place} (--rebuild makes them anew, --clean deletes them)")
        return ids
    started = time.perf_counter()
    print(f"\n{name}: filling ({load()})")
    sys.stdout.flush()
    ids = child(__file__, ["--fill", str(transactions)], env)
    with open(answer, "w") as kept:
        json.dump(ids, kept)
    print(f"{name}: {ids['transactions']:,} transactions, {ids['invoices']:,} invoices, made in "
          f"{time.perf_counter() - started:.0f} s ({ids['seconds']}) and kept in {place}")
    return ids


def run_database(name: str, env: dict, ids: dict, requests: int, port: int) -> None:
    print(f"  {requests} requests a page after 3 warm-up ones; before: {load()}")
    full_env = {**os.environ, **env}
    for label, p50, p95, cpu, share in measure(full_env, ids, requests, port):
        mark = "met" if p95 < GOAL_MS else "NOT MET"
        print(f"  {label:<24} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   {mark:<8} server CPU {cpu:6.1f} ms a request, "
              f"{share:4.0%} of a CPU")
        sys.stdout.flush()
    print(f"  after:  {load()}")
    sys.stdout.flush()


def sqlite(transactions: int, requests: int, rebuild: bool, port: int) -> None:
    place = os.path.join(kept_place(transactions), "sqlite")
    if (rebuild or not os.path.exists(os.path.join(place, "built.json"))) and os.path.exists(place):
        shutil.rmtree(place)  # asked to, or a fill that did not finish
    os.makedirs(place, exist_ok=True)
    env = {"KASSENWART_DATA_DIR": place, "DATABASE_URL": ""}
    run_database("SQLite", env, built("SQLite", env, place, transactions, rebuild=False), requests, port)


def postgresql(transactions: int, requests: int, rebuild: bool, port: int) -> None:
    if not postgres_reachable():
        print("\nPostgreSQL: not reachable, skipped")
        return
    place = os.path.join(kept_place(transactions), "postgresql")
    database = pg_name(transactions)
    if rebuild or not os.path.exists(os.path.join(place, "built.json")):
        if os.path.exists(place):
            shutil.rmtree(place)
        _psql(f"DROP DATABASE IF EXISTS {database}")
        _psql(f"CREATE DATABASE {database}")
    os.makedirs(place, exist_ok=True)  # the key file and uploads of the product
    env = {"KASSENWART_DATA_DIR": place, "DATABASE_URL": f"{PG_SERVER}/{database}"}
    run_database("PostgreSQL", env, built("PostgreSQL", env, place, transactions, rebuild=False), requests, port)


def clean(transactions: int) -> None:
    shutil.rmtree(kept_place(transactions), ignore_errors=True)
    if postgres_reachable():
        _psql(f"DROP DATABASE IF EXISTS {pg_name(transactions)}")
    print(f"deleted the kept data sets of {transactions:,} transactions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 transactions and 10,000 invoices")
    parser.add_argument("--rows", "--transactions", dest="transactions", type=int, default=1_000_000,
                        help="transactions (a tenth as many invoices)")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--port", type=int, default=PORT, help="where the product is served (a free port)")
    parser.add_argument("--db", choices=["sqlite", "pg", "postgresql", "both"], default="both")
    parser.add_argument("--rebuild", action="store_true", help="fill anew even when a kept data set exists")
    parser.add_argument("--clean", action="store_true", help="delete the kept data sets of this size and stop")
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)  # in the child
    parser.add_argument("--authenticator", action="store_true", help=argparse.SUPPRESS)  # in the child
    args = parser.parse_args()
    if args.fill is not None:
        report(fill(args.fill))
        return
    if args.authenticator:
        report({"key": authenticator()})
        return
    transactions = 100_000 if args.quick else args.transactions
    if args.clean:
        clean(transactions)
        return
    print(f"bench_dashboard: {transactions:,} transactions over {ACCOUNTS} accounts and {YEARS} years, "
          f"{transactions // 10:,} invoices; goal: p95 < {GOAL_MS:.0f} ms for every page on both databases")
    print(f"at start: {load()}")
    if args.db in ("sqlite", "both"):
        sqlite(transactions, args.requests, args.rebuild, args.port)
    if args.db in ("pg", "postgresql", "both"):
        postgresql(transactions, args.requests, args.rebuild, args.port)
    print(f"at end:   {load()}")


if __name__ == "__main__":
    main()
