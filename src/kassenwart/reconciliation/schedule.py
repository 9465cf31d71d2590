"""When matching runs by itself: after every import and on each company's interval."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kassenwart.reconciliation.models import MatchingConfig


def enqueue_after_commit(company_id: int) -> None:
    """Called by imports: match the new payments once the import is committed."""
    from kassenwart.reconciliation.tasks import reconcile_task

    transaction.on_commit(lambda: reconcile_task.enqueue(company_id))


def enqueue_due_runs(now=None) -> int:
    """Enqueue a run for every company whose interval has passed. Each due company is
    claimed with a conditional UPDATE, so several workers never enqueue it twice."""
    from kassenwart.reconciliation.tasks import reconcile_task

    now = now or timezone.now()
    enqueued = 0
    for config in MatchingConfig.objects.filter(interval_minutes__gt=0).only("pk", "company_id", "last_run_at", "interval_minutes"):
        if config.last_run_at and config.last_run_at + timedelta(minutes=config.interval_minutes) > now:
            continue
        claimed = MatchingConfig.objects.filter(pk=config.pk, last_run_at=config.last_run_at).update(last_run_at=now)
        if claimed:
            reconcile_task.enqueue(config.company_id)
            enqueued += 1
    return enqueued
