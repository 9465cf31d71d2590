from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kassenwart.companies.cli import add_company_argument, company_from
from kassenwart.reconciliation.services import reconcile_company


class Command(BaseCommand):
    help = "Match open incoming payments against open invoices now."

    def add_arguments(self, parser):
        add_company_argument(parser)

    def handle(self, *args, company, **options):
        company = company_from(company)
        result = reconcile_company(company, via="cli")
        self.stdout.write(
            _("%(transactions)d open payments: %(auto)d reconciled automatically, %(open)d waiting for a person")
            % {"transactions": result.transactions, "auto": result.auto, "open": result.open}
        )
