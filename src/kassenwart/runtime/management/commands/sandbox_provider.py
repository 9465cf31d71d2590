from django.core.management.base import BaseCommand

from kassenwart.sandbox.providers import APIS, serve


class Command(BaseCommand):
    help = ("Run a PayPal, Qonto or Stripe simulator with a small ledger. It prints one JSON line with its "
            "url and the credentials to connect with.")
    requires_init = False  # the simulator keeps its ledger in memory

    def add_arguments(self, parser):
        parser.add_argument("provider", choices=sorted(APIS), help="the provider whose API to serve")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=0, help="0: any free port")

    def handle(self, *args, provider, host, port, **options):
        serve(provider, host=host, port=port, out=self.stdout)
