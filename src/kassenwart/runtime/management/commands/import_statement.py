"""`kassenwart import-statement FILE...`: statement files into the company's accounts.

Every file gets its line, in the order given: imported, already imported, or refused with
the reason, including a file that is missing, a folder or cannot be read. The good files are
imported whatever happens to the others; the exit code is non-zero when one was refused.
A bank CSV file of a layout no profile knows is read with --mapping (a JSON file, as
`kassenwart csv-layout FILE` offers one), which is kept for the --account's next files.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from kassenwart import flows
from kassenwart.banking.formats.bank_csv import CsvMapping, required
from kassenwart.banking.formats.statement import StatementFormatError
from kassenwart.banking.models import BankAccount, StatementImport
from kassenwart.banking.services import AccountError, ImportResult, account_create, statement_import
from kassenwart.companies.cli import add_company_argument, company_from
from kassenwart.core.messages import message


class Command(BaseCommand):
    help = ("Import bank statement files: camt, MT940/MT942, bank CSV. camt.052/053/054 in all versions; "
            "every file gets a line, and the exit code is 1 when one was refused.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        add_company_argument(parser)
        parser.add_argument("--json", action="store_true", help="one JSON object per file")
        into = parser.add_mutually_exclusive_group()
        into.add_argument(
            "--account",
            metavar="ACCOUNT",
            help="the account (IBAN, account number or id) for files that do not name theirs; a CSV file goes "
                 "there even when it names its account in another form (refused when it names another IBAN)",
        )
        parser.add_argument(
            "--mapping",
            metavar="MAPPING.json",
            help="read CSV files with this column mapping (kassenwart csv-layout FILE gives one to fill in); "
                 "kept for the account given with --account, for its next files",
        )
        into.add_argument(
            "--create-account",
            metavar="IBAN",
            help="add the account with this IBAN (unless there) for files that do not name theirs",
        )

    def handle(self, *args, files, company, json: bool, account, create_account, mapping, **options):
        company = company_from(company)
        mapping = read_mapping(mapping) if mapping else None
        if create_account:
            account = self._created(company, create_account)
        elif account:
            account = account_from(company, account)
        refused = added = 0
        try:
            for path in files:
                result = _import(company, path, account, mapping)
                refused += result.refused
                added += result.added
                self.stdout.write(_json_line(path, result) if json else _text_line(path, result))
        finally:
            if added:
                flows.after_import(company.pk)  # the running worker follows orders and matches
        if refused:
            raise CommandError(
                ngettext("%(refused)d of %(count)d file refused", "%(refused)d of %(count)d files refused", len(files))
                % {"refused": refused, "count": len(files)}
            )

    def _created(self, company, iban: str) -> BankAccount:
        existing = BankAccount.objects.filter(company=company, iban=iban.replace(" ", "").upper()).first()
        if existing is not None:
            self.stdout.write(_("Account %(iban)s is there already (id %(id)s).") % {"iban": existing.iban, "id": existing.pk})
            return existing
        try:
            account = account_create(company, iban, via="cli")
        except AccountError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("Added account %(iban)s (id %(id)s).") % {"iban": account.iban, "id": account.pk})
        return account


def account_from(company, value: str) -> BankAccount:
    """The company's account named by IBAN, account number or id. An account number may leave
    out leading zeros, and an account known by its IBAN has the one inside the IBAN."""
    compact = value.replace(" ", "").upper()
    found = {
        account.pk: account
        for account in BankAccount.objects.filter(company=company)
        if compact and (compact in (account.iban, str(account.pk)) or compact.lstrip("0") in _numbers(account))
    }
    if len(found) == 1:
        return found.popitem()[1]
    if not found:
        raise CommandError(
            _("%(company)s has no account %(value)r (an IBAN, account number or id); "
              "--create-account IBAN adds one.") % {"company": company.name, "value": value}
        )
    names = ", ".join(f"{a.iban or a.account_number} (id {a.pk})" for a in found.values())
    raise CommandError(_("%(value)r could mean several accounts: %(names)s; give the IBAN.") % {
        "value": value, "names": names})


def _numbers(account: BankAccount) -> set[str]:
    numbers = {account.account_number}
    try:
        numbers.add(IBAN(account.iban).account_code)
    except SchwiftyException:
        pass  # no IBAN, or one kept as it came
    return {number.lstrip("0") for number in numbers} - {""}


def read_mapping(path: str) -> CsvMapping:
    """A column mapping from a JSON file; what is wrong with it, said without a traceback."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(_("The mapping %(file)s cannot be read: %(reason)s") % {
            "file": path, "reason": error.strerror or error}) from error
    except ValueError as error:
        raise CommandError(_("The mapping %(file)s is not JSON: %(reason)s") % {"file": path, "reason": error}) from error
    if not isinstance(data, dict):
        raise CommandError(_("The mapping %(file)s must be a JSON object.") % {"file": path})
    unknown = sorted(set(data) - set(CsvMapping.fields()))
    if unknown:
        raise CommandError(_("The mapping %(file)s has keys that mean nothing here: %(keys)s (known: %(known)s)") % {
            "file": path, "keys": ", ".join(unknown), "known": ", ".join(CsvMapping.fields())})
    try:
        mapping = CsvMapping.from_dict(data)
        required(mapping)
    except (StatementFormatError, TypeError) as error:
        raise CommandError(_("The mapping %(file)s: %(reason)s") % {"file": path, "reason": error}) from error
    return mapping


def _import(company, path: str, account: BankAccount | None, mapping: CsvMapping | None) -> ImportResult:
    """Import one file; one that cannot be opened or read is refused here (nothing of it was
    written, and there is no file to keep a record of)."""
    try:
        with open(path, "rb") as handle:
            return statement_import(company, handle, file_name=Path(path).name, via="cli", account=account,
                                    csv_mapping=mapping)
    except OSError as error:
        return ImportResult(file=path, status=StatementImport.Status.REFUSED,
                            messages=[message("banking.as_written", text=_unreadable(path, error))])


def _unreadable(path: str, error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return _("there is no such file")
    if isinstance(error, IsADirectoryError) or Path(path).is_dir():
        return _("a folder, not a file")
    if isinstance(error, PermissionError):
        return _("the file may not be read (permission denied)")
    return _("the file cannot be read: %(reason)s") % {"reason": error.strerror or error}


def _json_line(path, result) -> str:
    data = result.as_dict()
    data["file"] = path
    return json.dumps(data, ensure_ascii=False)


def _text_line(path, result) -> str:
    if result.refused:
        return _("%(file)s: refused: %(reason)s") % {"file": path, "reason": result.message}
    balance = {
        True: _("balances agree"),
        False: _("BALANCE DIFFERENCE"),
        None: _("no balances to check"),
    }[result.balance_ok]
    values = {"file": path, "added": result.added, "duplicates": result.duplicates, "pending": result.pending,
              "balance": balance}
    if result.status == StatementImport.Status.IMPORTED:
        line = _("%(file)s: imported: %(added)d added, %(duplicates)d duplicates, %(pending)d pending, %(balance)s")
    else:
        line = _("%(file)s: already imported: %(added)d added, %(duplicates)d duplicates, %(pending)d pending, "
                 "%(balance)s")
    line %= values
    if result.message:
        line += "\n  " + result.message.replace("\n", "\n  ")
    return line
