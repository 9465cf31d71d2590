"""Background work of a FinTS connection that stays inside banking (django-tasks, ids only).
The sync, which imports and then starts matching, is a task of `kassenwart.flows`."""

from django_tasks import task

from kassenwart.banking.models import BankConnection

from .connections import connection_probe
from .login import ConnectionBusy


@task()
def probe_connection_task(connection_id: int) -> dict:
    connection = BankConnection.objects.get(pk=connection_id)
    try:
        options = connection_probe(connection)
    except ConnectionBusy as busy:
        return {"skipped": str(busy)}
    return {"tan_methods": [o.method for o in options], "state": connection.state}
