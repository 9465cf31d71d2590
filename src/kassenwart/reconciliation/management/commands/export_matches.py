import csv
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand

from kassenwart.companies.cli import add_company_argument, company_from
from kassenwart.reconciliation.selectors import export_rows

COLUMNS = ["transaction_ref", "invoice_number", "kind", "rank", "amount", "confidence", "reason"]


class Command(BaseCommand):
    help = "Write matches (auto, manual) and open suggestions (ranked) to a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("out", metavar="OUT.csv")
        add_company_argument(parser)

    def handle(self, *args, out, company, **options):
        company = company_from(company)
        target = Path(out)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
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
        self.stdout.write(f"{out}: {rows} rows")
