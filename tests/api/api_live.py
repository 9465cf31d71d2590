"""A live `kassenwart serve` for the API tests over real HTTP (parallel requests,
schemathesis, the docs page in Chromium): started on a free port (browser_fixtures.free_port)."""

from __future__ import annotations

import http.client
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from browser_fixtures import free_port, kassenwart_command


class LiveApi:
    """`kassenwart serve` with its own data directory (SQLite), a company, an admin and a write
    token made with `kassenwart api-token create`."""

    def __init__(self, base: str, secret: str, data_dir: Path, cli_output: str):
        self.base, self.secret, self.data_dir, self.cli_output = base, secret, data_dir, cli_output

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection(self.base.split("//")[1].split(":")[0], int(self.base.rsplit(":", 1)[1]),
                                                timeout=120)
        try:
            connection.request(method, f"/api/v1{path}", body=body, headers={
                "Authorization": f"Bearer {self.secret}", "Content-Type": "application/json", **(headers or {})})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()


@contextmanager
def serving_api(env: dict, folder: Path):
    """`kassenwart serve --no-worker` on a free port until the block ends; yields its base URL."""
    port = free_port()
    log = folder / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen([*kassenwart_command(), "serve", "--no-worker", "--port", str(port)], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"kassenwart serve did not start:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


