"""Background work for payments (django-tasks): pass ids only."""

from django_tasks import task

from kassenwart.payments import submission
from kassenwart.payments.models import PaymentOrder


@task()
def send_order_task(order_id: int) -> dict:
    order = PaymentOrder.objects.select_related("account__connection", "company", "sent_by").get(pk=order_id)
    return {"state": submission.order_transmit(order)}
