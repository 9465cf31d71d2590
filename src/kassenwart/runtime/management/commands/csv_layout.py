"""`kassenwart csv-layout FILE`: what the import makes of a bank CSV export, before importing.

For a layout a profile knows (or with --mapping): the profile, each column and what it is read
as, and the first rows as they would be stored, with their signs. For an unknown layout: the
first rows as cells and a mapping to fill in for `import-statement --mapping`.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kassenwart.banking.formats import CSV, detect_format
from kassenwart.banking.formats.bank_csv import (
    PROFILES,
    CsvMapping,
    detect_profile,
    first_rows,
    guess_settings,
    header_cells,
    parse_csv,
)
from kassenwart.banking.formats.statement import Entry, StatementFormatError
from kassenwart.core.messages import amount

from .import_statement import read_mapping


class Command(BaseCommand):
    help = ("Show how a bank CSV file is read. Its layout, columns and first rows with signs, or a mapping to "
            "fill in.")

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--mapping", metavar="MAPPING.json", help="read the file with this column mapping")
        parser.add_argument("--rows", type=int, default=5, help="how many rows to show (5)")

    def handle(self, *args, file, mapping, rows, **options):
        try:
            data = Path(file).read_bytes()
            if detect_format(data[:8192]) != CSV:
                raise CommandError(_("%(file)s is not a CSV file.") % {"file": file})
        except OSError as error:
            raise CommandError(_("%(file)s cannot be read: %(reason)s") % {"file": file, "reason": error.strerror}) from error
        except StatementFormatError as error:
            raise CommandError(f"{file}: {error}") from error
        if mapping:
            chosen, name = read_mapping(mapping), _("the mapping %(file)s") % {"file": mapping}
        elif (profile := detect_profile(data[:65536])) is not None:
            chosen, name = PROFILES[profile], _("the profile %(name)s") % {"name": profile}
        else:
            self._unknown(data, rows)
            return
        self.stdout.write(_("Layout: %(name)s") % {"name": name})
        self._columns(data, chosen)
        self._first_rows(data, chosen, rows)

    def _columns(self, data: bytes, mapping: CsvMapping) -> None:
        read_as = {}
        for field_name, reference in mapping.references().items():
            for alternative in reference.split("|"):
                read_as.setdefault(alternative.strip().casefold(), field_name)
        self.stdout.write(_("Columns:"))
        try:
            cells = header_cells(data, mapping)
        except StatementFormatError as error:
            raise CommandError(str(error)) from error
        for number, cell in enumerate(cells, start=1):
            field_name = read_as.get(cell.casefold()) or read_as.get(f"#{number}")
            self.stdout.write(f"  #{number} {cell or '-'}: {field_name or _('not read')}")

    def _first_rows(self, data: bytes, mapping: CsvMapping, count: int) -> None:
        self.stdout.write(_("First rows as they would be imported:"))
        shown = 0
        try:
            for item in parse_csv(data, mapping):
                if not isinstance(item, Entry):
                    continue
                if shown == count:
                    break
                shown += 1
                text = " ".join((item.counterparty_name + " " + item.remittance).split())[:60]
                day = item.booking_date.strftime("%d.%m.%Y") if item.booking_date else _("pending")
                signed = ("+" if item.amount > 0 else "") + amount(item.amount)
                self.stdout.write(f"  {item.source}: {day} {signed:>13} {item.currency} {text}")
        except StatementFormatError as error:
            raise CommandError(str(error)) from error

    def _unknown(self, data: bytes, count: int) -> None:
        _delimiter, cells = first_rows(data, limit=count + 1)
        self.stdout.write(_("Layout: not known. The first rows, as cells:"))
        for number, row in enumerate(cells, start=1):
            self.stdout.write(f"  {number}: " + " | ".join(row))
        self.stdout.write(_(
            "Fill in this mapping: a column by its header (or its number, \"#3\", for a file without a header "
            "row; then has_header is false), then import-statement --account ACCOUNT --mapping MAPPING.json FILE."))
        guessed = guess_settings(data)  # the delimiter, header row, dates and decimals the rows suggest
        thousands = "." if guessed["decimal_comma"] else ","
        template = {name: value for name, value in CsvMapping(**guessed, thousands_separator=thousands).to_dict().items()
                    if name not in ("name", "header_row", "ignored", "status", "pending_values")}
        template["remittance"] = []
        self.stdout.write(json.dumps(template, ensure_ascii=False, indent=2))
