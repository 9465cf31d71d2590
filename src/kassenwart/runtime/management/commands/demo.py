from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from kassenwart.demo.services import LOGINS, PASSWORD, demo_connect_bank, demo_setup, demo_transfers, sandbox_start


class Command(BaseCommand):
    help = "Start Kassenwart with a demo company, users for each role and months of data."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="set up the data and exit")

    def handle(self, *args, port, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        result = demo_setup(settings.DATA_DIR / "demo")
        if result.created:
            self.stdout.write(
                f"Demo company {result.company.name!r}: {result.invoices} invoices, "
                f"{result.files} statements with {result.transactions} transactions, "
                f"{result.reconciled} payments reconciled automatically."
            )
        else:
            self.stdout.write(f"Demo company {result.company.name!r} is ready (data from before).")
        sandbox = sandbox_start()
        synced = demo_connect_bank(result.company, sandbox)
        self.stdout.write(
            f"Sandbox bank (FinTS) on {sandbox.url}: {synced.accounts} accounts, "
            f"{synced.added} new transactions. {synced.message}".rstrip()
        )
        if demo_transfers(result.company):
            self.stdout.write("Transfers: one waits for an approver, one draft (its payee check is a close match).")
        self.stdout.write(f"The sandbox bank's TAN is {sandbox.bank.settings.tan}.")
        self.stdout.write("Logins (user / password):")
        for username, role in LOGINS.items():
            self.stdout.write(f"  {username:<9} / {PASSWORD}   ({role.label})")
        if not no_serve:
            call_command("serve", port=port)
