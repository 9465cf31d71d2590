"""Background work for webhooks (django-tasks): ids only."""

from django_tasks import task

from kassenwart.webhooks.delivery import deliveries_send


@task()
def deliveries_send_task(delivery_ids: list[int], trigger: str | None = None) -> int:
    return deliveries_send(delivery_ids, trigger)
