"""Stripe through its official package (`stripe`), the one module that imports it.

Credentials: {"api_key": "sk_..."} (a restricted key with read access to balance, balance
transactions, payouts and charges is enough). The account is Stripe's balance per currency:
its closing snapshot is the available balance (what has settled), and the pending balance's
transactions are the pending entries. Every balance transaction is one entry with its gross
amount, its fee a second entry (`<txn id>:fee`); a payout is the debit that moves the money to
the bank (transaction_code PAYOUT, `batch_reference` the payout id, `batch_size` how many
transactions it pays out, from the payout's contents). A charge's description and metadata
(an invoice number) are its remittance, so it reconciles with invoices like a bank credit.

Stripe's own retries cover 5xx and connection errors; a 429 is waited for here by its
Retry-After (bounded), then given up as RateLimited.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import stripe as stripe_sdk

from kassenwart.banking.formats.statement import BOOKED, PENDING, BalanceSnapshot, Entry, StatementHeader

from . import (
    FEE,
    MAX_RETRIES,
    MAX_RETRY_WAIT,
    PAYOUT,
    TIMEOUT,
    AccessRevoked,
    CredentialsRefused,
    ProviderAccount,
    RateLimited,
    Unavailable,
    Unreadable,
    cents,
)

NAME = "stripe"
OVERLAP = timedelta(hours=1)  # balance transactions are final when listed; an hour for clocks apart
PAGE = 100


def make_client(credentials: dict, api_base: str) -> stripe_sdk.StripeClient:
    options = {"base_addresses": {"api": api_base.rstrip("/")}} if api_base else {}
    return stripe_sdk.StripeClient(
        credentials["api_key"], max_network_retries=2,
        http_client=stripe_sdk.HTTPXClient(timeout=TIMEOUT, allow_sync_methods=True), **options,
    )


def fetch(credentials: dict, api_base: str, since: datetime, *, now: datetime) -> list[ProviderAccount]:
    client = make_client(credentials, api_base)
    account = _call(lambda: client.v1.accounts.retrieve_current()).to_dict()
    balance = _call(lambda: client.v1.balance.retrieve()).to_dict()
    name = ((account.get("settings") or {}).get("dashboard") or {}).get("display_name") \
        or (account.get("business_profile") or {}).get("name") or "Stripe"
    accounts: dict[str, ProviderAccount] = {}
    for part in balance["available"]:
        currency = part["currency"].upper()
        header = StatementHeader(
            format="provider:stripe", currency=currency, statement_id=f"stripe-{now:%Y%m%d%H%M%S}",
            created_at=now, period_to=now.date(),
            closing=BalanceSnapshot(cents(part["amount"], currency), currency, now.date(), "closing"),
            available=BalanceSnapshot(cents(part["amount"], currency), currency, now.date(), "available"),
        )
        accounts[currency] = ProviderAccount(f"{account['id']}-{currency.lower()}", f"{name} {currency}", currency, header)
    listing = _call(lambda: client.v1.balance_transactions.list(
        params={"created": {"gte": int(since.timestamp())}, "limit": PAGE, "expand": ["data.source"]}))
    for txn in _every(listing):
        currency = txn["currency"].upper()
        target = accounts.get(currency)
        if target is None:
            continue  # a currency without a balance: none to show it beside
        target.entries.extend(_entries(client, txn, currency))
    return list(accounts.values())


def _entries(client, txn: dict, currency: str) -> list[Entry]:
    status = PENDING if txn["status"] == "pending" else BOOKED
    day = datetime.fromtimestamp(txn["created"], UTC).date()
    value_day = datetime.fromtimestamp(txn["available_on"], UTC).date() if txn.get("available_on") else None
    source = txn.get("source")
    source = source if isinstance(source, dict) else None
    entry = Entry(
        amount=cents(txn["amount"], currency), currency=currency, booking_date=day, value_date=value_day,
        status=status, provider_id=txn["id"], bank_reference=txn["id"][:64],
        transaction_code=f"STRIPE/{txn['type']}".upper()[:40], remittance=_remittance(txn, source),
        counterparty_name=_payer(source),
    )
    if txn["type"] == "payout":
        payout_id = source["id"] if source is not None else str(txn.get("source") or "")
        contents = _payout_contents(client, payout_id) if payout_id else 0
        entry.transaction_code, entry.batch_reference, entry.batch_size = PAYOUT, payout_id[:64], max(contents, 1)
        entry.counterparty_name = "Payout"
    entries = [entry]
    if txn.get("fee"):
        entries.append(Entry(
            amount=-cents(txn["fee"], currency), currency=currency, booking_date=day, value_date=value_day,
            status=status, provider_id=f"{txn['id']}:fee", bank_reference=txn["id"][:64], transaction_code=FEE,
            counterparty_name="Stripe", remittance=f"Stripe fee {txn['id']}",
        ))
    return entries


def _remittance(txn, source) -> str:
    parts = [txn.get("description") or ""]
    if source is not None:
        metadata = source.get("metadata") or {}
        parts.extend(f"{key} {value}" for key, value in sorted(metadata.items()))
        if source.get("description") and source.get("description") != txn.get("description"):
            parts.append(source["description"])
    return "\n".join(part for part in parts if part)


def _payer(source) -> str:
    if source is None:
        return ""
    details = source.get("billing_details") or {}
    return details.get("name") or ""


def _payout_contents(client, payout_id: str) -> int:
    """How many balance transactions the payout pays out (its contents, payout itself left out)."""
    listing = _call(lambda: client.v1.balance_transactions.list(params={"payout": payout_id, "limit": PAGE}))
    return sum(1 for txn in _every(listing) if txn["type"] != "payout")


def _every(listing):
    """Every item of a list as a dict, page after page (`starting_after`), each page through _call."""
    while True:
        for item in listing.data:
            yield item.to_dict()
        if not listing.has_more:
            return
        listing = _call(listing.next_page)


def _call(request):
    for attempt in range(MAX_RETRIES + 1):
        try:
            return request()
        except stripe_sdk.RateLimitError as error:
            try:
                wait = float((error.headers or {}).get("Retry-After", ""))
            except ValueError:
                wait = None
            if wait is None or wait > MAX_RETRY_WAIT or attempt == MAX_RETRIES:
                raise RateLimited(NAME, "HTTP 429", seconds=int(wait or 0)) from error
            time.sleep(wait)
        except stripe_sdk.AuthenticationError as error:
            raise CredentialsRefused(NAME, error.user_message or "") from error
        except stripe_sdk.PermissionError as error:
            raise AccessRevoked(NAME, error.user_message or "") from error
        except stripe_sdk.APIConnectionError as error:
            raise Unavailable(NAME, "connection") from error
        except stripe_sdk.StripeError as error:
            status = error.http_status or 0
            if status >= 500:
                raise Unavailable(NAME, f"HTTP {status}") from error
            raise Unreadable(NAME, f"HTTP {status} {error.user_message or ''}") from error
    raise AssertionError("unreachable")
