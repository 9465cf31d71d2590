import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from waitress import serve

from kassenwart.core import workers
from kassenwart.runtime.worker import make_worker, start_clock, start_up


class Command(BaseCommand):
    help = "Run the web app (with the task worker, unless --no-worker)."
    requires_init = False  # it brings the database up to date itself

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="run tasks elsewhere")
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, no_worker, threads, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        # Imported only now: WhiteNoise lists the static files when the app is built.
        from kassenwart.wsgi import application

        start_up()  # also with --no-worker: the web process answers the bank (TAN, payee check)
        if not no_worker:
            threading.Thread(target=make_worker().run, name="worker", daemon=True).start()
            start_clock()
        self.stdout.write(_("Kassenwart on %(url)s") % {"url": f"http://{host}:{port}/"}, ending="\n")
        self.stdout.flush()
        try:
            serve(application, host=host, port=port, threads=threads, ident="kassenwart", **_proxy())
        finally:
            workers.stopped()


def _proxy() -> dict:
    """Behind a proxy, waitress believes X-Forwarded-For (the client's address, which login
    throttling counts) and, behind TLS, X-Forwarded-Proto, only from the proxy's address
    (config's `proxy`: KASSENWART_TRUSTED_PROXY, or 127.0.0.1 with an https KASSENWART_URL),
    and drops them from anyone else; with neither setting it drops them from everyone."""
    config = settings.CONFIG
    if not config.proxy:
        return {}
    return {
        "trusted_proxy": config.proxy,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": {"x-forwarded-for", *(["x-forwarded-proto"] if config.https else [])},
    }
