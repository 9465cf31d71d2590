from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kassenwart.demo.payments import demo_payments
from kassenwart.demo.services import (
    LOGINS,
    PASSWORD,
    demo_connect_bank,
    demo_connect_providers,
    demo_setup,
    demo_transfers,
    demo_two_factor,
    providers_start,
    sandbox_start,
)
from kassenwart.runtime.cli import database_location


class Command(BaseCommand):
    help = "Run Kassenwart with a demo company and months of its data. Users for each role are printed."
    requires_init = False  # it sets up the database itself

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="set up the data and exit")

    def handle(self, *args, port, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        result = demo_setup(settings.DATA_DIR / "demo")
        if result.created:
            self.stdout.write(
                _("Demo company %(company)r: %(invoices)d invoices, %(files)d statements with %(transactions)d "
                  "transactions, %(reconciled)d payments reconciled automatically.")
                % {"company": result.company.name, "invoices": result.invoices, "files": result.files,
                   "transactions": result.transactions, "reconciled": result.reconciled}
            )
        else:
            self.stdout.write(_("Demo company %(company)r is ready (data from before).") % {"company": result.company.name})
        self.stdout.write(_("Its data: the database %(database)s, the statement files in %(folder)s.")
                          % {"database": database_location(), "folder": settings.DATA_DIR / "demo"})
        sandbox = sandbox_start()
        synced = demo_connect_bank(result.company, sandbox)
        self.stdout.write(
            (_("Sandbox bank (FinTS) on %(url)s: %(accounts)d accounts, %(added)d new transactions.")
             % {"url": sandbox.url, "accounts": synced.accounts, "added": synced.added}
             + f" {synced.message}").rstrip()
        )
        providers = demo_connect_providers(result.company, providers_start())
        self.stdout.write(_("Payment providers (PayPal, Qonto, Stripe simulators): %(accounts)d accounts, "
                            "%(added)d new transactions.") % {"accounts": providers.accounts, "added": providers.added})
        if providers.payouts:
            self.stdout.write(_("%(payouts)d payouts from Stripe and PayPal arrived on the bank account, each "
                                "paired as a transfer between own accounts.") % {"payouts": providers.payouts})
        for failure in providers.failed:
            self.stdout.write(failure)
        if demo_transfers(result.company):
            self.stdout.write(_("Transfers: one waits for an approver, one draft (its payee check is a close match)."))
        paid = demo_payments(result.company, sandbox)
        if paid is not None:
            self.stdout.write(
                _("Direct debits: %(debits)d licence fees in %(runs)d runs sent with the TAN and collected, "
                  "%(returned)d returned; a monthly plan per customer. Transfers: a run of three waits for "
                  "approval, a run of three was sent. (The sandbox bank's clock runs %(days)d days ahead, so "
                  "that it has booked the collections.)")
                % {"debits": paid.debits, "runs": paid.debit_runs, "returned": paid.returned,
                   "days": paid.days_ahead})
        self.stdout.write(_("The sandbox bank's TAN is %(tan)s.") % {"tan": sandbox.bank.settings.tan})
        self.stdout.write(_("Logins (user / password, then a code from an authenticator app with the key shown):"))
        secrets = demo_two_factor()
        for username, role in LOGINS.items():
            self.stdout.write(f"  {username:<9} / {PASSWORD}   ({role.label})   TOTP {secrets[username]}")
        if not no_serve:
            call_command("serve", port=port)
