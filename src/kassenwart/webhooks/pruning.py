"""The delivery log does not grow for ever: deliveries (with their attempts) older than
KASSENWART_WEBHOOK_DELIVERIES_KEEP_DAYS (30) are deleted by the clock every hour.

A disabled endpoint keeps its latest KEPT_WHILE_DISABLED deliveries whatever their age: its
log is what an admin reads to find out why it failed before enabling it again. Nothing of
what is pruned is still sent: a delivery is given up three days after its event.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from kassenwart.webhooks.models import Delivery, Endpoint

logger = logging.getLogger(__name__)

KEPT_WHILE_DISABLED = 100
CHUNK = 1000  # rows a DELETE, so no transaction holds the table long


def deliveries_prune(now: datetime | None = None) -> int:
    """Periodic job (hourly): delete the deliveries past their keeping time; returns how many.
    Safe on several clocks at once (a row deleted twice is deleted once)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.KASSENWART_WEBHOOK_DELIVERIES_KEEP_DAYS)
    kept: list[int] = []
    for endpoint_id in Endpoint.objects.filter(enabled=False).values_list("pk", flat=True):
        kept += Delivery.objects.filter(endpoint_id=endpoint_id).order_by("-created_at", "-pk").values_list(
            "pk", flat=True)[:KEPT_WHILE_DISABLED]
    old = Delivery.objects.filter(created_at__lt=cutoff).exclude(pk__in=kept).order_by("pk")
    deleted = 0
    while True:
        chunk = list(old.values_list("pk", flat=True)[:CHUNK])
        if not chunk:
            break
        deleted += Delivery.objects.filter(pk__in=chunk).delete()[1].get(Delivery._meta.label, 0)
    if deleted:
        logger.info("webhook deliveries pruned: %s older than %s", deleted, cutoff.date())
    return deleted
