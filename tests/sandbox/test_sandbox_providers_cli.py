"""`kassenwart sandbox-provider paypal|qonto|stripe` prints its url and credentials, then serves
its ledger to the product's connectors over HTTP."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from kassenwart.banking.providers import paypal, qonto, stripe


def test_help_names_the_providers(tmp_path):
    env = {**os.environ, "KASSENWART_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "kassenwart", "sandbox-provider", "--help"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 0
    assert "{paypal,qonto,stripe}" in done.stdout and "--port" in done.stdout


@pytest.mark.parametrize("connector", [paypal, qonto, stripe], ids=lambda module: module.NAME)
def test_each_simulator_serves_its_demo_ledger(connector, tmp_path):
    env = {**os.environ, "KASSENWART_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "kassenwart", "sandbox-provider", connector.NAME, "--port", "0"],
                               stdout=subprocess.PIPE, text=True, env=env)
    try:
        info = json.loads(process.stdout.readline())
        assert info["provider"] == connector.NAME and info["url"].startswith("http://127.0.0.1:")
        now = datetime.now(UTC)
        accounts = connector.fetch(info["credentials"], info["url"], now - timedelta(days=90), now=now)
        assert len(accounts) == 1
        entries = accounts[0].entries
        assert any(e.status == "booked" and e.amount > 0 for e in entries)
        assert any(e.status == "pending" for e in entries)
        assert accounts[0].header.closing.amount >= 0
    finally:
        process.terminate()
        process.wait(timeout=10)
