"""PayPal through its REST API (httpx, http.py): the one module that speaks it.

Credentials: {"client_id", "client_secret"} of a REST app with Transaction Search; a token
by OAuth2 client credentials per sync. Balances (`/v1/reporting/balances`) give one account
per currency: total as the closing snapshot, available as the available one. Transactions
come from Transaction Search (`/v1/reporting/transactions`), which answers at most 31 days
per request, in pages, and lists a transaction up to three hours after it happened: each
sync starts three hours before the last one (OVERLAP), in windows of 31 days, every page
read; the provider's transaction id keeps what two syncs both saw once. Pending ones
(status P) are asked for on their own over the last 31 days, so the pending list is whole
even when the booked window is short. PayPal's fee is an entry of its own
(`<transaction id>:fee`); a withdrawal to the bank (event T04xx) is a payout. An invoice id
or a note the payer wrote is in the remittance, for matching with invoices.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kassenwart.banking.formats.statement import BOOKED, PENDING, BalanceSnapshot, Entry, StatementHeader

from . import FEE, PAYOUT, CredentialsRefused, ProviderAccount, Unreadable, http
from .http import call

NAME = "paypal"
OVERLAP = timedelta(hours=3)  # Transaction Search lists a transaction up to three hours late
WINDOW = timedelta(days=31)  # the most one search may span
PENDING_LOOKBACK = timedelta(days=31)
PAGE_SIZE = 500  # the most PayPal sends per page


def fetch(credentials: dict, api_base: str, since: datetime, *, now: datetime) -> list[ProviderAccount]:
    with http.client(api_base, headers={"Accept": "application/json"}) as session:
        token = _token(session, credentials)
        session.headers["Authorization"] = f"Bearer {token}"
        answer = call(session, NAME, "GET", "/v1/reporting/balances", params={"as_of_time": _when(now)})
        account_id = answer.get("account_id") or "paypal"
        accounts: dict[str, ProviderAccount] = {}
        for balance in answer.get("balances", []):
            currency = balance["currency"].upper()
            total = _money(balance["total_balance"])
            available = _money(balance.get("available_balance") or balance["total_balance"])
            header = StatementHeader(
                format="provider:paypal", currency=currency, statement_id=f"paypal-{now:%Y%m%d%H%M%S}",
                created_at=now, period_to=now.date(),
                closing=BalanceSnapshot(total, currency, now.date(), "closing"),
                available=BalanceSnapshot(available, currency, now.date(), "available"),
            )
            accounts[currency] = ProviderAccount(f"{account_id}-{currency}", f"PayPal {currency}", currency, header)
        for detail in _search(session, since, now):
            _add(accounts, detail, booked=True)
        for detail in _search(session, now - PENDING_LOOKBACK, now, status="P"):
            _add(accounts, detail, booked=False)
    return list(accounts.values())


def _token(session, credentials: dict) -> str:
    answer = call(session, NAME, "POST", "/v1/oauth2/token", data={"grant_type": "client_credentials"},
                  auth=(credentials["client_id"], credentials["client_secret"]))
    token = answer.get("access_token")
    if not token:
        raise CredentialsRefused(NAME, "no access token")
    return token


def _search(session, start: datetime, end: datetime, status: str = ""):
    """Every transaction from `start` to `end`: window after window, page after page."""
    while start < end:
        stop = min(start + WINDOW, end)
        page = 1
        while True:
            params = {"start_date": _when(start), "end_date": _when(stop), "fields": "all",
                      "page_size": PAGE_SIZE, "page": page}
            if status:
                params["transaction_status"] = status
            answer = call(session, NAME, "GET", "/v1/reporting/transactions", params=params)
            yield from answer.get("transaction_details", [])
            if page >= int(answer.get("total_pages") or 1):
                break
            page += 1
        start = stop


def _add(accounts: dict[str, ProviderAccount], detail: dict, *, booked: bool) -> None:
    info = detail.get("transaction_info") or {}
    status = info.get("transaction_status", "")
    if booked and status not in ("S", "V"):  # pending ones come from their own search; denied ones never happened
        return
    amount = info.get("transaction_amount") or {}
    currency = (amount.get("currency_code") or "").upper()
    account = accounts.get(currency)
    if account is None or "transaction_id" not in info:
        return
    day = _day(info.get("transaction_initiation_date"))
    payer = detail.get("payer_info") or {}
    name = (payer.get("payer_name") or {}).get("alternate_full_name") or payer.get("email_address") or ""
    texts = [info.get("transaction_subject"), info.get("transaction_note"), info.get("invoice_id"),
             info.get("custom_field")]
    code = info.get("transaction_event_code", "")
    entry = Entry(
        amount=_money(amount), currency=currency, booking_date=day, value_date=_day(info.get("transaction_updated_date")),
        status=BOOKED if booked else PENDING, provider_id=info["transaction_id"],
        bank_reference=info["transaction_id"][:64], counterparty_name=name,
        remittance="\n".join(text for text in texts if text),
        transaction_code=PAYOUT if code.startswith("T04") else f"PAYPAL/{code}"[:40],
        reversal=status == "V",
    )
    account.entries.append(entry)
    fee = info.get("fee_amount")
    if fee and _money(fee):
        account.entries.append(Entry(
            amount=_money(fee), currency=currency, booking_date=day, value_date=entry.value_date,
            status=entry.status, provider_id=f"{info['transaction_id']}:fee", bank_reference=entry.bank_reference,
            counterparty_name="PayPal", remittance=f"PayPal fee {info['transaction_id']}", transaction_code=FEE,
        ))


def _money(amount: dict) -> Decimal:
    try:
        return Decimal(str(amount["value"])).quantize(Decimal("0.01"))
    except (KeyError, ArithmeticError, ValueError) as error:
        raise Unreadable(NAME, "amount") from error


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _day(text: str | None):
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").date()
    except ValueError:
        return None
