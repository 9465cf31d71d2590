from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kassenwart.companies.cli import add_company_argument, company_from
from kassenwart.receivables.invoice_csv import InvoiceFileError
from kassenwart.receivables.services import invoice_import


class Command(BaseCommand):
    help = "Import open invoices from a CRM/ERP CSV export. Invoices are updated by their number."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.csv")
        add_company_argument(parser)

    def handle(self, *args, file, company, **options):
        company = company_from(company)
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(_("%(file)s cannot be read: %(reason)s") % {"file": file, "reason": error.strerror}) from error
        try:
            result = invoice_import(company, data, file_name=Path(file).name, via="cli")
        except InvoiceFileError as error:
            for row_error in error.errors:
                self.stderr.write(f"{file}: {row_error}")
            raise CommandError(
                _("%(file)s: %(count)d problem(s); nothing was imported") % {"file": file, "count": len(error.errors)}
            ) from error
        self.stdout.write(
            _("%(file)s: %(created)d invoices created, %(updated)d updated, %(unchanged)d unchanged, "
              "%(customers)d new customers")
            % {"file": file, "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
               "customers": result.customers_created}
        )
