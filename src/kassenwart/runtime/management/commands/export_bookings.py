"""`kassenwart export-bookings --from DATE --to DATE [--account IBAN] --format csv|datev
[--output FILE] [--company C]`: the period's bank transactions and matched payments for the
accountant, as the exports page makes them. Without --output the file goes to stdout."""

import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import get_language

from kassenwart.accounting import datev
from kassenwart.accounting.selectors import (
    ExportRefused,
    booked_lines,
    datev_bookings,
    datev_header,
    export_settings,
    ledger_accounts_by_id,
)
from kassenwart.banking.models import BankAccount
from kassenwart.companies.cli import add_company_argument, company_from, iso_day
from kassenwart.web import booking_csv
from kassenwart.web.lists import GERMAN, PLAIN, csv_format, csv_lines
from kassenwart.web.views.exports import refused_text

STYLES = {"excel-de": GERMAN, "plain": PLAIN}


class Command(BaseCommand):
    help = ("Export a period's bookings for the accountant, as CSV or DATEV. The bank transactions and the "
            "invoices each payment paid, as a CSV file or a DATEV booking batch (EXTF).")

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", type=iso_day, required=True, metavar="YYYY-MM-DD",
                            help="first booking day of the period")
        parser.add_argument("--to", dest="date_to", type=iso_day, required=True, metavar="YYYY-MM-DD",
                            help="last booking day of the period")
        parser.add_argument("--format", choices=["csv", "datev"], required=True,
                            help="csv: a spreadsheet file; datev: a DATEV booking batch (needs the export settings)")
        parser.add_argument("--account", metavar="IBAN", help="only this account (default: every account)")
        parser.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
        parser.add_argument("--csv-style", choices=sorted(STYLES),
                            help="excel-de: semicolons, decimal comma, BOM; plain: commas and points "
                                 "(default: by KASSENWART_LANGUAGE)")
        add_company_argument(parser)

    def handle(self, *args, date_from, date_to, format, account, output, csv_style, company, **options):
        company = company_from(company)
        if date_to < date_from:
            raise CommandError("--to is before --from.")
        bank_account = None
        if account:
            iban = "".join(account.split()).upper()
            bank_account = BankAccount.objects.filter(company=company, iban=iban).first()
            if bank_account is None:
                raise CommandError(f"{company.name} has no account with the IBAN {account}.")
        lines = booked_lines(company, date_from, date_to, bank_account)
        if format == "csv":
            style = STYLES[csv_style] if csv_style else csv_format(get_language())
            pieces = (piece.encode("utf-8") for piece in csv_lines(booking_csv.columns(), booking_csv.rows(lines),
                                                                    style))
        else:
            settings = export_settings(company)
            try:
                header = datev_header(company, date_from, date_to, exported_by="kassenwart", settings=settings,
                                      accounts=[bank_account] if bank_account else None)
            except ExportRefused as refusal:
                raise CommandError(" ".join(refused_text(code, params) for code, params in refusal.problems)
                                   + " (set in the web: Export settings)") from None
            pieces = datev.encode(datev.lines(header, datev_bookings(lines, settings, ledger_accounts_by_id(company))))
        if output is None:
            for piece in pieces:
                sys.stdout.buffer.write(piece)
            sys.stdout.buffer.flush()
            return
        size = _write(Path(output), pieces)
        self.stdout.write(f"{output}: {size} bytes")


def _write(target: Path, pieces) -> int:
    """Write to a temporary file beside `target`, then put it in place: nothing half-written stays."""
    if target.is_dir():
        raise CommandError(f"{target} is a folder; name the file to write.")
    try:
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as error:
        raise CommandError(f"{target} cannot be written: {error.strerror or error}") from None
    size = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(piece)
                size += len(piece)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
    return size
