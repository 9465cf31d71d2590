"""API fixtures: tokens made through the service, and a client that sends them."""

import json
import sys
from pathlib import Path

import pytest
from django.test import Client

from kassenwart.companies.api_tokens import token_create

# The statement files built in code for the web tests (tests/web/statement_samples.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from api_live import LiveApi, serving_api  # noqa: E402 (beside this file)


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


@pytest.fixture(scope="session")
def live_api(tmp_path_factory):
    import subprocess

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
    with serving_api(env, folder) as base:
        yield LiveApi(base, secret, Path(env["KASSENWART_DATA_DIR"]), made.stdout)
