"""`kassenwart import-mandates FILE.csv`: SEPA mandates from a CSV file, all or none."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kassenwart.companies.cli import add_company_argument, company_from
from kassenwart.payments.mandate_csv import COLUMNS, MandateFileError
from kassenwart.payments.mandates import mandate_import
from kassenwart.payments.services import PaymentInvalid, StateChanged


class Command(BaseCommand):
    help = (f"Import SEPA mandates from a CSV file. Its columns: {', '.join(COLUMNS)} (debtor_bic optional). "
            "Nothing is imported when a row is bad; every problem is listed by line and column.")

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.csv")
        add_company_argument(parser)
        parser.add_argument("--json", action="store_true", help="the result as one JSON object")

    def handle(self, *args, file, company, json: bool, **options):
        company = company_from(company)
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        try:
            result = mandate_import(company, data, file_name=Path(file).name, user=None, via="cli")
        except MandateFileError as error:
            if json:
                self._json(file, "refused", problems=[_problem(e) for e in error.errors])
            else:
                for row_error in error.errors:
                    self.stderr.write(f"{file}: {row_error}")
            raise CommandError(f"{file}: {len(error.errors)} problem(s); nothing was imported") from error
        except (PaymentInvalid, StateChanged) as error:
            if json:
                problems = getattr(error, "problems", None) or []
                self._json(file, "refused", problems=[
                    {"line": None, "column": None, "code": p.code, "message": p.message} for p in problems
                ] or [{"line": None, "column": None, "code": "state_changed", "message": str(error)}])
            raise CommandError(f"{file}: {error}") from error
        if json:
            self._json(file, "imported", **result.as_dict())
        else:
            self.stdout.write(f"{file}: {result.created} mandates imported, {result.unchanged} already there")

    def _json(self, file, status, **data):
        self.stdout.write(_dumps({"file": file, "status": status, **data}))


def _problem(error) -> dict:
    return {"line": error.line, "column": error.column, "code": error.code, "message": error.message}


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
