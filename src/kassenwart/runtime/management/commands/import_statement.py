import json

from django.core.management.base import BaseCommand, CommandError

from kassenwart import flows
from kassenwart.banking.models import BankAccount
from kassenwart.banking.services import statement_import
from kassenwart.companies.cli import add_company_argument, company_from


class Command(BaseCommand):
    help = "Import bank statement files (camt.052/053/054, MT940/MT942, bank CSV)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        add_company_argument(parser)
        parser.add_argument("--json", action="store_true", help="one JSON object per file")
        parser.add_argument(
            "--account", help="IBAN or id of the account for files that do not name theirs (CSV)"
        )

    def handle(self, *args, files, company, json: bool, account, **options):
        company = company_from(company)
        account = _account(company, account) if account else None
        refused = added = 0
        try:
            for path in files:
                try:
                    result = statement_import(company, path, via="cli", account=account)
                except OSError as error:
                    raise CommandError(f"{path}: {error.strerror}") from error
                refused += result.refused
                added += result.added
                self.stdout.write(_json_line(path, result) if json else _text_line(path, result))
        finally:
            if added:
                flows.after_import(company.pk)  # the running worker follows orders and matches
        if refused:
            raise CommandError(f"{refused} of {len(files)} file(s) refused")


def _account(company, value: str) -> BankAccount:
    accounts = BankAccount.objects.filter(company=company)
    found = accounts.filter(pk=int(value)) if value.isdigit() else accounts.filter(iban=value.replace(" ", "").upper())
    account = found.first()
    if account is None:
        raise CommandError(f"No account {value!r} in {company.name}.")
    return account


def _json_line(path, result) -> str:
    data = result.as_dict()
    data["file"] = path
    return json.dumps(data, ensure_ascii=False)


def _text_line(path, result) -> str:
    if result.refused:
        return f"{path}: refused: {result.message}"
    status = "imported" if result.status == "imported" else "already imported"
    balance = {True: "balances agree", False: "BALANCE DIFFERENCE", None: "no balances to check"}
    line = (
        f"{path}: {status}: {result.added} added, {result.duplicates} duplicates, "
        f"{result.pending} pending, {balance[result.balance_ok]}"
    )
    if result.message:
        line += "\n  " + result.message.replace("\n", "\n  ")
    return line
