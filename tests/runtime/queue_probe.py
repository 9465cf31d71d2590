"""A task for tests/runtime/test_shared_queue.py, importable by the worker processes it
starts (they get this folder on PYTHONPATH): each run leaves one audit event naming its task
number and the process that ran it."""

import os

from django_tasks import task

from kassenwart.core.models import AuditEvent


@task()
def note_done(number: int) -> int:
    AuditEvent.objects.create(actor_label="queue probe", action="probe.done", object_type="probe",
                              object_id=str(number), after={"pid": os.getpid()})
    return number
