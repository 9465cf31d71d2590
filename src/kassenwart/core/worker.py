"""The task worker (django-tasks database backend), alone or inside `kassenwart serve`."""

import os
import socket

from django_tasks_db.management.commands.db_worker import Worker


def make_worker(interval: float = 1.0, batch: bool = False) -> Worker:
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"{socket.gethostname()}-{os.getpid()}"[:64],
        excluded_queue_names=[],
    )
