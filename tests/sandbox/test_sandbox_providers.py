"""The provider simulators behave as the providers document it, asked with plain HTTP."""

import base64
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from kassenwart.sandbox.providers import PayPalApi, ProviderServer, QontoApi


@pytest.fixture
def serving():
    servers = []

    def serve(api):
        servers.append(ProviderServer(api).start())
        return servers[-1]

    yield serve
    for server in servers:
        server.stop()


def _when(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def test_paypal_wants_a_token_and_at_most_31_days_per_search(serving):
    api = PayPalApi.demo()
    server = serving(api)
    basic = base64.b64encode(f"{api.client_id}:wrong".encode()).decode()
    refused = httpx.post(f"{server.url}/v1/oauth2/token", data={"grant_type": "client_credentials"},
                         headers={"Authorization": f"Basic {basic}"})
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    token = httpx.post(f"{server.url}/v1/oauth2/token", data={"grant_type": "client_credentials"},
                       auth=(api.client_id, api.client_secret)).json()["access_token"]
    now = datetime.now(UTC)
    search = f"{server.url}/v1/reporting/transactions"
    headers = {"Authorization": f"Bearer {token}"}
    too_long = httpx.get(search, headers=headers, params={"start_date": _when(now - timedelta(days=32)),
                                                          "end_date": _when(now)})
    assert too_long.status_code == 400 and too_long.json()["name"] == "INVALID_REQUEST"
    page = httpx.get(search, headers=headers, params={"start_date": _when(now - timedelta(days=31)),
                                                      "end_date": _when(now), "page_size": 2, "page": 1}).json()
    assert len(page["transaction_details"]) == 2 and page["total_pages"] > 1
    fee = page["transaction_details"][0]["transaction_info"]["fee_amount"]["value"]
    assert fee.startswith("-")


def test_qonto_checks_login_and_secret_key_and_pages(serving):
    api = QontoApi.demo()
    server = serving(api)
    assert httpx.get(f"{server.url}/v2/organization", headers={"Authorization": f"{api.login}:x"}).status_code == 401
    headers = {"Authorization": f"{api.login}:{api.secret_key}"}
    account = httpx.get(f"{server.url}/v2/organization", headers=headers).json()["organization"]["bank_accounts"][0]
    assert isinstance(account["balance_cents"], int)
    first = httpx.get(f"{server.url}/v2/transactions", headers=headers,
                      params={"bank_account_id": account["id"], "per_page": 5}).json()
    assert len(first["transactions"]) == 5 and first["meta"]["next_page"] == 2
    pending = httpx.get(f"{server.url}/v2/transactions", headers=headers,
                        params={"bank_account_id": account["id"], "status[]": "pending"}).json()
    assert [t["status"] for t in pending["transactions"]] == ["pending"]


def test_faults_answer_429_with_retry_after_then_500(serving):
    server = serving(QontoApi())
    server.faults.status_429, server.faults.status_500, server.faults.retry_after = 1, 1, 7
    first = httpx.get(f"{server.url}/v2/organization")
    assert first.status_code == 500
    second = httpx.get(f"{server.url}/v2/organization")
    assert second.status_code == 429 and second.headers["Retry-After"] == "7"
