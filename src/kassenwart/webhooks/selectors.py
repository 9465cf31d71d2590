"""Reads of webhook endpoints and their deliveries, always scoped to one company."""

from __future__ import annotations

from django.db.models import QuerySet

from kassenwart.companies.models import Company
from kassenwart.webhooks import secrets
from kassenwart.webhooks.models import Attempt, Delivery, Endpoint


def endpoints(company: Company) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(company=company).order_by("pk")


def endpoint_get(company: Company, pk: int) -> Endpoint:
    """Raises Endpoint.DoesNotExist for another company's endpoint (a 404 at the edge)."""
    return Endpoint.objects.get(company=company, pk=pk)


def endpoint_secret(endpoint: Endpoint) -> str:
    """The signing secret in clear (`whsec_…`), for an admin who asked to see it (the
    service `endpoint_secret_reveal` audits that) and for signing."""
    return secrets.opened(endpoint.secret_sealed, endpoint.pk)


def deliveries(company: Company, *, endpoint: Endpoint | None = None, state: str | None = None,
               event_type: str | None = None) -> QuerySet[Delivery]:
    found = Delivery.objects.filter(company=company).select_related("endpoint").order_by("-created_at", "-pk")
    if endpoint is not None:
        found = found.filter(endpoint=endpoint)
    if state:
        found = found.filter(state=state)
    if event_type:
        found = found.filter(event_type=event_type)
    return found


def delivery_get(company: Company, pk: int) -> Delivery:
    """Raises Delivery.DoesNotExist for another company's delivery."""
    return Delivery.objects.select_related("endpoint").get(company=company, pk=pk)


def attempts(delivery: Delivery) -> QuerySet[Attempt]:
    return Attempt.objects.filter(delivery=delivery).order_by("pk")
