"""Qonto through its v2 API (httpx, http.py): the one module that speaks it.

Credentials: {"login", "secret_key"}, sent as Qonto asks: `Authorization: login:secret-key`.
The organization (`/v2/organization`) lists the bank accounts with their IBAN and balances
(balance as the closing snapshot, authorized balance as the available one). Transactions
(`/v2/transactions`, per account, in pages): the completed ones updated since the last sync
(less OVERLAP), and every pending one, each sync, so the pending list is whole. Amounts are
read in cents (`amount_cents`), never as the JSON number; the sign comes from `side`.
Qonto's own fees are transactions of their own there already (operation type qonto_fee).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kassenwart.banking.formats.statement import BOOKED, PENDING, BalanceSnapshot, Entry, StatementHeader

from . import FEE, ProviderAccount, Unreadable, cents, http
from .http import call

NAME = "qonto"
OVERLAP = timedelta(hours=1)
PER_PAGE = 100


def fetch(credentials: dict, api_base: str, since: datetime, *, now: datetime) -> list[ProviderAccount]:
    headers = {"Authorization": f"{credentials['login']}:{credentials['secret_key']}", "Accept": "application/json"}
    accounts = []
    with http.client(api_base, headers=headers) as session:
        organization = call(session, NAME, "GET", "/v2/organization").get("organization") or {}
        for found in organization.get("bank_accounts", []):
            if found.get("status", "active") != "active":
                continue
            currency = (found.get("currency") or "EUR").upper()
            try:
                balance = cents(found["balance_cents"], currency)
                available = cents(found.get("authorized_balance_cents", found["balance_cents"]), currency)
            except (KeyError, TypeError, ValueError) as error:
                raise Unreadable(NAME, "balance") from error
            header = StatementHeader(
                format="provider:qonto", currency=currency, statement_id=f"qonto-{now:%Y%m%d%H%M%S}",
                created_at=now, period_to=now.date(),
                closing=BalanceSnapshot(balance, currency, now.date(), "closing"),
                available=BalanceSnapshot(available, currency, now.date(), "available"),
            )
            account = ProviderAccount(found.get("slug") or found["id"], found.get("name") or "Qonto", currency,
                                      header, iban=(found.get("iban") or "").replace(" ", "").upper(),
                                      bic=found.get("bic") or "")
            completed = {"bank_account_id": found["id"], "status[]": ["completed"],
                         "updated_at_from": _when(since), "sort_by": "updated_at:asc"}
            for item in _pages(session, completed):
                account.entries.append(_entry(item, BOOKED))
            for item in _pages(session, {"bank_account_id": found["id"], "status[]": ["pending"]}):
                account.entries.append(_entry(item, PENDING))
            accounts.append(account)
    return accounts


def _pages(session, params: dict):
    page = 1
    while True:
        answer = call(session, NAME, "GET", "/v2/transactions",
                      params={**params, "current_page": page, "per_page": PER_PAGE})
        yield from answer.get("transactions", [])
        following = (answer.get("meta") or {}).get("next_page")
        if not following:
            return
        page = int(following)


def _entry(item: dict, status: str) -> Entry:
    currency = (item.get("currency") or "EUR").upper()
    try:
        amount = cents(item["amount_cents"], currency)
    except (KeyError, TypeError, ValueError) as error:
        raise Unreadable(NAME, "amount") from error
    if item.get("side") == "debit":
        amount = -amount
    settled = _day(item.get("settled_at"))
    counterparty = item.get("transfer") or item.get("income") or item.get("direct_debit") or {}
    kind = item.get("operation_type") or ""
    return Entry(
        amount=amount, currency=currency, booking_date=settled or _day(item.get("emitted_at")), value_date=settled,
        status=status, provider_id=item["id"], bank_reference=(item.get("transaction_id") or item["id"])[:64],
        counterparty_name=item.get("label") or "", counterparty_iban=counterparty.get("counterparty_account_number") or "",
        counterparty_bic=counterparty.get("counterparty_bank_identifier") or "",
        remittance="\n".join(text for text in (item.get("reference"), item.get("note")) if text),
        transaction_code=FEE if kind == "qonto_fee" else f"QONTO/{kind}".upper()[:40],
    )


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _day(text: str | None):
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None
