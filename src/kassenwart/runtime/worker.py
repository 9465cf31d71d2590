"""The task worker (django-tasks database backend), alone or inside `kassenwart serve`,
the clock that enqueues periodic work, and what every such process does when it starts:
register itself (core/workers.py), keep its heartbeat, and move on at once what a dead
predecessor held (`recover`)."""

import logging
import os
import socket
import threading
import time

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker

from kassenwart.api.idempotency import idempotency_keys_expire
from kassenwart.banking.fints import connections_recover
from kassenwart.banking.tasks import text_index_enqueue_due
from kassenwart.core import workers
from kassenwart.dashboards.tasks import enqueue_due_summaries
from kassenwart.flows.tasks import enqueue_due_syncs
from kassenwart.notifications.services import digests_enqueue_due
from kassenwart.payments.collections import debit_runs_build, plans_generate
from kassenwart.payments.mandates import mandates_expire
from kassenwart.payments.submission import orders_recover, orders_sweep
from kassenwart.reconciliation.schedule import enqueue_due_runs
from kassenwart.webhooks.delivery import retries_enqueue_due as webhook_retries_enqueue_due
from kassenwart.webhooks.fanout import webhooks_fan_out
from kassenwart.webhooks.pruning import deliveries_prune as webhook_deliveries_prune

logger = logging.getLogger(__name__)


def start_up() -> None:
    """Before any work: this process registers itself, starts its heartbeat and moves on the
    orders and bank logins whose claims died with an earlier process."""
    workers.current()
    recover()
    start_heartbeat()


def recover() -> int:
    """Orders first (ending a dialog a dead process left paused frees its login), then the
    bank logins still held by dead processes; then their rows go."""
    moved = orders_recover() + connections_recover()
    workers.forget_dead()
    return moved


def start_heartbeat(every: float = workers.BEAT) -> threading.Thread:
    def beat():
        while True:
            try:
                workers.beat()
            except Exception:  # the database may be away for a moment; the next beat tries again
                logger.exception("heartbeat failed")
            close_old_connections()
            time.sleep(every)

    thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
    thread.start()
    return thread


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


def periodic_jobs() -> list:
    """Every tick: what enqueues work or moves stale orders on. The direct-debit jobs do their
    work themselves (idempotent, safe on several clocks) and need not run more than hourly; so
    does removing the API's idempotency keys past 24 hours (one DELETE) and webhook deliveries
    past their keeping time (webhooks/pruning.py)."""
    return [recover, enqueue_due_runs, enqueue_due_syncs, enqueue_due_summaries, digests_enqueue_due, orders_sweep,
            text_index_enqueue_due, webhooks_fan_out, webhook_retries_enqueue_due,
            hourly(mandates_expire), hourly(plans_generate), hourly(debit_runs_build),
            hourly(idempotency_keys_expire), hourly(webhook_deliveries_prune)]


_last_run: dict[str, float] = {}


def hourly(job):
    """`job`, run at most once an hour by this clock (the first tick runs it)."""

    def run_if_due():
        now = time.monotonic()
        if now - _last_run.get(job.__name__, -3600.0) >= 3600.0:
            _last_run[job.__name__] = now
            return job()
        return None

    run_if_due.__name__ = job.__name__
    return run_if_due


def start_clock(every: float = 60.0) -> threading.Thread:
    """A daemon thread that runs the periodic jobs (they enqueue tasks or move stale rows on)."""

    def tick():
        while True:
            for job in periodic_jobs():
                try:
                    job()
                except Exception:  # one failing job must not stop the clock
                    logger.exception("periodic job %s failed", job.__name__)
            close_old_connections()
            time.sleep(every)

    thread = threading.Thread(target=tick, name="clock", daemon=True)
    thread.start()
    return thread
