import csv
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kassenwart.companies.cli import add_company_argument, company_from
from kassenwart.reconciliation.selectors import export_rows

COLUMNS = ["transaction_ref", "invoice_number", "kind", "rank", "amount", "confidence", "reason"]


class Command(BaseCommand):
    help = "Write matches and ranked suggestions to a CSV file. Kinds: auto, manual, suggestion."

    def add_arguments(self, parser):
        parser.add_argument("out", metavar="OUT.csv")
        add_company_argument(parser)

    def handle(self, *args, out, company, **options):
        company = company_from(company)
        target = Path(out)
        if target.is_dir():
            raise CommandError(_("%(file)s is a folder; name the file to write.") % {"file": out})
        try:
            fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        except OSError as error:
            raise CommandError(_("%(file)s cannot be written: %(reason)s") % {"file": out, "reason": error.strerror}) from error
        rows = 0
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=COLUMNS)
                writer.writeheader()
                for row in export_rows(company):
                    writer.writerow(row)
                    rows += 1
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)  # nothing half-written is left behind
            raise
        self.stdout.write(_("%(file)s: %(rows)d rows") % {"file": out, "rows": rows})
