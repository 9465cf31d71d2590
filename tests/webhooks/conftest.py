"""Fixtures of the webhook tests: a live receiver, an endpoint pointed at it, and running
what the worker would run (the fan-out job, the queued delivery tasks)."""

from __future__ import annotations

import pytest

import webhook_receiver


@pytest.fixture
def receiver():
    receiver, server = webhook_receiver.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def hook(company, admin, receiver):
    """An endpoint of `company` for every event, pointed at the receiver (which knows its secret)."""
    from kassenwart.webhooks.models import EventType
    from kassenwart.webhooks.services import endpoint_create

    endpoint, secret = endpoint_create(company, url=receiver.url, events=EventType.values, user=admin, via="test")
    receiver.secret = secret
    return endpoint


@pytest.fixture
def worker(django_capture_on_commit_callbacks):
    """worker.fan_out() runs the periodic fan-out with its after-commit enqueues;
    worker.deliver() runs the queued delivery tasks as the task worker would."""
    from django_tasks_db.models import DBTaskResult

    from kassenwart.webhooks.delivery import retries_enqueue_due
    from kassenwart.webhooks.fanout import webhooks_fan_out

    class Worker:
        def fan_out(self, now=None) -> int:
            with django_capture_on_commit_callbacks(execute=True):
                return webhooks_fan_out(now)

        def retries(self, now=None) -> int:
            return retries_enqueue_due(now)

        def deliver(self) -> int:
            posted = 0
            for row in DBTaskResult.objects.ready().filter(task_path__endswith="deliveries_send_task"):
                row.claim("test-worker")
                args = row.args_kwargs
                result = row.task.call(*args["args"], **args["kwargs"])
                row.set_successful(result)
                posted += result
            return posted

    return Worker()
