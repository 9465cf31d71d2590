"""Issue 14's end-to-end check: a script with plain httpx plays the CRM against `kassenwart
serve` (with its embedded task worker). It gets a token from `kassenwart api-token create`,
registers its webhook endpoint, pushes 10,000 invoices in one call, uploads a bank statement,
reads the matches the worker made, maps the one payment left open, and receives the signed
webhooks on its own receiver (a threaded http.server), which verifies every signature with
the standardwebhooks package. Its first answer is a 503: that delivery comes again (same
webhook-id) and is accepted.

The clock's webhook jobs (the fan-out of new events, the hand-over of due retries) run once
a minute in the served product; the test runs them when it needs them, as the clock would at
its next tick, in a process of its own.
"""

import subprocess
import sys
import time

import crm_receiver
import httpx
import pytest

from browser_fixtures import free_port, kassenwart_command, run_env
from statement_samples import camt053

pytestmark = pytest.mark.slow

INVOICES = 10_000
PAYER = "DE12500105170648489890"
CLOCK_TICK = """
import django
django.setup()
from kassenwart.webhooks.delivery import retries_enqueue_due
from kassenwart.webhooks.fanout import webhooks_fan_out
print(webhooks_fan_out(), retries_enqueue_due())
"""


def _amount(n: int) -> str:
    return {11: "2500.00", 12: "1700.50"}.get(n, f"{100 + n % 900}.{n % 97:02d}")


def _until(what: str, check, seconds: float = 90.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"not in time: {what}")


@pytest.fixture
def served(tmp_path):
    """`kassenwart init`, a write token from the CLI, then `kassenwart serve` on a port of this
    run's range; yields (base URL, token, environment)."""
    env = {**run_env(tmp_path), "KASSENWART_API_RATE_PER_MINUTE": "100000",
           "DJANGO_SETTINGS_MODULE": "kassenwart.settings"}
    command = kassenwart_command()
    subprocess.run([*command, "init", "--company", "Nordlicht Software GmbH", "--admin", "anna", "--password",
                    "correct horse battery"], env=env, check=True, capture_output=True, timeout=180)
    made = subprocess.run([*command, "api-token", "create", "--company", "Nordlicht Software GmbH", "--user", "anna",
                           "--name", "CRM", "--scope", "write"], env=env, check=True, capture_output=True, text=True,
                          timeout=180)
    secret = made.stdout.strip().splitlines()[-1].split()[-1]
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen([*command, "serve", "--port", str(port)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        def up():
            if process.poll() is not None:
                pytest.fail(f"kassenwart serve exited:\n{log.read_text()[-3000:]}")
            try:
                return httpx.get(f"{base}/api/v1/openapi.json", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        _until("kassenwart serve answers", up, 120)
        yield base, secret, env
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def crm():
    crm, server = crm_receiver.start()
    yield crm
    server.shutdown()
    server.server_close()


def clock_tick(env) -> str:
    done = subprocess.run([sys.executable, "-c", CLOCK_TICK], env=env, check=True, capture_output=True, text=True,
                          timeout=120)
    return done.stdout.strip()


def test_a_crm_pushes_invoices_reads_matches_maps_a_payment_and_receives_signed_webhooks(served, crm):
    base, secret, env = served
    api = httpx.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {secret}"}, timeout=120)
    assert httpx.get(f"{base}/api/v1/invoices").status_code == 401  # no token, no data

    hook = api.post("/webhooks/endpoints", json={"url": crm.url, "description": "CRM",
                                                 "events": ["transaction.booked", "payment.matched", "invoice.paid"]})
    assert hook.status_code == 201, hook.text
    crm.secret = hook.json()["secret"]

    items = [{"invoice_number": f"RE-{n:05d}", "customer_number": f"K{n % 100}", "customer_name": f"Kunde {n % 100}",
              "amount": _amount(n), "due_date": "2026-08-31"} for n in range(INVOICES)]
    started = time.monotonic()
    pushed = api.post("/invoices/bulk", json={"items": items}, headers={"Idempotency-Key": "crm-push-1"})
    took = time.monotonic() - started
    assert pushed.status_code == 200, pushed.text
    assert (pushed.json()["created"], pushed.json()["errors"]) == (INVOICES, [])
    print(f"\n10,000 invoices in one call: {took:.2f} s")

    # One payment names its invoice (matched by the worker); one pays two invoices of two
    # customers and names neither (left for a person).
    statement = camt053(iban="DE02120300000000202051", entries=(
        (_amount(7), "CRDT", "Kunde 7", PAYER, "Rechnung RE-00007"),
        ("4200.50", "CRDT", "Sammler KG", "DE89370400440532013000", "Sammelzahlung Juli")))
    uploaded = api.post("/statements", files={"file": ("juli.xml", statement, "application/xml")})
    assert uploaded.status_code == 200, uploaded.text
    assert (uploaded.json()["status"], uploaded.json()["added"]) == ("imported", 2)

    matches = _until("the worker's matching", lambda: api.get("/reconciliation/matches").json()["items"])
    assert [(m["kind"], [a["invoice_number"] for a in m["allocations"]]) for m in matches] == [
        ("auto", ["RE-00007"])]
    waiting = _until("the open payment", lambda: api.get("/reconciliation/payments").json()["items"])
    assert [(p["amount"], p["status"]) for p in waiting] == [("4200.50", "open")]

    ids = {number: api.get("/invoices", params={"number": number}).json()["items"][0]["id"]
           for number in ("RE-00011", "RE-00012")}
    mapped = api.post(f"/reconciliation/payments/{waiting[0]['id']}/map", json={"allocations": [
        {"invoice_id": ids["RE-00011"], "amount": "2500.00"}, {"invoice_id": ids["RE-00012"], "amount": "1700.50"}]},
        headers={"Idempotency-Key": "crm-map-1"})
    assert mapped.status_code == 201, mapped.text
    assert [i["status"] for i in api.get("/invoices", params={"status": "paid"}).json()["items"]] == ["paid"] * 3
    assert api.get("/reconciliation/payments").json()["items"] == []

    # The webhooks: 2 transactions booked, 2 payments matched, 3 invoices paid. The CRM's
    # first answer is a 503.
    crm.answers = [503]
    clock_tick(env)
    _until("seven deliveries", lambda: len(crm.calls) >= 7, 60)
    assert all(call.payload is not None for call in crm.calls), "a signature did not verify"
    first = crm.calls[0]
    assert first.answered == 503
    time.sleep(5.5)  # the first retry is due 5 s after the failure
    clock_tick(env)
    again = _until("the retry", lambda: [c for c in crm.verified() if c.headers["webhook-id"] ==
                                         first.headers["webhook-id"] and c.answered == 200], 60)
    assert len(again) == 1 and again[0].payload == first.payload
    assert int(again[0].headers["webhook-timestamp"]) > int(first.headers["webhook-timestamp"]) - 1

    accepted = [c for c in crm.verified() if c.answered == 200]
    kinds = sorted(c.payload["type"] for c in accepted)
    assert kinds == ["invoice.paid"] * 3 + ["payment.matched"] * 2 + ["transaction.booked"] * 2
    paid = {c.payload["data"]["invoice_number"] for c in accepted if c.payload["type"] == "invoice.paid"}
    assert paid == {"RE-00007", "RE-00011", "RE-00012"}
    manual = next(c for c in accepted if c.payload["type"] == "payment.matched"
                  and c.payload["data"]["match_id"] == mapped.json()["id"])
    assert {a["invoice_number"] for a in manual.payload["data"]["allocations"]} == {"RE-00011", "RE-00012"}

    log = api.get("/webhooks/deliveries", params={"limit": 50}).json()["items"]
    assert len(log) == 7 and {d["state"] for d in log} == {"succeeded"}
    retried = next(d for d in log if d["event_id"] == first.headers["webhook-id"])
    attempts = api.get(f"/webhooks/deliveries/{retried['id']}").json()["attempts"]
    assert [(a["trigger"], a["status_code"]) for a in attempts] == [("first", 503), ("retry", 200)]
