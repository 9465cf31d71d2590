"""Background work for reconciliation (django-tasks): pass ids only."""

from django_tasks import task

from kassenwart.companies.models import Company
from kassenwart.reconciliation.services import reconcile_company


@task()
def reconcile_task(company_id: int) -> dict:
    company = Company.objects.get(pk=company_id)
    result = reconcile_company(company, via="worker")
    return {"transactions": result.transactions, "auto": result.auto, "open": result.open}
