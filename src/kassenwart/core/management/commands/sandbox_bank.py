from django.core.management.base import BaseCommand

from kassenwart.sandbox.server import main


class Command(BaseCommand):
    help = "Run the FinTS 3.0 sandbox bank (prints one JSON line with url, login, pin, tan)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=0, help="0 picks a free port")

    def handle(self, *args, port, **options):
        main(["--port", str(port)])
