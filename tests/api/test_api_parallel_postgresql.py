"""Parallel requests with one Idempotency-Key against `kassenwart serve` on PostgreSQL (the
test database), where the writers truly overlap: the unique row lets one request run."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from needs_postgresql import MARKS, database_url

from kassenwart.core.models import AuditEvent
from kassenwart.receivables.models import Invoice

from api_live import LiveApi, serving_api
from browser_fixtures import run_env

pytestmark = [*MARKS, pytest.mark.slow]


def test_eight_parallel_requests_with_one_key_run_once(company, admin, make_token, tmp_path):
    env = {**run_env(tmp_path), "DATABASE_URL": database_url()}
    secret = make_token(company, admin, "write").secret
    body = json.dumps({"items": [{"invoice_number": f"PG-{n}", "customer_number": f"K{n % 20}",
                                  "customer_name": "Kunde", "amount": "1.00"} for n in range(3_000)]}).encode()
    with serving_api(env, tmp_path) as base:
        api = LiveApi(base, secret, tmp_path, "")
        start = threading.Barrier(8)

        def send(_):
            start.wait()
            return api.request("POST", "/invoices/bulk", body, {"Idempotency-Key": "pg-parallel"})

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(send, range(8)))
    ran = [a for a in answers if a[0] == 200 and "Idempotent-Replayed" not in a[1]]
    others = [a for a in answers if a not in ran]
    assert len(ran) == 1, [a[0] for a in answers]
    assert all(a[0] == 409 or a[1].get("Idempotent-Replayed") == "true" for a in others)
    assert Invoice.objects.filter(company=company).count() == 3_000
    assert AuditEvent.objects.filter(action="invoices.imported", company=company).count() == 1
