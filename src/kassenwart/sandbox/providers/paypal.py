"""A PayPal REST API simulator: OAuth2 client credentials, Transaction Search (at most 31 days
per request, pages, transactions that appear late) and Balances, from a small ledger with a
fee per payment, pending payments and withdrawals to the bank."""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from .server import Answer, Request

CLIENT_ID = "AKassenwartSandboxClient"
CLIENT_SECRET = "EKassenwartSandboxSecret"
CENT = Decimal("0.01")


@dataclass
class Item:
    id: str
    event_code: str  # T0006 payment received, T0400 withdrawal to the bank
    amount: Decimal
    fee: Decimal  # negative or zero
    currency: str
    at: datetime
    status: str = "S"  # S success, P pending, D denied, V reversed
    subject: str = ""
    invoice_id: str = ""
    payer: str = ""
    email: str = ""
    visible: bool = True  # False: happened, but not listed by the search yet (late data)

    def as_json(self) -> dict:
        info = {"transaction_id": self.id, "transaction_event_code": self.event_code,
                "transaction_initiation_date": _when(self.at), "transaction_updated_date": _when(self.at),
                "transaction_amount": {"currency_code": self.currency, "value": f"{self.amount:.2f}"},
                "transaction_status": self.status, "protection_eligibility": "01"}
        if self.fee:
            info["fee_amount"] = {"currency_code": self.currency, "value": f"{self.fee:.2f}"}
        if self.subject:
            info["transaction_subject"] = self.subject
        if self.invoice_id:
            info["invoice_id"] = self.invoice_id
        detail = {"transaction_info": info}
        if self.payer or self.email:
            detail["payer_info"] = {"account_id": f"P{abs(hash(self.email)) % 10**12:012d}",
                                    "email_address": self.email, "payer_name": {"alternate_full_name": self.payer}}
        return detail


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _parse(text: str) -> datetime:
    return datetime.strptime(text.replace(" ", "+"), "%Y-%m-%dT%H:%M:%S%z")


@dataclass
class PayPalApi:
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    account_id: str = "KW7SANDBOX42X"
    items: list[Item] = field(default_factory=list)
    opening: dict[str, Decimal] = field(default_factory=lambda: {"EUR": Decimal("0.00")})
    revoked: bool = False
    page_limit: int = 500  # the most the search sends per page, whatever page_size asks (paging in tests)
    tokens: set[str] = field(default_factory=set)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def credentials(self) -> dict:
        return {"client_id": self.client_id, "client_secret": self.client_secret}

    # -- the ledger ---------------------------------------------------------------------
    def payment(self, amount: str, *, at: datetime | None = None, subject: str = "", invoice_id: str = "",
                payer: str = "Max Mustermann", pending: bool = False, late: bool = False,
                currency: str = "EUR") -> Item:
        """A payment received; PayPal's fee 2.49 % + 0.35."""
        gross = Decimal(amount)
        fee = -((gross * Decimal("0.0249")).quantize(CENT) + Decimal("0.35"))
        item = Item(self._id(), "T0006", gross, fee, currency, at or datetime.now(UTC), "P" if pending else "S",
                    subject, invoice_id, payer, f"{payer.split()[0].lower()}@example.com", not late)
        self.items.append(item)
        return item

    def withdrawal(self, amount: str, *, at: datetime | None = None, currency: str = "EUR") -> Item:
        """Money moved to the company's bank account."""
        item = Item(self._id(), "T0400", -Decimal(amount), Decimal("0.00"), currency, at or datetime.now(UTC),
                    subject="Withdrawal to bank account")
        self.items.append(item)
        return item

    def complete(self, item: Item) -> None:
        item.status = "S"

    def publish_late(self) -> None:
        """The transactions that happened but were not listed yet appear in the search."""
        for item in self.items:
            item.visible = True

    def balance(self, currency: str) -> tuple[Decimal, Decimal]:
        """(total, available): pending payments are held, not available."""
        booked = sum((i.amount + i.fee for i in self.items if i.currency == currency and i.status == "S"),
                     self.opening.get(currency, Decimal("0.00")))
        held = sum((i.amount + i.fee for i in self.items if i.currency == currency and i.status == "P"), Decimal("0"))
        return booked + held, booked

    def _id(self) -> str:
        """17 characters like PayPal's, the same for the n-th item of every run (the demo's
        ledger is made anew at each start and must not look new to a sync)."""
        n = next(self._ids)
        return f"{n:04d}SBX{hashlib.sha1(f'{self.account_id}{n}'.encode()).hexdigest()[:10].upper()}"

    @classmethod
    def demo(cls) -> PayPalApi:
        api = cls()
        now = datetime.now(UTC)
        for n in range(14):
            api.payment(f"{39 + 10 * (n % 4)}.90", at=now - timedelta(days=60 - 4 * n), subject=f"Bestellung {2000 + n}",
                        invoice_id=f"RE-2026-{800 + n}", payer=f"Kundin {n + 1} Beispiel")
            if n in (6, 12):
                total, _available = api.balance("EUR")
                api.withdrawal(f"{total:.2f}", at=now - timedelta(days=59 - 4 * n))
        api.payment("89.00", at=now - timedelta(hours=5), subject="Bestellung 2099", payer="Paul Offen", pending=True)
        return api

    # -- HTTP ---------------------------------------------------------------------------
    def unauthorized(self) -> Answer:
        return Answer(401, {"error": "invalid_client", "error_description": "Client Authentication failed"})

    def rate_limited(self, seconds: int) -> Answer:
        return Answer(429, {"name": "RATE_LIMIT_REACHED", "message": "Too many requests. Blocked due to rate "
                            "limiting."}, {"Retry-After": str(seconds)})

    def failed(self) -> Answer:
        return Answer(500, {"name": "INTERNAL_SERVER_ERROR", "message": "An internal server error occurred."})

    def handle(self, request: Request) -> Answer:
        if request.method == "POST" and request.path == "/v1/oauth2/token":
            return self._token(request)
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return Answer(401, {"error": "invalid_token", "error_description": "Access Token not found in cache"})
        if self.revoked:
            return Answer(403, {"name": "NOT_AUTHORIZED", "message": "Authorization failed due to insufficient "
                                "permissions."})
        if request.method == "GET" and request.path == "/v1/reporting/balances":
            return self._balances()
        if request.method == "GET" and request.path == "/v1/reporting/transactions":
            return self._search(request)
        return Answer(404, {"name": "RESOURCE_NOT_FOUND", "message": "The specified resource does not exist."})

    def _token(self, request: Request) -> Answer:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}" or b"grant_type=client_credentials" not in request.body:
            return self.unauthorized()
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return Answer(200, {"scope": "https://uri.paypal.com/services/reporting/search/read", "access_token": token,
                            "token_type": "Bearer", "app_id": "APP-KASSENWART", "expires_in": 32400})

    def _balances(self) -> Answer:
        currencies = sorted({i.currency for i in self.items} | set(self.opening))
        rows = []
        for currency in currencies:
            total, available = self.balance(currency)
            rows.append({"currency": currency, "primary": currency == "EUR",
                         "total_balance": {"currency_code": currency, "value": f"{total:.2f}"},
                         "available_balance": {"currency_code": currency, "value": f"{available:.2f}"},
                         "withheld_balance": {"currency_code": currency, "value": f"{total - available:.2f}"}})
        now = _when(datetime.now(UTC))
        return Answer(200, {"balances": rows, "account_id": self.account_id, "as_of_time": now,
                            "last_refresh_time": now})

    def _search(self, request: Request) -> Answer:
        try:
            start, end = _parse(request.one("start_date")), _parse(request.one("end_date"))
        except ValueError:
            return _invalid("start_date and end_date are required, in ISO 8601 with a time zone")
        if end - start > timedelta(days=31):
            return _invalid("Date range is greater than 31 days")
        if end < start:
            return _invalid("End date is before the start date")
        size, page = int(request.one("page_size", "100")), int(request.one("page", "1"))
        if not 1 <= size <= 500:
            return _invalid("page_size must be between 1 and 500")
        size = min(size, self.page_limit)
        status = request.one("transaction_status")
        found = sorted((i for i in self.items if i.visible and start <= i.at <= end
                        and (not status or i.status == status)), key=lambda i: (i.at, i.id))
        pages = max(1, -(-len(found) // size))
        return Answer(200, {"transaction_details": [i.as_json() for i in found[(page - 1) * size:page * size]],
                            "account_number": self.account_id, "start_date": _when(start), "end_date": _when(end),
                            "last_refreshed_datetime": _when(datetime.now(UTC)), "page": page,
                            "total_items": len(found), "total_pages": pages, "links": []})


def _invalid(issue: str) -> Answer:
    return Answer(400, {"name": "INVALID_REQUEST", "message": "Request is not well-formed, syntactically incorrect, "
                        "or violates schema.", "details": [{"field": "start_date", "issue": issue}]})
