"""Background work of the home page (django-tasks): pass ids only."""

from django_tasks import task

from kassenwart.companies.models import Company
from kassenwart.dashboards.monthly import companies_to_sum, summary_refresh


@task()
def summary_refresh_task(company_id: int) -> None:
    summary_refresh(Company.objects.get(pk=company_id))


def enqueue_due_summaries() -> int:
    """A job of the clock: a refresh of the kept sums for every company with imports not
    summed yet. One enqueued again before the first has run only finds nothing to add."""
    due = companies_to_sum()
    for company_id in due:
        summary_refresh_task.enqueue(company_id)
    return len(due)
