"""Saving the export settings (admins): one transaction, one audit event."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from kassenwart.accounting.models import ExportSettings, LedgerAccount
from kassenwart.banking.models import BankAccount
from kassenwart.companies import permissions
from kassenwart.companies.models import Company
from kassenwart.companies.selectors import role_in
from kassenwart.core.audit import record
from kassenwart.core.models import User


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    params: dict = field(default_factory=dict)


class AccountingError(Exception):
    """The base of this app's errors."""


class NotAllowed(AccountingError):
    pass


class SettingsInvalid(AccountingError):
    def __init__(self, problems: list[Problem]):
        super().__init__(", ".join(f"{p.field}: {p.code}" for p in problems))
        self.problems = problems


def _require(company: Company, user: User | None) -> None:
    if user is not None and not permissions.allows(role_in(company, user), permissions.MANAGE_SETTINGS):
        raise NotAllowed("manage_settings")


def _gl_account(problems: list[Problem], name: str, value: str, length: int, *, required: bool) -> str:
    """A G/L account: digits, at most `length` of them."""
    value = (value or "").strip()
    if not value:
        if required:
            problems.append(Problem(name, "required"))
        return ""
    if not value.isdigit() or len(value) > length:
        problems.append(Problem(name, "gl_account_invalid", {"value": value, "length": length}))
    return value


def _settings_dict(settings: ExportSettings, ledgers: dict[int, str]) -> dict:
    return {
        "consultant_number": settings.consultant_number, "client_number": settings.client_number,
        "fiscal_year_start_month": settings.fiscal_year_start_month, "account_length": settings.account_length,
        "debtor_account": settings.debtor_account, "customer_number_is_debtor": settings.customer_number_is_debtor,
        "suspense_account": settings.suspense_account,
        "ledger_accounts": {str(pk): number for pk, number in sorted(ledgers.items())},
    }


def export_settings_update(
    company: Company, *, consultant_number: int | None, client_number: int | None, fiscal_year_start_month: int,
    account_length: int, debtor_account: str, customer_number_is_debtor: bool, suspense_account: str,
    ledger_accounts: dict[int, str], user: User | None, via: str = "web",
) -> ExportSettings:
    """The company's numbers for DATEV and the G/L account of each bank account (by id; an
    empty number removes it). Raises SettingsInvalid with every problem at once."""
    _require(company, user)
    problems: list[Problem] = []
    if consultant_number is not None and not 1001 <= consultant_number <= 9999999:
        problems.append(Problem("consultant_number", "out_of_range", {"low": 1001, "high": 9999999}))
    if client_number is not None and not 1 <= client_number <= 99999:
        problems.append(Problem("client_number", "out_of_range", {"low": 1, "high": 99999}))
    if not 1 <= fiscal_year_start_month <= 12:
        problems.append(Problem("fiscal_year_start_month", "out_of_range", {"low": 1, "high": 12}))
    if not 4 <= account_length <= 8:
        problems.append(Problem("account_length", "out_of_range", {"low": 4, "high": 8}))
        account_length = 8
    suspense_account = _gl_account(problems, "suspense_account", suspense_account, account_length, required=False)
    debtor_account = (debtor_account or "").strip()
    if debtor_account and (not debtor_account.isdigit() or len(debtor_account) != account_length + 1):
        problems.append(Problem("debtor_account", "personal_account_invalid",
                                {"value": debtor_account, "length": account_length + 1}))
    accounts = {account.pk: account for account in BankAccount.objects.filter(company=company)}
    numbers: dict[int, str] = {}
    for pk, number in ledger_accounts.items():
        if pk not in accounts:  # another company's account, or gone: never written
            continue
        numbers[pk] = _gl_account(problems, f"ledger_{pk}", number, account_length, required=False)
    if problems:
        raise SettingsInvalid(problems)
    with transaction.atomic():
        settings, _created = ExportSettings.objects.select_for_update().get_or_create(company=company)
        stored = dict(LedgerAccount.objects.filter(company=company).values_list("account_id", "number"))
        before = _settings_dict(settings, stored)
        settings.consultant_number, settings.client_number = consultant_number, client_number
        settings.fiscal_year_start_month, settings.account_length = fiscal_year_start_month, account_length
        settings.debtor_account, settings.customer_number_is_debtor = debtor_account, customer_number_is_debtor
        settings.suspense_account = suspense_account
        settings.save()
        for pk, number in numbers.items():
            if number:
                LedgerAccount.objects.update_or_create(account=accounts[pk], defaults={"company": company,
                                                                                        "number": number})
            else:
                LedgerAccount.objects.filter(account=accounts[pk]).delete()
            stored[pk] = number
        after = _settings_dict(settings, {pk: number for pk, number in stored.items() if number})
        record("export_settings.updated", settings, company=company, user=user, via=via, before=before, after=after)
    return settings
