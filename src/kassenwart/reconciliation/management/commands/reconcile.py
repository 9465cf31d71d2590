from django.core.management.base import BaseCommand

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
            f"{result.transactions} open payments: {result.auto} reconciled automatically, "
            f"{result.open} waiting for a person"
        )
