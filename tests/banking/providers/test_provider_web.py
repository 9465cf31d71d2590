"""The payment provider pages: an admin connects Stripe with its API key, the sync runs as a
task against the simulator, the page shows the account and a refusal in words to act on."""

import time

import pytest
from django.urls import reverse

from kassenwart.banking.models import BankAccount, BankConnection
from kassenwart.core.models import AuditEvent
from kassenwart.flows.tasks import sync_connection_task

from logins import log_in


@pytest.fixture
def admin_client(client, admin):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in(client, admin)
    return client


def test_an_admin_connects_stripe_and_sees_its_account(admin_client, stripe_sim, company):
    stripe_sim.api.charge(2500, created=int(time.time()) - 86400)
    key = stripe_sim.api.api_key
    chooser = admin_client.get(reverse("provider_new"))
    assert b"?provider=stripe" in chooser.content and b"?provider=qonto" in chooser.content
    answer = admin_client.post(reverse("provider_new") + "?provider=stripe",
                               {"name": "Shop", "api_key": key, "api_base": stripe_sim.url})
    connection = BankConnection.objects.get(company=company, kind="provider")
    assert answer.status_code == 302 and answer["Location"] == reverse("provider_detail", args=[connection.pk])
    assert connection.provider == "stripe" and connection.sync_queued
    assert key.encode() not in bytes(connection.credentials_sealed)
    assert not AuditEvent.objects.filter(after__icontains=key).exists()

    sync_connection_task.call(connection.pk)
    page = admin_client.get(reverse("provider_detail", args=[connection.pk]))
    account = BankAccount.objects.get(connection=connection)
    assert account.name.encode() in page.content and key.encode() not in page.content
    listing = admin_client.get(reverse("connection_list"))
    assert b"Shop" in listing.content and reverse("provider_detail", args=[connection.pk]).encode() in listing.content


def test_a_refused_key_is_shown_and_new_credentials_sync_again(admin_client, stripe_sim, company):
    admin_client.post(reverse("provider_new") + "?provider=stripe",
                      {"api_key": "sk_test_wrong", "api_base": stripe_sim.url})
    connection = BankConnection.objects.get(company=company, kind="provider")
    sync_connection_task.call(connection.pk)
    page = admin_client.get(reverse("provider_detail", args=[connection.pk]), HTTP_ACCEPT_LANGUAGE="de")
    assert b"Stripe hat die Zugangsdaten abgelehnt" in page.content
    home = admin_client.get(reverse("home"))
    assert reverse("provider_detail", args=[connection.pk]).encode() in home.content  # a to-do
    admin_client.post(reverse("provider_credentials", args=[connection.pk]), {"api_key": stripe_sim.api.api_key})
    sync_connection_task.call(connection.pk)
    connection.refresh_from_db()
    assert connection.state == BankConnection.State.OK and connection.last_error is None


def test_credentials_go_only_over_https_or_to_this_machine(admin_client, company):
    answer = admin_client.post(reverse("provider_new") + "?provider=qonto",
                               {"login": "x", "secret_key": "y", "api_base": "http://qonto.example.com"})
    assert answer.status_code == 200 and b"https://" in answer.content
    assert not BankConnection.objects.filter(company=company).exists()
