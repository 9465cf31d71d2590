"""Webhooks go to public https addresses only (webhooks/addresses.py): http and internal
addresses are refused when an endpoint is saved, naming the field, in both languages; a host
that resolves inside the network at delivery time (DNS rebinding) is not posted to. With
KASSENWART_WEBHOOKS_ALLOW_PRIVATE (on in the other tests) local receivers are fine."""

from __future__ import annotations

import socket

import pytest
from django.urls import reverse

from kassenwart.companies.api_tokens import token_create
from kassenwart.webhooks.models import Attempt, Delivery, Endpoint
from kassenwart.webhooks.services import WebhookError, endpoint_create

from logins import log_in

pytestmark = pytest.mark.django_db
PUBLIC = "93.184.216.34"  # a public address; nothing is sent to it in these tests


@pytest.fixture
def rule_on(settings):
    settings.KASSENWART_WEBHOOKS_ALLOW_PRIVATE = False


@pytest.fixture
def dns(monkeypatch):
    """The name service: `dns.answers[host]` is the address a host name resolves to (names of
    the .test domain only; literal addresses resolve to themselves as always)."""
    real = socket.getaddrinfo

    class Dns:
        answers: dict[str, str] = {}

        def getaddrinfo(self, host, port, *args, **kwargs):
            if isinstance(host, str) and host.endswith(".test"):
                if host not in self.answers:
                    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
                return real(self.answers[host], port, *args, **kwargs)
            return real(host, port, *args, **kwargs)

    dns = Dns()
    monkeypatch.setattr(socket, "getaddrinfo", dns.getaddrinfo)
    return dns


def _post(client, url, language="en"):
    return client.post("/api/v1/webhooks/endpoints", {"url": url, "events": ["payment.matched"]},
                       content_type="application/json", headers={"Accept-Language": language})


@pytest.fixture
def api(client, company, admin):
    secret = token_create(company, user=admin, name="hooks", scope="write", by=None, via="test").secret
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


@pytest.mark.parametrize("url", ["https://127.0.0.1/hooks", "https://localhost:8443/hooks", "https://10.1.2.3/",
                                 "https://192.168.0.10/", "https://169.254.169.254/latest/meta-data",
                                 "https://[::1]/hooks", "https://[fd00::1]/", "https://100.64.0.1/",
                                 "https://0.0.0.0/", "https://[::ffff:127.0.0.1]/"])
def test_an_internal_address_is_refused_naming_the_url(rule_on, api, url):
    refused = _post(api, url)
    assert refused.status_code == 422, refused.content
    assert (refused.json()["code"], refused.json()["field"]) == ("invalid", "url")
    assert "address inside a network" in refused.json()["message"]
    assert not Endpoint.objects.exists()


def test_http_and_unknown_hosts_are_refused_in_both_languages(rule_on, api, dns):
    english = _post(api, "http://crm.example.test/hooks").json()
    german = _post(api, "http://crm.example.test/hooks", "de").json()
    assert english["field"] == german["field"] == "url"
    assert english["message"] == "Enter a full URL starting with https://."
    assert german["message"] == "Geben Sie eine vollständige URL ein, die mit https:// beginnt."
    unknown = _post(api, "https://nowhere.example.test/hooks", "de").json()
    assert unknown["message"] == "Der Host nowhere.example.test ist nicht zu finden."
    dns.answers["intranet.example.test"] = "172.16.5.5"
    inside = _post(api, "https://intranet.example.test/hooks", "de").json()
    assert inside["field"] == "url" and "172.16.5.5" in inside["message"] and "öffentliche" in inside["message"]


def test_a_public_https_address_is_taken(rule_on, api, dns):
    dns.answers["crm.example.test"] = PUBLIC
    made = _post(api, "https://crm.example.test/hooks")
    assert made.status_code == 201, made.content
    assert _post(api, f"https://{PUBLIC}/hooks").status_code == 201
    changed = api.patch(f"/api/v1/webhooks/endpoints/{made.json()['id']}", {"url": "https://127.0.0.1/"},
                        content_type="application/json")
    assert (changed.status_code, changed.json()["field"]) == (422, "url")
    assert Endpoint.objects.get(pk=made.json()["id"]).url == "https://crm.example.test/hooks"


def test_the_web_form_shows_the_refusal_at_the_url_field(rule_on, client, company, admin):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    log_in(client, admin)
    response = client.post(reverse("webhook_list"), {"url": "https://127.0.0.1/hooks", "events": ["invoice.paid"]})
    assert response.status_code == 400
    assert response.context["form"].errors["url"][0].startswith("127.0.0.1 führt zu 127.0.0.1")
    assert not Endpoint.objects.exists()


def test_a_name_that_resolves_inside_at_delivery_time_is_not_posted_to(rule_on, company, admin, dns, receiver,
                                                                       worker):
    from decimal import Decimal

    from kassenwart.banking.services import statement_import

    from camt_files import camt, entry

    dns.answers["crm.example.test"] = PUBLIC
    port = receiver.url.split(":")[2].split("/")[0]
    endpoint, _secret = endpoint_create(company, url=f"https://crm.example.test:{port}/hooks",
                                        events=["transaction.booked"], user=admin, via="test")
    dns.answers["crm.example.test"] = "127.0.0.1"  # rebound: now it leads to the receiver on this machine
    statement_import(company, camt([entry(str(Decimal("42.00")), name="Kunde")]), file_name="a.xml", user=admin,
                     via="test")
    worker.fan_out()
    worker.deliver()
    attempt = Attempt.objects.get(delivery__endpoint=endpoint)
    assert attempt.status_code is None and attempt.error.startswith("refused: internal")
    assert not receiver.received
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.state == Delivery.State.PENDING and delivery.next_attempt_at is not None  # retried later


def test_local_receivers_are_allowed_when_the_setting_says_so(company, admin, receiver):
    endpoint, _secret = endpoint_create(company, url=receiver.url, events=["invoice.paid"], user=admin, via="test")
    assert endpoint.url.startswith("http://127.0.0.1:")
    with pytest.raises(WebhookError) as refused:
        endpoint_create(company, url="ftp://127.0.0.1/", events=["invoice.paid"], user=admin, via="test")
    assert refused.value.field == "url"
