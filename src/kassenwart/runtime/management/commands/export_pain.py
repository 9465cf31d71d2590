"""`kassenwart export-pain DIR [--since DATE] [--company C]`: every pain message the company
sent over FinTS or exported as a file, exactly as it went out (the stored bytes), one file
each, named by its message id; for audits and for the bank's support."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localtime

from kassenwart.companies.cli import add_company_argument, company_from, iso_day
from kassenwart.payments import selectors


class Command(BaseCommand):
    help = ("Write every pain message sent or exported to a folder, one file each. Exactly as it went out, "
            "named by message id (a later, different message of the same order: <message id>-2.xml).")

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="where the files go (made if it does not exist)")
        parser.add_argument("--since", type=iso_day, metavar="DATE",
                            help="only messages sent or exported on or after this day (YYYY-MM-DD)")
        add_company_argument(parser)

    def handle(self, *args, directory, since, company, **options):
        company = company_from(company)
        folder = Path(directory)
        if folder.exists() and not folder.is_dir():
            raise CommandError(f"{folder} is not a directory.")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"Cannot make the directory {folder}: {error.strerror or error}") from None
        written = 0
        for pain in selectors.sent_pain(company, since=since):
            path = folder / pain.name
            try:
                path.write_bytes(pain.data)
            except OSError as error:
                raise CommandError(f"Cannot write {path}: {error.strerror or error} "
                                   f"({written} file(s) written before)") from None
            written += 1
            how = "exported as a file" if pain.attempt.delivery == "file" else "sent over FinTS"
            self.stdout.write(f"{path}: order #{pain.order.pk}, {how} {localtime(pain.attempt.created_at):%Y-%m-%d}, "
                              f"{len(pain.data)} bytes")
        self.stdout.write(f"{written} pain file(s) of {company.name} written to {folder}")
