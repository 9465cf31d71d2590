"""The webhook pages: an admin adds an endpoint and sees its secret once, chooses events,
disables and enables it, rotates and reveals the secret, reads the delivery log with each
attempt and replays a delivery that then reaches the receiver again. In both languages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kassenwart.banking.services import statement_import
from kassenwart.core.models import AuditEvent
from kassenwart.webhooks.models import Delivery, Endpoint
from kassenwart.webhooks.selectors import endpoint_secret
from kassenwart.webhooks.services import NotAllowed, endpoint_create

from camt_files import camt, entry
from logins import log_in


@pytest.fixture
def admin_client(client, admin):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return log_in(client, admin)


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(admin_client, company, receiver):
    response = admin_client.post(reverse("webhook_list"), {
        "url": receiver.url, "description": "CRM", "events": ["payment.matched", "invoice.paid"]})
    assert response.status_code == 200
    endpoint = Endpoint.objects.get(company=company)
    secret = endpoint_secret(endpoint)
    assert secret.startswith("whsec_") and secret in response.content.decode()
    assert secret.encode() not in bytes(endpoint.secret_sealed)  # sealed at rest
    assert endpoint.events == ["payment.matched", "invoice.paid"]
    listed = admin_client.get(reverse("webhook_list")).content.decode()
    assert receiver.url in listed and secret not in listed
    assert secret not in admin_client.get(reverse("webhook_detail", args=[endpoint.pk])).content.decode()
    created = AuditEvent.objects.get(action="webhook_endpoint.created")
    assert "whsec_" not in str(created.after)


def test_a_wrong_url_or_no_event_is_refused_with_the_reason(admin_client, company):
    response = admin_client.post(reverse("webhook_list"), {"url": "ftp://crm", "events": []})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter a valid URL." in text and "This field is required." in text
    assert not Endpoint.objects.exists()


def test_events_state_and_secret_are_managed_on_the_endpoints_page(admin_client, company, admin):
    endpoint, first = endpoint_create(company, url="https://crm.example.com/hooks", events=["payment.matched"],
                                      user=admin, via="test")
    url = reverse("webhook_detail", args=[endpoint.pk])
    response = admin_client.post(url, {"url": "https://crm.example.com/v2/hooks", "description": "v2",
                                       "events": ["transaction.booked", "debit.returned"]})
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events) == ("https://crm.example.com/v2/hooks",
                                               ["transaction.booked", "debit.returned"])

    admin_client.post(reverse("webhook_state", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    page = admin_client.get(url).content.decode()
    assert "Disabled by admin-" in page
    admin_client.post(reverse("webhook_state", args=[endpoint.pk]), {"enabled": "on"})
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.disabled_reason is None

    rotated = admin_client.post(reverse("webhook_secret", args=[endpoint.pk]), {"action": "rotate"})
    second = endpoint_secret(Endpoint.objects.get(pk=endpoint.pk))
    assert second != first and second in rotated.content.decode()
    revealed = admin_client.post(reverse("webhook_secret", args=[endpoint.pk]), {"action": "reveal"})
    assert second in revealed.content.decode()
    assert AuditEvent.objects.filter(action="webhook_endpoint.secret_revealed", actor=admin).exists()

    assert admin_client.post(reverse("webhook_delete", args=[endpoint.pk])).status_code == 302
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()  # not without the tick
    admin_client.post(reverse("webhook_delete", args=[endpoint.pk]), {"confirm": "yes"})
    assert not Endpoint.objects.filter(pk=endpoint.pk).exists()


def test_the_delivery_log_shows_each_attempt_and_replay_sends_again(admin_client, company, admin, hook, receiver,
                                                                    worker, django_capture_on_commit_callbacks):
    statement_import(company, camt([entry("42.00", name="Kunde Süd")]), file_name="a.xml", user=admin, via="test")
    receiver.answers = [503]
    worker.fan_out()
    worker.deliver()
    delivery = Delivery.objects.get()
    page = admin_client.get(reverse("webhook_delivery", args=[delivery.pk])).content.decode()
    assert "503" in page and delivery.event_id in page and "Kunde Süd" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("webhook_replay", args=[delivery.pk]))
    assert response.status_code == 302
    worker.deliver()
    page = admin_client.get(reverse("webhook_delivery", args=[delivery.pk])).content.decode()
    assert "replay" in page and "200" in page
    assert [r.answered for r in receiver.received] == [503, 200]
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
    detail = admin_client.get(reverse("webhook_detail", args=[hook.pk]) + "?state=succeeded").content.decode()
    assert delivery.event_id in detail
    assert delivery.event_id not in admin_client.get(
        reverse("webhook_detail", args=[hook.pk]) + "?state=failed").content.decode()


def test_the_pages_speak_german(admin_client, company, admin, hook):
    from django.conf import settings

    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    text = admin_client.get(reverse("webhook_list")).content.decode()
    assert "Endpunkt hinzufügen" in text and "Add an endpoint" not in text
    assert "Eine Zahlung wurde Rechnungen zugeordnet" in text
    detail = admin_client.get(reverse("webhook_detail", args=[hook.pk])).content.decode()
    assert "Neues Geheimnis" in detail and "Zustellungen" in detail


def test_members_and_approvers_may_not_manage_webhooks(company, make_user):
    for role in ("member", "approver"):
        user = make_user(company, role)
        with pytest.raises(NotAllowed):
            endpoint_create(company, url="https://crm.example.com/", events=["invoice.paid"], user=user, via="test")
    assert not Endpoint.objects.exists()


def test_revealing_or_rotating_the_secret_asks_for_a_fresh_second_factor(admin_client, company, admin):
    from kassenwart.web.step_up import SESSION_KEY

    endpoint, first = endpoint_create(company, url="https://crm.example.com/hooks", events=["invoice.paid"],
                                      user=admin, via="test")
    session = admin_client.session
    del session[SESSION_KEY]  # the code was entered long ago
    session.save()
    for action in ("reveal", "rotate"):
        answer = admin_client.post(reverse("webhook_secret", args=[endpoint.pk]), {"action": action})
        assert answer.status_code == 302 and answer["Location"].startswith(reverse("step_up")), action
        assert first not in answer.content.decode()
    assert endpoint_secret(Endpoint.objects.get(pk=endpoint.pk)) == first  # not rotated
    assert not AuditEvent.objects.filter(action="webhook_endpoint.secret_revealed").exists()
    log_in(admin_client, admin)  # the code entered just now
    assert first in admin_client.post(reverse("webhook_secret", args=[endpoint.pk]), {"action": "reveal"}
                                      ).content.decode()


def test_the_service_reveals_only_after_a_fresh_second_factor(company, admin):
    from kassenwart.webhooks.services import endpoint_secret_reveal, endpoint_secret_rotate

    endpoint, first = endpoint_create(company, url="https://crm.example.com/hooks", events=["invoice.paid"],
                                      user=admin, via="test")
    for via in ("web", "api"):
        with pytest.raises(NotAllowed):
            endpoint_secret_reveal(company, endpoint, user=admin, via=via)
    with pytest.raises(NotAllowed):
        endpoint_secret_rotate(company, endpoint, user=admin, via="web")
    _endpoint, new = endpoint_secret_rotate(company, endpoint, user=admin, via="api")  # a write token may rotate
    assert new != first
