"""Accounts with their latest balances, and the balances each account's bank reported."""

from __future__ import annotations

from datetime import date

from ninja import Query, Router, Schema

from kassenwart.api.auth import token
from kassenwart.api.errors import not_found, responses
from kassenwart.api.paging import Paging, page, paged
from kassenwart.api.schemas import Id, Money, choices
from kassenwart.banking import selectors
from kassenwart.banking.models import Balance, BankAccount
from kassenwart.companies.permissions import VIEW

router = Router()
AccountKind = choices("AccountKind", BankAccount.Kind)
BalanceKind = choices("BalanceKind", Balance.Kind)


class AccountOut(Schema):
    id: int
    name: str
    kind: AccountKind
    iban: str
    bic: str
    account_number: str
    owner: str
    currency: str
    booked_balance: Money | None
    booked_date: date | None
    available_balance: Money | None
    available_date: date | None
    pending_count: int


class BalanceOut(Schema):
    id: int
    kind: BalanceKind
    date: date
    amount: Money
    currency: str


def _account_out(account) -> dict:
    return {
        "id": account.pk, "name": account.name, "kind": account.kind, "iban": account.iban, "bic": account.bic,
        "account_number": account.account_number, "owner": account.owner, "currency": account.currency,
        "booked_balance": account.booked_amount, "booked_date": account.booked_date,
        "available_balance": account.available_amount, "available_date": account.available_date,
        "pending_count": account.pending_count,
    }


@router.get("", response=responses({200: paged(AccountOut)}), auth=token(VIEW))
def account_list(request, paging: Query[Paging]):
    """The company's accounts, each with its latest booked and available balance."""
    return page(request, selectors.accounts_with_balances(request.auth.company), paging, _account_out)


@router.get("/{account_id}", response=responses({200: AccountOut}, 404), auth=token(VIEW))
def account_get(request, account_id: Id):
    account = selectors.accounts_with_balances(request.auth.company).filter(pk=account_id).first()
    if account is None:
        raise not_found()
    return _account_out(account)


@router.get("/{account_id}/balances", response=responses({200: paged(BalanceOut)}, 404), auth=token(VIEW))
def account_balances(request, account_id: Id, paging: Query[Paging]):
    """The balances the bank reported for the account (closing booked, available), oldest first."""
    account = selectors.company_account(request.auth.company, account_id)
    if account is None:
        raise not_found()
    return page(request, selectors.balances_of(request.auth.company, account), paging)
