"""Managing a company's webhook endpoints and replaying deliveries. One use case per function,
one transaction, one audit event; the person's role is checked here too (admins only:
MANAGE_SETTINGS), so the web pages and the API routers only translate.

The secret is returned in clear exactly twice: by `endpoint_create` and `endpoint_secret_rotate`
(shown once), and by `endpoint_secret_reveal` (audited). Nothing else returns or logs it.
Revealing needs a second factor entered just before (`second_factor_fresh`, which only the
web can vouch for: the API never reveals a secret), and so does rotating in the web. Through
the API an admin's write token may rotate: the new secret goes to that caller once, as a new
endpoint's does, and the one the receiver holds is never shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.companies import permissions
from kassenwart.companies.models import Company
from kassenwart.companies.selectors import role_in
from kassenwart.core.audit import actor_label, record
from kassenwart.core.messages import message
from kassenwart.core.models import User
from kassenwart.webhooks import addresses, secrets
from kassenwart.webhooks.models import Delivery, Endpoint, EventType

# After a rotation the previous secret signs too (a second signature in the header, as the
# Standard Webhooks specification allows), so a receiver has a day to take the new one.
PREVIOUS_SECRET_KEPT = timedelta(hours=24)
MAX_EVENTS_AGE = timedelta(days=3)  # re-enabling sends what is still within the retry window


class WebhookError(ValueError):
    """A request the rules refuse; the message says why, in the active language; `field` names
    the input at fault (url, events) or is None."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotAllowed(WebhookError):
    """The person's role does not allow managing webhooks."""


def _require(company: Company, user: User | None) -> None:
    if user is not None and not permissions.allows(role_in(company, user), permissions.MANAGE_SETTINGS):
        raise NotAllowed(_("Only admins manage webhooks."))


def _require_second_factor(fresh: bool) -> None:
    """The secret is shown only to a person who entered a second factor just before."""
    if not fresh:
        raise NotAllowed(_("Confirm it is you with a code from your authenticator app, then do it again."))


def _clean_url(url: str) -> str:
    """A full https URL whose host has public addresses only (webhooks/addresses.py), unless
    KASSENWART_WEBHOOKS_ALLOW_PRIVATE allows http and internal addresses."""
    url = (url or "").strip()
    if addresses.private_allowed():
        try:
            URLValidator(schemes=["https", "http"])(url)
        except ValidationError:
            raise WebhookError(_("Enter a full URL starting with https:// (or http:// inside your network)."), "url")
        return url
    try:
        URLValidator(schemes=["https"])(url)
        addresses.check(url)
    except ValidationError:
        raise WebhookError(_("Enter a full URL starting with https://."), "url")
    except addresses.AddressRefused as refused:
        raise WebhookError(_address_refused(refused), "url")
    return url


def _address_refused(refused: addresses.AddressRefused) -> str:
    if refused.reason == "unresolvable":
        return _("The host %(host)s cannot be found.") % {"host": refused.host}
    if refused.reason == "internal":
        return _("%(host)s leads to %(address)s, an address inside a network (loopback, private, link-local "
                 "or reserved). Webhooks are only sent to public addresses.") % {"host": refused.host,
                                                                                  "address": refused.address}
    return _("Enter a full URL starting with https://.")


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(events))
    unknown = [e for e in chosen if e not in EventType.values]
    if unknown:
        raise WebhookError(_("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}, "events")
    if not chosen:
        raise WebhookError(_("Choose at least one event."), "events")
    return [e for e in EventType.values if e in chosen]  # in the table's order


def public(endpoint: Endpoint) -> dict:
    """What the audit trail keeps of an endpoint (never its secret)."""
    return {"url": endpoint.url, "description": endpoint.description, "events": list(endpoint.events),
            "enabled": endpoint.enabled}


@transaction.atomic
def endpoint_create(company: Company, *, url: str, events: Iterable[str], description: str = "",
                    user: User | None, via: str = "web") -> tuple[Endpoint, str]:
    """A new endpoint, enabled, with a new secret. Returns the endpoint and the secret (show it once)."""
    _require(company, user)
    endpoint = Endpoint.objects.create(company=company, url=_clean_url(url), events=_clean_events(events),
                                       description=(description or "").strip()[:200], created_by=user,
                                       secret_sealed=b"")
    secret = secrets.new_secret()
    endpoint.secret_sealed = secrets.sealed(secret, endpoint.pk)
    endpoint.save(update_fields=["secret_sealed"])
    record("webhook_endpoint.created", endpoint, company=company, user=user, via=via, after=public(endpoint))
    return endpoint, secret


def _locked(company: Company, endpoint: Endpoint) -> Endpoint:
    return Endpoint.objects.select_for_update().get(company=company, pk=endpoint.pk)


@transaction.atomic
def endpoint_update(company: Company, endpoint: Endpoint, *, url: str | None = None,
                    description: str | None = None, events: Iterable[str] | None = None,
                    user: User | None, via: str = "web") -> Endpoint:
    """Change what was given (None: keep it). Deliveries made already keep their URL's endpoint."""
    _require(company, user)
    endpoint = _locked(company, endpoint)
    before = public(endpoint)
    if url is not None:
        endpoint.url = _clean_url(url)
    if description is not None:
        endpoint.description = description.strip()[:200]
    if events is not None:
        endpoint.events = _clean_events(events)
    endpoint.save(update_fields=["url", "description", "events", "updated_at"])
    record("webhook_endpoint.updated", endpoint, company=company, user=user, via=via, before=before,
           after=public(endpoint))
    return endpoint


@transaction.atomic
def endpoint_disable(company: Company, endpoint: Endpoint, *, user: User | None, via: str = "web",
                     reason: dict | None = None) -> Endpoint:
    """Stop sending to the endpoint; its pending deliveries wait (parked) until it is enabled.
    `reason` is a stored message; a person's disabling says who did it."""
    _require(company, user)
    endpoint = _locked(company, endpoint)
    if not endpoint.enabled:
        return endpoint
    endpoint.enabled = False
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = reason or message("webhooks.disabled_by_person", user=actor_label(user, via))
    endpoint.save(update_fields=["enabled", "disabled_at", "disabled_reason", "updated_at"])
    record("webhook_endpoint.disabled", endpoint, company=company, user=user, via=via,
           before={"enabled": True}, after={"enabled": False, "reason": endpoint.disabled_reason})
    return endpoint


@transaction.atomic
def endpoint_enable(company: Company, endpoint: Endpoint, *, user: User | None, via: str = "web") -> Endpoint:
    """Send again. Deliveries that waited while it was disabled and are younger than the retry
    window (3 days) go out with the next retry round; older ones are given up."""
    _require(company, user)
    endpoint = _locked(company, endpoint)
    if endpoint.enabled:
        return endpoint
    endpoint.enabled, endpoint.disabled_at, endpoint.disabled_reason = True, None, None
    endpoint.save(update_fields=["enabled", "disabled_at", "disabled_reason", "updated_at"])
    now = timezone.now()
    waiting = Delivery.objects.filter(endpoint=endpoint, state=Delivery.State.PENDING)
    waiting.filter(created_at__lt=now - MAX_EVENTS_AGE).update(state=Delivery.State.FAILED, finished_at=now,
                                                               next_attempt_at=None)
    resumed = waiting.filter(created_at__gte=now - MAX_EVENTS_AGE).update(next_attempt_at=now, claimed_until=None)
    record("webhook_endpoint.enabled", endpoint, company=company, user=user, via=via,
           before={"enabled": False}, after={"enabled": True, "resumed": resumed})
    return endpoint


@transaction.atomic
def endpoint_secret_rotate(company: Company, endpoint: Endpoint, *, user: User | None, via: str = "web",
                           second_factor_fresh: bool = False) -> tuple[Endpoint, str]:
    """A new secret (returned: show it once). The previous one still signs for 24 hours. In
    the web only with a second factor entered just before."""
    _require(company, user)
    if via == "web":
        _require_second_factor(second_factor_fresh)
    endpoint = _locked(company, endpoint)
    previous = secrets.opened(endpoint.secret_sealed, endpoint.pk)
    secret = secrets.new_secret()
    endpoint.secret_sealed = secrets.sealed(secret, endpoint.pk)
    endpoint.previous_secret_sealed = secrets.sealed(previous, endpoint.pk, "previous_secret")
    endpoint.previous_secret_until = timezone.now() + PREVIOUS_SECRET_KEPT
    endpoint.save(update_fields=["secret_sealed", "previous_secret_sealed", "previous_secret_until", "updated_at"])
    record("webhook_endpoint.secret_rotated", endpoint, company=company, user=user, via=via,
           after={"previous_valid_until": endpoint.previous_secret_until})
    return endpoint, secret


@transaction.atomic
def endpoint_secret_reveal(company: Company, endpoint: Endpoint, *, user: User | None, via: str = "web",
                           second_factor_fresh: bool = False) -> str:
    """The secret in clear, for an admin who entered a second factor just before; who saw it
    is in the audit trail."""
    _require(company, user)
    _require_second_factor(second_factor_fresh)
    endpoint = Endpoint.objects.get(company=company, pk=endpoint.pk)
    record("webhook_endpoint.secret_revealed", endpoint, company=company, user=user, via=via)
    return secrets.opened(endpoint.secret_sealed, endpoint.pk)


@transaction.atomic
def endpoint_delete(company: Company, endpoint: Endpoint, *, user: User | None, via: str = "web") -> None:
    """Remove the endpoint with its delivery log."""
    _require(company, user)
    endpoint = _locked(company, endpoint)
    record("webhook_endpoint.deleted", endpoint, company=company, user=user, via=via, before=public(endpoint))
    endpoint.delete()


@transaction.atomic
def delivery_replay(company: Company, delivery: Delivery, *, user: User | None, via: str = "web") -> Delivery:
    """Send the delivery again now, with the same webhook-id (a new attempt in its log),
    whatever became of it before. The endpoint has to be enabled. A replay that fails is
    not retried by itself (the delivery is given up again); a person may replay again."""
    from kassenwart.webhooks.tasks import deliveries_send_task

    _require(company, user)
    delivery = Delivery.objects.select_for_update().select_related("endpoint").get(company=company, pk=delivery.pk)
    if not delivery.endpoint.enabled:
        raise WebhookError(_("The endpoint is disabled; enable it first."))
    before = {"state": delivery.state}
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.PENDING, next_attempt_at=timezone.now(),
                                                   claimed_until=None, finished_at=None)
    delivery.refresh_from_db()
    record("webhook_delivery.replayed", delivery, company=company, user=user, via=via, before=before,
           after={"event_id": delivery.event_id, "endpoint": delivery.endpoint_id})
    ids = [delivery.pk]
    transaction.on_commit(lambda: deliveries_send_task.enqueue(ids, "replay"))
    return delivery
