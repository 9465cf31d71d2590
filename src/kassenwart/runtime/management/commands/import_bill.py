"""`kassenwart import-bill [--json] FILE...`: received bills into the company's bills to pay.

Each file is an XRechnung (UBL or CII), a ZUGFeRD / Factur-X PDF, or a GiroCode (in a PNG or
JPEG picture, on a PDF page, or its text). Every file gets its line, in the order given:
imported, duplicate (the supplier's invoice number is known already: no second bill), or
refused with the reason (the element path and the rule). The good files are imported whatever
happens to the others; the exit code is non-zero when a file was refused.

With --json each line is one object: file, status, supplier, iban, bic, amount (payable),
currency, invoice_number (for a GiroCode its remittance text), due_date, skonto_date,
skonto_amount, flags and message. It lives in runtime because it calls flows (above payables
and payments: the IBAN history of a supplier is in payments' orders).
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kassenwart.companies.cli import add_company_argument, company_from
from kassenwart.core.messages import message, render
from kassenwart.flows.bills import bills_import
from kassenwart.payables.services import BATCH, REFUSED, BillImportResult


class Command(BaseCommand):
    help = ("Import received bills: XRechnung, ZUGFeRD, Factur-X and GiroCodes. XRechnung in UBL or CII, "
            "ZUGFeRD / Factur-X PDFs, GiroCodes in PNG, JPEG or PDF; every file gets a line, and the exit code "
            "is 1 when one was refused.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        add_company_argument(parser)
        parser.add_argument("--json", action="store_true", help="one JSON object per file")

    def handle(self, *args, files, company, json: bool, **options):
        company = company_from(company)
        refused = 0
        for start in range(0, len(files), BATCH):
            for path, result in zip(files[start:start + BATCH], _import(company, files[start:start + BATCH]),
                                    strict=True):
                refused += result.refused
                self.stdout.write(json_line(path, result) if json else text_line(path, result))
        if refused:
            raise CommandError(
                ngettext("%(refused)d of %(count)d file refused", "%(refused)d of %(count)d files refused", len(files))
                % {"refused": refused, "count": len(files)})


def _import(company, paths: list[str]) -> list[BillImportResult]:
    """The files' results in their order: those that cannot be read refused, the others imported
    together (a batch of payables.services)."""
    unreadable, contents = {}, []
    for position, path in enumerate(paths):
        try:
            with open(path, "rb") as handle:
                contents.append((path, handle.read()))
        except OSError as error:
            reason = (_("there is no such file") if isinstance(error, FileNotFoundError)
                      else (error.strerror or str(error)))
            unreadable[position] = BillImportResult(path, REFUSED, messages=[
                message("payables.refused", path="", rule="unreadable", detail=reason)])
    imported = iter(bills_import(company, contents, user=None, via="cli"))
    return [unreadable[position] if position in unreadable else next(imported) for position in range(len(paths))]


def json_line(path: str, result: BillImportResult) -> str:
    return json.dumps({**result.as_dict(), "file": path}, ensure_ascii=False)


def text_line(path: str, result: BillImportResult) -> str:
    said = "\n  ".join(render(stored) for stored in result.messages)
    if result.refused:
        return _("%(file)s: %(reason)s") % {"file": path, "reason": said}
    bill = result.bill
    if result.status == "duplicate":
        return f"{path}: {said}"
    line = _("%(file)s: imported: %(supplier)s, %(number)s, %(amount)s %(currency)s") % {
        "file": path, "supplier": bill.supplier_name, "number": bill.invoice_number or "-",
        "amount": bill.amount, "currency": bill.currency}
    if bill.due_date:
        line += _(", due %(date)s") % {"date": bill.due_date.isoformat()}
    if bill.skonto_date:
        line += _(", %(amount)s with Skonto by %(date)s") % {"amount": bill.skonto_amount,
                                                             "date": bill.skonto_date.isoformat()}
    return line + ("\n  " + said if said else "")
