"""Background work for bank connections (django-tasks): pass ids only.

Bank calls run here, never in a web request (except the TAN step, see fints_services).
"""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from kassenwart.banking import fints_services
from kassenwart.banking.models import BankConnection


@task()
def probe_connection_task(connection_id: int) -> dict:
    connection = BankConnection.objects.get(pk=connection_id)
    try:
        options = fints_services.connection_probe(connection)
    except fints_services.ConnectionBusy as busy:
        return {"skipped": str(busy)}
    return {"tan_methods": [o.method for o in options], "state": connection.state}


@task()
def sync_connection_task(connection_id: int, interactive: bool = False) -> dict:
    connection = BankConnection.objects.get(pk=connection_id)
    try:
        result = fints_services.connection_sync(connection, interactive=interactive)
    except fints_services.ConnectionBusy as busy:
        return {"skipped": str(busy)}
    return {"state": result.state, "added": result.added, "accounts": result.accounts}


def enqueue_due_syncs(now=None) -> int:
    """Enqueue a sync for every FinTS connection whose interval has passed. Only connections
    that work without a person: state ok and a kept PIN (a wrong PIN is never retried, a TAN
    needs someone there). Each is claimed with a conditional UPDATE, so two clocks never
    enqueue it twice."""
    now = now or timezone.now()
    candidates = BankConnection.objects.filter(
        kind=BankConnection.Kind.FINTS, state=BankConnection.State.OK, pin_kept=True,
        pin_sealed__isnull=False, sync_interval_minutes__gt=0,
    ).only("pk", "sync_enqueued_at", "sync_interval_minutes")
    enqueued = 0
    for connection in candidates:
        last = connection.sync_enqueued_at
        if last and last + timedelta(minutes=connection.sync_interval_minutes) > now:
            continue
        claimed = BankConnection.objects.filter(pk=connection.pk, sync_enqueued_at=last).update(sync_enqueued_at=now)
        if claimed:
            sync_connection_task.enqueue(connection.pk)
            enqueued += 1
    return enqueued
