"""Use cases of the banking app. Each owns its transaction and writes its audit event."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from kassenwart.banking.formats import CAMT, CSV, detect_format, parse
from kassenwart.banking.formats.camt_child import ChildParse, parse_camt_in_child, readable_in_child
from kassenwart.banking.formats.statement import Note, StatementFormatError, StatementHeader, StatementItem
from kassenwart.banking.importer import ImportCounts, ImportRefused, StatementWriter
from kassenwart.banking.models import BankAccount, BankConnection, StatementImport
from kassenwart.banking.tasks import text_index_task
from kassenwart.companies import permissions
from kassenwart.companies.models import Company
from kassenwart.companies.selectors import role_in
from kassenwart.core.audit import record
from kassenwart.core.bulk import checkpoint_left_to_others
from kassenwart.core.gc_pause import gc_paused
from kassenwart.core.messages import defined, message, render
from kassenwart.core.models import User
from kassenwart.core.offload import OffloadError


@dataclass
class ImportResult:
    file: str
    status: str  # StatementImport.Status value
    added: int = 0
    duplicates: int = 0
    pending: int = 0
    balance_ok: bool | None = None
    messages: list[dict] = field(default_factory=list)  # stored messages (kassenwart.core.messages)
    warnings: list[str | dict] = field(default_factory=list)  # a parser's words, or stored messages
    accounts_created: list[str] = field(default_factory=list)
    import_id: int | None = None

    @property
    def refused(self) -> bool:
        return self.status == StatementImport.Status.REFUSED

    @property
    def message(self) -> str:
        """What the import did or why it was refused, one line each, in the active language."""
        return "\n".join(render(stored) for stored in self.messages)

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "status": self.status,
            "added": self.added,
            "duplicates": self.duplicates,
            "pending": self.pending,
            "balance_ok": self.balance_ok,
            "message": self.message,
            "warnings": [render(_stored_warning(warning)) for warning in self.warnings],
            "accounts_created": self.accounts_created,
        }


def _may_create_accounts(company: Company, user: User | None) -> bool:
    """The CLI (no user) and admins may add an account by importing its statement."""
    if user is None:
        return True
    role = role_in(company, user)
    return permissions.allows(role, permissions.CREATE_ACCOUNT)


def _sha256(file: BinaryIO) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(1 << 20), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def statement_import(
    company: Company,
    file: BinaryIO | Path | str,
    *,
    file_name: str = "",
    user: User | None = None,
    via: str = "upload",
    account: BankAccount | None = None,
    csv_mapping=None,
) -> ImportResult:
    """Import one statement file (camt, MT940 or CSV) into the company's accounts.

    The file's own account identification decides where camt and MT940 entries go; `account`
    is used for such files that name none (MT940 snippets). A CSV file's entries go to
    `account` when one is given, whatever form the file names its own account in (refused
    when it names another IBAN). CSV files are read with `csv_mapping` (kept for `account`
    when the import succeeds), else the account's saved mapping when the file has its
    columns, else the profile of the file's layout.

    Atomic: a file that fails anywhere writes no transaction; the refusal itself is recorded.
    A camt file on disk from settings.KASSENWART_CAMT_IN_CHILD_FROM bytes on is parsed in a
    child interpreter while this process writes (the same result); should that child die, the
    import writes nothing and is refused, saying so (the file may well be fine: import it again).
    What follows an import (matching, following sent orders) is the caller's to start
    (`kassenwart.flows.after_import`): this layer starts nothing above it. Its own follow-up,
    the text search's index, is enqueued once the import is committed.
    """
    if isinstance(file, (str, Path)):
        with open(file, "rb") as handle:
            return statement_import(
                company,
                handle,
                file_name=file_name or Path(file).name,
                user=user,
                via=via,
                account=account,
                csv_mapping=csv_mapping,
            )
    in_child = _started_in_child(file)
    try:
        return _import_open_file(company, file, in_child, file_name=file_name, user=user, via=via, account=account,
                                 csv_mapping=csv_mapping)
    finally:
        if in_child is not None:
            in_child.close()


def _import_open_file(company, file: BinaryIO, in_child: ChildParse | None, *, file_name, user, via, account,
                      csv_mapping) -> ImportResult:
    """statement_import of an open file; `in_child` is the file's parse when it runs in a
    child interpreter."""
    sha = _sha256(file)
    try:
        fmt = detect_format(file.read(8192))
        file.seek(0)
        mapping = _csv_mapping(fmt, file, account, csv_mapping)
        with checkpoint_left_to_others(), transaction.atomic():
            stmt_import = StatementImport.objects.create(
                company=company,
                file_name=file_name,
                sha256=sha,
                format=fmt,
                status=StatementImport.Status.IMPORTED,
                source=via,
                created_by=user,
            )
            writer = StatementWriter(
                stmt_import,
                may_create_accounts=_may_create_accounts(company, user),
                fallback_account=account,
            )
            if in_child is not None:
                items = in_child
            else:
                items = parse(fmt, file, mapping, account_iban=account.iban if account else "")
            if fmt == CSV and account is not None:
                items = _into_chosen_account(items, account)
            seen_any = False
            with writer, closing(items):  # a stream left early stops its parse (and child) at once
                with gc_paused():
                    for item in items:
                        seen_any = True
                        writer.feed(item)
                if not seen_any:
                    raise ImportRefused(message("banking.no_statement"))
                counts = writer.finish()
            _remember_csv_mapping(account, fmt, csv_mapping, user, via)
            if counts.added:  # the text search's index follows in the background (text_search.py)
                transaction.on_commit(text_index_task.enqueue, robust=True)
            return _finish(stmt_import, counts, user, via)
    except StatementFormatError as error:
        return _refuse(company, file_name, sha, _refusal(error), user, via)
    except ImportRefused as refusal:
        return _refuse(company, file_name, sha, refusal.message, user, via)
    except OffloadError as stopped:  # the child parsing the file died: refused, so a batch goes on
        return _refuse(company, file_name, sha, message("banking.parse_stopped", why=stopped.ending), user, via)


def statement_items_import(
    company: Company,
    items: Iterable[StatementItem],
    *,
    name: str,
    account: BankAccount,
    user: User | None = None,
    via: str,
) -> ImportResult:
    """Import statements a connector produced as dataclasses (banking/providers), not as a
    file, into `account`: the same writer as files, so the same deduplication, balances and
    pending list. `name` names the import in the list of imports. Atomic like a file."""
    items = list(items)
    sha = hashlib.sha256(repr(items).encode()).hexdigest()  # the content, for the list of imports
    fmt = next((item.format for item in items if isinstance(item, StatementHeader)), "")
    try:
        with transaction.atomic():
            stmt_import = StatementImport.objects.create(
                company=company, file_name=name, sha256=sha, format=fmt,
                status=StatementImport.Status.IMPORTED, source=via, created_by=user,
            )
            writer = StatementWriter(stmt_import, may_create_accounts=False, fallback_account=account)
            with writer:
                for item in items:
                    writer.feed(item)
                counts = writer.finish()
            if counts.added:
                transaction.on_commit(text_index_task.enqueue, robust=True)
            return _finish(stmt_import, counts, user, via)
    except ImportRefused as refusal:
        return _refuse(company, name, sha, refusal.message, user, via)


def _started_in_child(file: BinaryIO) -> ChildParse | None:
    """A large camt file on disk: its parse in a child interpreter, started now so that the
    child's start overlaps the file's hashing and the import's set-up (the items are the
    same, see camt_child). None for any other file: it is parsed here."""
    if not readable_in_child(file) or os.fstat(file.fileno()).st_size < settings.KASSENWART_CAMT_IN_CHILD_FROM:
        return None
    head = file.read(8192)
    file.seek(0)
    try:
        if detect_format(head) != CAMT:
            return None
    except StatementFormatError:  # refused with its message by the import, as any file
        return None
    try:
        return parse_camt_in_child(file)
    except OSError:  # no process to be had (the interpreter not found, no fork): parsed here
        return None


def _csv_mapping(fmt: str, file: BinaryIO, account: BankAccount | None, given):
    """The mapping given, else the account's saved one when it reads the file, else the
    profile of the file's layout; an unknown layout is refused, saying what to do."""
    if fmt != CSV:
        return None
    from kassenwart.banking.formats.bank_csv import PROFILES, CsvMapping, detect_profile, fit

    if given is not None:
        return given
    head = file.read(65536)
    file.seek(0)
    if account is not None and account.csv_mapping:
        saved = CsvMapping.from_dict(account.csv_mapping)
        if fit(head, saved, every_column=False):  # the person's mapping may leave columns out
            return saved
    profile = detect_profile(head)
    if profile is None:
        raise ImportRefused(message("banking.csv_layout_unknown"))
    return PROFILES[profile]


def _into_chosen_account(items, account: BankAccount):
    """A CSV file's statements go into the account the person chose, whatever form the file
    names its own account in (an account number, an IBAN); refused when the file names
    another IBAN than the chosen account's, or several accounts of its own."""
    named: set[str] = set()
    for item in items:
        if isinstance(item, StatementHeader):
            own = item.account_iban or item.account_number
            if own:
                named.add(own)
            if len(named) > 1:
                raise ImportRefused(message("banking.csv_several_accounts", accounts=", ".join(sorted(named))))
            if _other_iban(item.account_iban, account.iban):
                raise ImportRefused(message("banking.account_contradicts", file=item.account_iban, chosen=account.iban))
            item.account_iban = item.account_number = item.bank_code = ""
        yield item


def _other_iban(named: str, chosen: str) -> bool:
    """Whether both are valid IBANs and different ones."""
    try:
        return IBAN(named).compact != IBAN(chosen).compact
    except SchwiftyException:
        return False


def _remember_csv_mapping(account: BankAccount | None, fmt: str, mapping, user, via) -> None:
    """The column mapping chosen for an account's CSV files is kept for the next file."""
    if fmt != CSV or account is None or mapping is None or account.csv_mapping == mapping.to_dict():
        return
    before = {"csv_mapping": account.csv_mapping}
    account.csv_mapping = mapping.to_dict()
    account.save(update_fields=["csv_mapping"])
    record("account.csv_mapping_saved", account, company=account.company, user=user, via=via,
           before=before, after={"csv_mapping": account.csv_mapping})


def _finish(stmt_import: StatementImport, counts: ImportCounts, user, via) -> ImportResult:
    checks = [c for c in counts.statements if c.difference is not None]
    balance_ok = None if not checks else all(c.difference == 0 for c in checks)
    messages = [
        message("banking.balance_differs", id=check.statement_id or "-", account=check.account,
                opening=check.opening, total=check.total, closing=check.closing, difference=check.difference)
        for check in checks
        if check.difference != 0
    ]
    for account in counts.accounts_created:
        messages.append(message("banking.account_added", account=account.iban or account.account_number))
    booked = counts.added + counts.duplicates
    if counts.added == 0 and booked > 0:
        stmt_import.status = StatementImport.Status.DUPLICATE
    stmt_import.format = ", ".join(sorted(counts.formats)) or stmt_import.format
    stmt_import.added = counts.added
    stmt_import.duplicates = counts.duplicates
    stmt_import.pending = counts.pending
    stmt_import.balance_ok = balance_ok
    stmt_import.messages = messages
    stmt_import.details = {
        "statements": [c.as_dict() for c in counts.statements],
        "warnings": [_stored_warning(warning) for warning in counts.warnings[:200]],
    }
    stmt_import.save()
    after = {
        "file": stmt_import.file_name,
        "status": stmt_import.status,
        "added": counts.added,
        "duplicates": counts.duplicates,
        "pending": counts.pending,
        "balance_ok": balance_ok,
    }
    record("statement.imported", stmt_import, company=stmt_import.company, user=user, via=via, after=after)
    for account in counts.accounts_created:
        record(
            "account.created",
            account,
            company=stmt_import.company,
            user=user,
            via=via,
            after={"iban": account.iban, "account_number": account.account_number, "name": account.name},
        )
    return ImportResult(
        file=stmt_import.file_name,
        status=stmt_import.status,
        added=counts.added,
        duplicates=counts.duplicates,
        pending=counts.pending,
        balance_ok=balance_ok,
        messages=messages,
        warnings=counts.warnings,
        accounts_created=[str(a) for a in counts.accounts_created],
        import_id=stmt_import.pk,
    )


def _stored_warning(warning: str | dict) -> dict:
    return warning if isinstance(warning, dict) else _parser_said(warning)


def _parser_said(text: str) -> dict:
    """A parser's note by its code where the app words that code, else its English words."""
    if isinstance(text, Note) and defined(f"banking.file.{text.code}"):
        return message(f"banking.file.{text.code}", **{name: _param(value) for name, value in text.params.items()})
    return message("banking.as_written", text=str(text))


def _param(value):
    """A note's parameter as stored: a note in it (a camt warning's place) as a message too."""
    if isinstance(value, Note):
        return _parser_said(value)
    if isinstance(value, list):
        return [_param(item) for item in value]
    return value


def _refusal(error: StatementFormatError) -> dict:
    """Why a parser refused the file; the place it names (English) stays as it is."""
    if error.where:
        return message("banking.as_written", text=str(error))
    return _parser_said(error.message)


@transaction.atomic
def _refuse(company, file_name, sha, why: dict, user, via) -> ImportResult:
    stmt_import = StatementImport.objects.create(
        company=company,
        file_name=file_name,
        sha256=sha,
        status=StatementImport.Status.REFUSED,
        source=via,
        messages=[why],
        created_by=user,
    )
    record(
        "statement.refused",
        stmt_import,
        company=company,
        user=user,
        via=via,
        after={"file": file_name, "message": why},
    )
    return ImportResult(
        file=file_name,
        status=StatementImport.Status.REFUSED,
        messages=[why],
        import_id=stmt_import.pk,
    )


class AccountError(ValueError):
    """An account that cannot be added; the message says why."""


@transaction.atomic
def account_create(company: Company, iban: str, *, name: str = "", user: User | None = None, via: str = "web") -> BankAccount:
    """Add an account named by its IBAN, for the statement files that name no account (CSV
    exports, MT940 snippets). Admins may (the CLI acts as one), as when an import adds one."""
    if not _may_create_accounts(company, user):
        raise AccountError(_("Only an admin can add an account."))
    try:
        parsed = IBAN(iban)
    except SchwiftyException as error:
        raise AccountError(_("%(iban)s is not a valid IBAN (%(error)s).") % {"iban": iban, "error": error}) from error
    compact = str(parsed.compact)
    if BankAccount.objects.filter(company=company, iban=compact).exists():
        raise AccountError(_("%(company)s has the account %(iban)s already.") % {"company": company.name, "iban": compact})
    connection, _created = BankConnection.objects.get_or_create(
        company=company, kind=BankConnection.Kind.FILE, defaults={"name": _("Statement files")}
    )
    account = BankAccount.objects.create(
        company=company,
        connection=connection,
        name=name or _("Account …%(last)s") % {"last": compact[-4:]},
        iban=compact,
        bic=str(parsed.bic or "")[:11],
        bank_code=parsed.bank_code,
        account_number=parsed.account_code,
    )
    record("account.created", account, company=company, user=user, via=via,
           after={"iban": account.iban, "account_number": account.account_number, "name": account.name})
    return account
