"""Background work for payments (django-tasks): pass ids only."""

from django_tasks import task

from kassenwart.companies.models import Company
from kassenwart.payments import services, submission
from kassenwart.payments.models import PaymentOrder


@task()
def send_order_task(order_id: int) -> dict:
    order = PaymentOrder.objects.select_related("account__connection", "company", "sent_by").get(pk=order_id)
    return {"state": submission.order_transmit(order)}


@task()
def follow_statements_task(company_id: int) -> dict:
    return services.orders_follow_statements(Company.objects.get(pk=company_id))
