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


def matching_run_request(company, *, user, via: str = "web") -> str:
    """A person (or a program) asks for a matching run now: the run is enqueued for the worker
    and its task id returned, to ask `matching_run_status` about. The task backend writes the
    task as a row of the caller's transaction, so the worker finds it only once it commits (as
    with on_commit), and a rolled-back request leaves no run behind."""
    from kassenwart.core.audit import record
    from kassenwart.reconciliation.tasks import reconcile_task

    result = reconcile_task.enqueue(company.pk)
    record("matching.requested", company, company=company, user=user, via=via, after={"task": str(result.id)})
    return str(result.id)


def matching_run_status(company, run_id: str) -> dict | None:
    """What became of a requested run of the company: {"status", "transactions", "auto",
    "open"} (the counts once it finished), or None when it is not one of the company's runs."""
    from django_tasks.exceptions import TaskResultDoesNotExist

    from kassenwart.reconciliation.tasks import reconcile_task

    try:
        result = reconcile_task.get_result(run_id)
    except (TaskResultDoesNotExist, ValueError, TypeError):
        return None
    if list(result.args)[:1] != [company.pk]:
        return None
    counts = result.return_value if result.status == "SUCCESSFUL" else {}
    return {"status": str(result.status).lower(), **{k: counts.get(k) for k in ("transactions", "auto", "open")}}
