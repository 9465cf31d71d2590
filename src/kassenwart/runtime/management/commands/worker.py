from django.core.management.base import BaseCommand

from kassenwart.core import workers
from kassenwart.runtime.worker import make_worker, start_clock, start_up


class Command(BaseCommand):
    help = "Run background tasks (imports, matching, bank syncs). It runs until stopped, or with --batch until the queue is empty."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")

    def handle(self, *args, interval, batch, **options):
        worker = make_worker(interval, batch)
        start_up()
        if not batch:
            start_clock()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            workers.stopped()
