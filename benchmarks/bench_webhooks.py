"""Benchmark: webhooks for a large statement import: the fan-out (audit event -> one
transaction.booked delivery per transaction) and the posts to a receiver on this machine.

    benchmarks/bench_webhooks.py [--entries 5000] [--runs 3] [--no-postgres]

For each database (SQLite in a temporary data directory; PostgreSQL in a throw-away database
when it is reachable) a child process migrates, makes a company, an admin and one endpoint
for transaction.booked pointed at a local receiver (a threaded HTTP server on 127.0.0.1:18201
that answers 200 and counts), then, --runs times: imports a camt.053 of --entries entries
(not timed), runs the fan-out job (timed: the deliveries made, one transaction), and posts
every delivery one after the other as one worker does (timed: signing, HTTP, the attempt row
and the delivery's update). Printed: min / median seconds and deliveries per second.

Goal (orientation, not from the issue): the fan-out of 5,000 transactions within 5 s; one
worker posts at least 100 deliveries a second to a receiver on the same machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402 (beside this file)

PORT = 18201


def camt(entries: int, statement_id: str) -> bytes:
    """A camt.053 with `entries` credits of one day (a template written here)."""
    lines = [
        f'<Ntry><Amt Ccy="EUR">{10 + n % 900}.{n % 100:02d}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
        f"<BookgDt><Dt>2026-10-01</Dt></BookgDt><ValDt><Dt>2026-10-01</Dt></ValDt><BkTxCd/><NtryDtls><TxDtls>"
        f"<Refs><EndToEndId>{statement_id}-{n}</EndToEndId></Refs><RltdPties><Dbtr><Pty><Nm>Kunde {n}</Nm></Pty></Dbtr>"
        f"</RltdPties><RmtInf><Ustrd>Rechnung RE-{statement_id}-{n}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        for n in range(entries)
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
        f"<BkToCstmrStmt><GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>2026-10-01T18:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{statement_id}</Id><CreDtTm>2026-10-01T18:00:00</CreDtTm>"
        "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        + "".join(lines) + "</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def measure(entries: int, runs: int) -> dict:
    import io
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    harness.django_ready()
    from kassenwart.banking.services import statement_import
    from kassenwart.companies.services import company_create, membership_set, user_create
    from kassenwart.webhooks.delivery import deliveries_send
    from kassenwart.webhooks.fanout import webhooks_fan_out
    from kassenwart.webhooks.models import Delivery
    from kassenwart.webhooks.services import endpoint_create

    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["content-length"]))
            received.append(1)
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    company = company_create("Bench GmbH", via="bench")
    admin = user_create("bench-admin", "correct horse battery", via="bench")
    membership_set(company, admin, "admin", by=None, via="bench")
    endpoint_create(company, url=f"http://127.0.0.1:{PORT}/hooks", events=["transaction.booked"], user=admin,
                    via="bench")
    fan_out, send = harness.Figure(), harness.Figure()
    for run in range(runs):
        statement_import(company, io.BytesIO(camt(entries, f"S{run}")), file_name=f"{run}.xml", user=admin,
                         via="bench")
        started = time.perf_counter()
        made = webhooks_fan_out()
        fan_out.add(time.perf_counter() - started)
        assert made == entries, made
        ids = list(Delivery.objects.filter(state="pending").values_list("pk", flat=True))
        started = time.perf_counter()
        posted = deliveries_send(ids)
        send.add(time.perf_counter() - started)
        assert posted == entries, posted
    server.shutdown()
    return {"fan_out": fan_out.values, "send": send.values, "received": len(received)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--runs", type=harness.runs_argument, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        harness.report(measure(args.entries, args.runs))
        return
    harness.preamble("webhooks: fan-out and posts of one statement import", "none (orientation figures)",
                     ["fan-out of 5,000 transactions within 5 s", "one worker posts >= 100 deliveries/s"], args.runs)
    databases = [("sqlite", None)]
    if not args.no_postgres and harness.postgres_reachable():
        databases.append(("postgresql", "pg"))
    for name, kind in databases:
        with tempfile.TemporaryDirectory() as data:
            env = {"KASSENWART_DATA_DIR": data}
            if kind == "pg":
                with harness.scratch_database("bench_webhooks") as url:
                    figures = harness.child(__file__, ["--child", "--entries", str(args.entries), "--runs",
                                                       str(args.runs)], {**env, "DATABASE_URL": url})
            else:
                env.pop("DATABASE_URL", None)
                figures = harness.child(__file__, ["--child", "--entries", str(args.entries), "--runs",
                                                   str(args.runs)], {**env, "DATABASE_URL": ""})
        fan_out, send = harness.Figure(figures["fan_out"]), harness.Figure(figures["send"])
        print(f"{name}: fan-out of {args.entries} transactions {fan_out.show()} "
              f"({args.entries / fan_out.median:.0f} deliveries/s); posting them {send.show()} "
              f"({args.entries / send.median:.0f}/s, one worker)")
    print(harness.load())


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kassenwart.settings")
    os.environ["KASSENWART_WEBHOOKS_ALLOW_PRIVATE"] = "1"  # the receiver is on 127.0.0.1 over http
    main()
