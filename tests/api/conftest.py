"""API fixtures: tokens made through the service, and a client that sends them."""

import json
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
