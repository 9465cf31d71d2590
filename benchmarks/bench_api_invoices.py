"""100,000 invoices upserted through the REST API, over real HTTP to `kassenwart serve`.

    python benchmarks/bench_api_invoices.py                      # SQLite in a new data directory
    DATABASE_URL=postgresql://... python benchmarks/bench_api_invoices.py   # an empty PostgreSQL database
    python benchmarks/bench_api_invoices.py --calls 3 --per-call 10000 --port 18150

`kassenwart init` sets up a company and an admin, `kassenwart api-token create` makes a write
token (read off the last word of its output), and `kassenwart serve --no-worker` serves on
127.0.0.1:--port. The bodies (--per-call invoices each, of 2,000 customers with IBANs, seeded)
are built and encoded before the clock starts; then --calls POST /api/v1/invoices/bulk are sent
one after the other, each with an Idempotency-Key, and timed from the first byte sent to the
last byte read. A second round sends the same invoices with new amounts (all updates).

Printed: per call the wall time and the answer's counts, the total, invoices per second, and
the server process's CPU time over the round.
Goal (issue 14): the 100,000 new invoices in at most 10 s on this machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from schwifty import IBAN

CUSTOMERS = 2_000


def kassenwart() -> list[str]:
    script = Path(sys.executable).with_name("kassenwart")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kassenwart"]


def bodies(calls: int, per_call: int, seed: int, bump: str = "0") -> list[bytes]:
    rng = random.Random(seed)
    ibans = [str(IBAN.generate("DE", bank_code="37040044", account_code=f"{5320000000 + n}").compact)
             for n in range(CUSTOMERS)]
    out = []
    for call in range(calls):
        items = []
        for n in range(per_call):
            number = call * per_call + n
            customer = rng.randrange(CUSTOMERS)
            cents = rng.randrange(1_000, 5_000_000)
            items.append({
                "invoice_number": f"RE-2026-{number:06d}", "customer_number": f"K{customer:05d}",
                "customer_name": f"Kunde {customer} GmbH", "customer_iban": ibans[customer],
                "amount": f"{cents // 100 + int(bump)}.{cents % 100:02d}", "currency": "EUR",
                "issue_date": "2026-07-01", "due_date": "2026-07-31", "payment_reference": f"RF{number:06d}",
            })
        out.append(json.dumps({"items": items}).encode())
    return out


def wait_up(port: int, process: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"kassenwart serve exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/openapi.json")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("kassenwart serve did not answer")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def round_of(port: int, secret: str, payloads: list[bytes], label: str, pid: int) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    cpu_before, started = cpu_seconds(pid), time.perf_counter()
    for n, body in enumerate(payloads):
        t0 = time.perf_counter()
        connection.request("POST", "/api/v1/invoices/bulk", body=body, headers={
            "Authorization": f"Bearer {secret}", "Content-Type": "application/json",
            "Idempotency-Key": f"{label}-{n}"})
        response = connection.getresponse()
        answer = json.loads(response.read())
        if response.status != 200 or answer["errors"]:
            sys.exit(f"call {n}: {response.status} {str(answer)[:500]}")
        print(f"  {label} call {n + 1:2d}: {time.perf_counter() - t0:6.3f} s  created {answer['created']:6d}  "
              f"updated {answer['updated']:6d}  customers created {answer['customers_created']}")
    wall = time.perf_counter() - started
    cpu = cpu_seconds(pid) - cpu_before
    count = sum(len(json.loads(p)["items"]) for p in payloads)
    print(f"{label}: {count:,} invoices in {wall:.2f} s ({count / wall:,.0f}/s); server CPU {cpu:.2f} s")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--per-call", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=18150)
    parser.add_argument("--goal", type=float, default=10.0, help="seconds for the first round")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-api-") as folder:
        env = {**os.environ, "KASSENWART_DATA_DIR": folder}
        db = "PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
        subprocess.run([*kassenwart(), "init", "--company", "Bench GmbH", "--admin", "bench", "--password",
                        "bench-password-1"], env=env, check=True, capture_output=True)
        made = subprocess.run([*kassenwart(), "api-token", "create", "--company", "Bench GmbH", "--user", "bench",
                               "--name", "benchmark", "--scope", "write"], env=env, check=True, capture_output=True,
                              text=True)
        secret = made.stdout.strip().splitlines()[-1].split()[-1]
        print(f"building {args.calls} bodies of {args.per_call:,} invoices ...")
        first, second = bodies(args.calls, args.per_call, 14), bodies(args.calls, args.per_call, 14, bump="1")
        print(f"body size {len(first[0]) / 1e6:.1f} MB; {db}; kassenwart serve --no-worker on port {args.port}")
        log = open(Path(folder) / "serve.log", "w")
        server = subprocess.Popen([*kassenwart(), "serve", "--no-worker", "--port", str(args.port)], env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_up(args.port, server)
            wall = round_of(args.port, secret, first, "new", server.pid)
            round_of(args.port, secret, second, "update", server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        verdict = "met" if wall <= args.goal else "MISSED"
        print(f"goal {args.goal:.0f} s for {args.calls * args.per_call:,} new invoices: {verdict} ({wall:.2f} s)")


if __name__ == "__main__":
    main()
