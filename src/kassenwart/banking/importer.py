"""Writes a parsed statement stream into the database (called by services.statement_import).

The stream is consumed once: headers resolve the account, booked entries are written in
batches (core.bulk.BatchInserter, each batch written while the next is read; those an
earlier import added are left out and counted as duplicates),
pending entries replace the account's pending list, and each statement's balances are checked
(opening + entries = closing).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter, gt

from django.db import models
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from kassenwart.banking.fingerprint import Fingerprinter
from kassenwart.banking.formats.statement import PENDING, Entry, StatementHeader
from kassenwart.banking.models import (
    Balance,
    BankAccount,
    BankConnection,
    PendingTransaction,
    StatementImport,
    Transaction,
)
from kassenwart.core.bulk import BatchInserter
from kassenwart.core.messages import message

BATCH = 2000
# Formats that report the pending state of an account: their import replaces it.
PENDING_REPORTING = ("camt.052", "mt942", "fints", "csv:", "provider:")  # a bank's CSV export lists them too;
# a payment provider's sync (banking/providers) reports every pending item it has


class ImportRefused(Exception):
    """The file is readable but may not be imported (e.g. an unknown account). `message` is
    the stored message (a key with parameters) that says why."""

    def __init__(self, message: dict):
        super().__init__(message["key"])
        self.message = message


@dataclass
class StatementCheck:
    account: str
    statement_id: str
    opening: Decimal | None
    closing: Decimal | None
    total: Decimal = Decimal("0.00")
    entries: int = 0

    @property
    def difference(self) -> Decimal | None:
        if self.opening is None or self.closing is None:
            return None
        return self.closing - self.opening - self.total

    def as_dict(self) -> dict:
        return {
            "account": self.account,
            "statement_id": self.statement_id,
            "entries": self.entries,
            "opening": _str(self.opening),
            "closing": _str(self.closing),
            "total": _str(self.total),
            "difference": _str(self.difference),
        }


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass
class ImportCounts:
    added: int = 0
    duplicates: int = 0
    pending: int = 0
    statements: list[StatementCheck] = field(default_factory=list)
    accounts_created: list[BankAccount] = field(default_factory=list)
    warnings: list[str | dict] = field(default_factory=list)  # a parser's words, or a stored message
    formats: set[str] = field(default_factory=set)


class StatementWriter:
    """Consumes one file's stream inside the caller's transaction, as a context manager
    inside it: leaving it waits for the last batch's write (core.bulk.BatchInserter)."""

    def __init__(self, record: StatementImport, *, may_create_accounts: bool, fallback_account=None):
        self.record = record
        self.company = record.company
        self.may_create_accounts = may_create_accounts
        self.fallback_account = fallback_account
        self.counts = ImportCounts()
        self._header: StatementHeader | None = None  # whose warnings are taken after its last entry
        self._fingerprint = Fingerprinter()
        self._batch: list[Entry] = []  # booked entries of one account
        self._pending: dict[int, list[PendingTransaction]] = defaultdict(list)
        self._pending_replaced: set[int] = set()
        self._account: BankAccount | None = None
        self._check: StatementCheck | None = None
        # Per statement only dictionary work: a file may hold thousands of tiny statements,
        # so accounts are looked up once per account and balances written once, in finish().
        self._accounts: dict[tuple, BankAccount] = {}
        self._balances: dict[tuple, Balance] = {}
        self._booked = 0
        self._inserter = BatchInserter(Transaction, _ROW, _SAME, unless_exists=("account", "fingerprint"))

    def __enter__(self) -> StatementWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self._inserter.__exit__(*exc_info)

    # -- the stream -------------------------------------------------------------------
    def feed(self, item: StatementHeader | Entry) -> None:
        if isinstance(item, StatementHeader):
            self._start(item)
        elif item.status == PENDING:
            self._pending[self._account.pk].append(PendingTransaction(**self._values(item)))
        else:
            self._check.total += item.amount
            self._check.entries += 1
            self._batch.append(item)
            if len(self._batch) >= BATCH:
                self._flush()

    def finish(self) -> ImportCounts:
        self._flush()
        self.counts.added = self._inserter.wait()
        self.counts.duplicates = self._booked - self.counts.added
        self._take_warnings()
        # The last balance a file gives for an account, kind and day wins, as the bank's latest word.
        Balance.objects.bulk_create(
            self._balances.values(), BATCH, update_conflicts=True, unique_fields=["account", "kind", "date"],
            update_fields=["amount", "currency", "statement_import"],
        )
        for account_id in self._pending_replaced:
            PendingTransaction.objects.filter(account_id=account_id).delete()
            kept = PendingTransaction.objects.bulk_create(self._pending.get(account_id, []), BATCH)
            self.counts.pending += len(kept)
        ignored = sum(len(rows) for account_id, rows in self._pending.items() if account_id not in self._pending_replaced)
        if ignored:
            self.counts.warnings.append(message("banking.pending_left_out", count=ignored))
        return self.counts

    # -- headers ----------------------------------------------------------------------
    def _take_warnings(self) -> None:
        """The last statement's warnings, once its entries are read: camt adds the warnings
        it finds in entries to the header it yielded before them."""
        if self._header is not None:
            self.counts.warnings.extend(self._header.warnings)
            self._header = None

    def _start(self, header: StatementHeader) -> None:
        self._flush()  # a batch holds the entries of one account
        self.counts.formats.add(header.format)
        self._take_warnings()
        self._header = header
        self._account = self._resolve_account(header)
        if header.format.startswith(PENDING_REPORTING):
            self._pending_replaced.add(self._account.pk)
        opening = header.opening.amount if header.opening else None
        closing = header.closing.amount if header.closing else None
        self._check = StatementCheck(
            account=self._account.iban or self._account.account_number,
            statement_id=header.statement_id,
            opening=opening,
            closing=closing,
        )
        self.counts.statements.append(self._check)
        for snapshot, kind in ((header.closing, Balance.Kind.BOOKED), (header.available, Balance.Kind.AVAILABLE)):
            day = snapshot and (snapshot.date or header.period_to)
            if day:
                self._balances[self._account.pk, kind, day] = Balance(
                    account=self._account, kind=kind, date=day, amount=snapshot.amount,
                    currency=snapshot.currency or self._account.currency, statement_import=self.record,
                )

    def _resolve_account(self, header: StatementHeader) -> BankAccount:
        iban = header.account_iban.replace(" ", "").upper()
        key = (iban, header.bank_code, header.account_number)
        if key not in self._accounts:
            self._inserter.wait()  # the database connection is this thread's again
            self._accounts[key] = self._find_account(header, iban)
        return self._accounts[key]

    def _find_account(self, header: StatementHeader, iban: str) -> BankAccount:
        accounts = BankAccount.objects.filter(company=self.company)
        if iban:
            found = accounts.filter(iban=iban).first() or accounts.filter(account_number=iban).first()
        elif header.account_number:
            found = accounts.filter(
                bank_code=header.bank_code, account_number=header.account_number
            ).first()
        elif self.fallback_account is not None:
            return self.fallback_account
        else:
            raise ImportRefused(message("banking.account_not_named"))
        if found is not None:
            return found
        label = iban or f"{header.bank_code}/{header.account_number}".strip("/")
        if not self.may_create_accounts:
            raise ImportRefused(message("banking.account_unknown", account=label, company=self.company.name))
        return self._create_account(header, iban)

    def _create_account(self, header: StatementHeader, iban: str) -> BankAccount:
        account_number = header.account_number
        if iban:
            try:
                IBAN(iban)
            except SchwiftyException:
                self.counts.warnings.append(message("banking.iban_kept_as_number", iban=iban))
                account_number, iban = iban, ""
        connection, _created = BankConnection.objects.get_or_create(
            company=self.company,
            kind=BankConnection.Kind.FILE,
            defaults={"name": _("Statement files")},
        )
        last = (iban or account_number)[-4:]
        account = BankAccount.objects.create(
            company=self.company,
            connection=connection,
            name=header.account_name or header.account_owner or _("Account …%(last)s") % {"last": last},
            iban=iban,
            bic=header.account_bic[:11],
            bank_code=header.bank_code,
            account_number=account_number,
            currency=(header.currency or "EUR")[:3],
        )
        self.counts.accounts_created.append(account)
        return account

    # -- entries ----------------------------------------------------------------------
    def _values(self, entry: Entry) -> dict:
        """The fields of a pending transaction."""
        texts = zip(_TEXT_FIELDS, _texts(entry), _TEXT_LIMITS, strict=True)
        values = {name: text[:limit] for name, text, limit in texts}
        values.update(
            company_id=self.company.pk,
            account_id=self._account.pk,
            statement_import_id=self.record.pk,
            booking_date=entry.booking_date,
            value_date=entry.value_date,
            amount=entry.amount,
            currency=(entry.currency or self._account.currency)[:3],
            remittance=entry.remittance,
            reversal=entry.reversal,
            batch_size=entry.batch_size,
        )
        return values

    def _flush(self) -> None:
        """Start writing the batch; the transactions an earlier import added already are left
        out (by the unique constraint on account and fingerprint) and, in `finish`, counted as
        duplicates."""
        if not self._batch:
            return
        self._inserter.add(self._rows(), (self.company.pk, self._account.pk, self.record.pk))
        self._booked += len(self._batch)
        self._batch = []

    def _rows(self) -> list[tuple]:
        """The batch as rows in the order of _ROW. The hot path of a large import, run for a
        whole batch at once: in one tight loop it takes less than half the time it takes
        entry by entry between the parser's steps."""
        fingerprint, account, fallback = self._fingerprint, self._account.pk, self._account.currency
        rows = []
        for entry in self._batch:
            texts = _texts(entry)
            if any(map(gt, map(len, texts), _TEXT_LIMITS)):
                texts = tuple(text[:limit] for text, limit in zip(texts, _TEXT_LIMITS, strict=True))
            rows.append((
                entry.booking_date, entry.value_date, entry.amount, (entry.currency or fallback)[:3],
                *texts, entry.remittance, entry.reversal, entry.batch_size, fingerprint(account, entry),
            ))
        return rows


# Text columns filled from the Entry attribute of the same name, cut to the column's length.
_TEXT_FIELDS = tuple(
    field.name
    for field in Transaction._meta.concrete_fields
    if isinstance(field, models.CharField) and field.name in Entry.__slots__ and field.name != "currency"
)
_TEXT_LIMITS = tuple(Transaction._meta.get_field(name).max_length for name in _TEXT_FIELDS)
_texts = attrgetter(*_TEXT_FIELDS)
# A booked entry's row; company, account and import are the same for a whole batch.
_ROW = ("booking_date", "value_date", "amount", "currency", *_TEXT_FIELDS, "remittance", "reversal", "batch_size",
        "fingerprint")
_SAME = ("company_id", "account_id", "statement_import_id")
