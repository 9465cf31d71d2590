"""API fixtures: tokens made through the service, and a client that sends them."""

import json
import os
import sys
from pathlib import Path

import pytest
from django.test import Client

from kassenwart.api.tokens import token_create

# The statement files built in code for the web tests (tests/web/statement_samples.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))


class ApiClient:
    """Django's test client speaking JSON with a bearer token (or none)."""

    def __init__(self, secret: str | None, language: str = "en"):
        self.client = Client()
        self.headers = {"Accept-Language": language}
        if secret:
            self.headers["Authorization"] = f"Bearer {secret}"

    def get(self, path, params=None, **headers):
        return self.client.get(f"/api/v1{path}", params or {}, headers={**self.headers, **headers})

    def post(self, path, body=None, **headers):
        return self.client.post(f"/api/v1{path}", json.dumps(body if body is not None else {}),
                                content_type="application/json", headers={**self.headers, **headers})

    def upload(self, path, files: dict, data=None, **headers):
        return self.client.post(f"/api/v1{path}", {**(data or {}), **files}, headers={**self.headers, **headers})


@pytest.fixture
def api_client():
    """ApiClient(secret, language="en"): a client with that token (None: without)."""
    return ApiClient


@pytest.fixture
def make_token(db):
    def make(company, user, scope="write", **kwargs):
        return token_create(company, user=user, name=f"{scope} token", scope=scope, by=None, via="test", **kwargs)

    return make


@pytest.fixture
def api(company, admin, make_token):
    """A client with a write token of the company's admin."""
    return ApiClient(make_token(company, admin, "write").secret)


@pytest.fixture
def other_company(db, make_user):
    from kassenwart.companies.services import company_create

    other = company_create("Südwind Handel AG", via="test")
    other.admin = make_user(other, "admin", "admin-other")
    return other


# -- a live `kassenwart serve` for the tests over real HTTP (parallel requests, schemathesis)

PORTS = range(*map(int, os.environ.get("KASSENWART_TEST_PORTS", "18100-18200").split("-")))  # the ports these tests may take (a machine shared by several runs)


def _free_port() -> int:
    import socket

    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


class LiveApi:
    """`kassenwart serve` with its own data directory (SQLite), a company, an admin and a write
    token made with `kassenwart api-token create`."""

    def __init__(self, base: str, secret: str, data_dir: Path, cli_output: str):
        self.base, self.secret, self.data_dir, self.cli_output = base, secret, data_dir, cli_output

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        import http.client

        connection = http.client.HTTPConnection(self.base.split("//")[1].split(":")[0], int(self.base.rsplit(":", 1)[1]),
                                                timeout=120)
        try:
            connection.request(method, f"/api/v1{path}", body=body, headers={
                "Authorization": f"Bearer {self.secret}", "Content-Type": "application/json", **(headers or {})})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()


@pytest.fixture(scope="session")
def live_api(tmp_path_factory):
    import subprocess
    import time
    import urllib.request

    from browser_fixtures import kassenwart_command, run_env

    folder = tmp_path_factory.mktemp("live-api")
    env = {**run_env(folder), "KASSENWART_API_RATE_PER_MINUTE": "100000"}
    command = kassenwart_command()
    subprocess.run([*command, "init", "--company", "Nordlicht Software GmbH", "--admin", "anna", "--password",
                    "correct horse battery"], env=env, check=True, capture_output=True, timeout=180)
    made = subprocess.run([*command, "api-token", "create", "--company", "Nordlicht Software GmbH", "--user", "anna",
                           "--name", "CRM", "--scope", "write", "--expires-days", "30"], env=env, check=True,
                          capture_output=True, text=True, timeout=180)
    secret = made.stdout.strip().splitlines()[-1].split()[-1]
    port = _free_port()
    log = folder / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen([*command, "serve", "--no-worker", "--port", str(port)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
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
        yield LiveApi(base, secret, Path(env["KASSENWART_DATA_DIR"]), made.stdout)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
