from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kassenwart.companies.cli import add_company_argument, company_from
from kassenwart.receivables.invoice_csv import InvoiceFileError
from kassenwart.receivables.services import invoice_import


class Command(BaseCommand):
    help = "Import open invoices from a CRM/ERP CSV export (upsert by invoice number)."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.csv")
        add_company_argument(parser)

    def handle(self, *args, file, company, **options):
        company = company_from(company)
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        try:
            result = invoice_import(company, data, file_name=Path(file).name, via="cli")
        except InvoiceFileError as error:
            for row_error in error.errors:
                self.stderr.write(f"{file}: {row_error}")
            raise CommandError(f"{file}: {len(error.errors)} problem(s); nothing was imported") from error
        self.stdout.write(
            f"{file}: {result.created} invoices created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.customers_created} new customers"
        )
