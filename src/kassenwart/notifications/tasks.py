"""Background work for notifications (django-tasks): pass ids only."""

from django_tasks import task

from kassenwart.core.models import User
from kassenwart.notifications.services import digest_send


@task()
def digest_task(user_id: int) -> int:
    return digest_send(User.objects.get(pk=user_id))
