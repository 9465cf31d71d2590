"""A Stripe API simulator: account, balance, balance transactions (with their charge or payout
expanded), payouts and their contents, from a small ledger. Amounts in cents, lists newest
first with `starting_after` paging and `has_more`, as Stripe documents them."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

from .server import Answer, Request

API_KEY = "sk_test_kassenwart_sandbox"


@dataclass
class Txn:
    id: str
    type: str  # "charge", "payout", "refund", "adjustment"
    amount: int  # cents, signed
    fee: int
    currency: str
    created: int
    status: str  # "pending" or "available"
    description: str = ""
    source: dict | None = None
    payout: str = ""  # the payout that paid it out

    def as_json(self, expand_source: bool) -> dict:
        source = self.source if expand_source else (self.source or {}).get("id")
        return {"id": self.id, "object": "balance_transaction", "amount": self.amount, "fee": self.fee,
                "net": self.amount - self.fee, "currency": self.currency, "created": self.created,
                "available_on": self.created + 2 * 86400, "status": self.status, "type": self.type,
                "reporting_category": self.type, "description": self.description or None,
                "fee_details": [{"amount": self.fee, "currency": self.currency, "type": "stripe_fee"}]
                if self.fee else [], "source": source}


@dataclass
class StripeApi:
    api_key: str = API_KEY
    account_id: str = "acct_1KassenwartSbx"
    name: str = "Alpenblick Shop"
    transactions: list[Txn] = field(default_factory=list)
    revoked: bool = False
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def credentials(self) -> dict:
        return {"api_key": self.api_key}

    # -- the ledger ---------------------------------------------------------------------
    def charge(self, amount: int, *, description: str = "", metadata: dict | None = None, name: str = "",
               created: int | None = None, pending: bool = False, currency: str = "eur") -> Txn:
        """A card payment: gross `amount` cents, Stripe's fee 1.5 % + 25 cents."""
        n = next(self._ids)
        charge = {"id": f"ch_sbx{n:06d}", "object": "charge", "amount": amount, "currency": currency,
                  "description": description or None, "metadata": metadata or {},
                  "billing_details": {"name": name or None}}
        txn = Txn(f"txn_sbx{n:06d}", "charge", amount, (amount * 15 + 500) // 1000 + 25, currency,
                  created or int(time.time()), "pending" if pending else "available", description, charge)
        self.transactions.append(txn)
        return txn

    def settle(self, txn: Txn) -> None:
        txn.status = "available"

    def payout(self, *, created: int | None = None, currency: str = "eur") -> Txn:
        """Pay out everything available and not paid out yet to the bank account."""
        contents = [t for t in self.transactions if t.currency == currency and t.status == "available"
                    and not t.payout and t.type != "payout"]
        total = sum(t.amount - t.fee for t in contents)
        n = next(self._ids)
        created = created or int(time.time())
        payout = {"id": f"po_sbx{n:06d}", "object": "payout", "amount": total, "currency": currency,
                  "arrival_date": created + 86400, "statement_descriptor": "STRIPE PAYOUT",
                  "description": "STRIPE PAYOUT", "status": "paid", "automatic": True}
        txn = Txn(f"txn_sbx{n:06d}", "payout", -total, 0, currency, created, "available", "STRIPE PAYOUT", payout)
        for item in contents:
            item.payout = payout["id"]
        txn.payout = payout["id"]
        self.transactions.append(txn)
        return txn

    def balance(self, currency: str = "eur") -> tuple[int, int]:
        mine = [t for t in self.transactions if t.currency == currency]
        return (sum(t.amount - t.fee for t in mine if t.status == "available"),
                sum(t.amount - t.fee for t in mine if t.status == "pending"))

    @classmethod
    def demo(cls) -> StripeApi:
        api = cls()
        now = int(time.time())
        day = 86400
        for n in range(12):
            api.charge(4900 + 1000 * (n % 5), description=f"Order {1000 + n}", metadata={"invoice": f"RE-2026-{900 + n}"},
                       name=f"Kunde {n + 1}", created=now - (40 - 3 * n) * day)
            if n in (4, 9):
                api.payout(created=now - (39 - 3 * n) * day)
        api.charge(12900, description="Order 1099", name="Kunde 99", created=now - 3600, pending=True)
        return api

    # -- HTTP ---------------------------------------------------------------------------
    def unauthorized(self) -> Answer:
        return Answer(401, {"error": {"type": "invalid_request_error",
                                      "message": "Invalid API Key provided: sk_test_****"}})

    def rate_limited(self, seconds: int) -> Answer:
        return Answer(429, {"error": {"type": "invalid_request_error", "code": "rate_limit",
                                      "message": "Too many requests hit the API too quickly."}},
                      {"Retry-After": str(seconds), "Stripe-Should-Retry": "false"})

    def failed(self) -> Answer:
        return Answer(500, {"error": {"type": "api_error", "message": "An unknown error occurred"}},
                      {"Stripe-Should-Retry": "false"})

    def handle(self, request: Request) -> Answer:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return self.unauthorized()
        if self.revoked:
            return Answer(403, {"error": {"type": "invalid_request_error", "code": "secret_key_required",
                                          "message": "The provided key does not have access to this resource."}})
        if request.method != "GET":
            return Answer(404, {"error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}})
        if request.path == "/v1/account":
            return Answer(200, {"id": self.account_id, "object": "account", "business_profile": {"name": self.name},
                                "settings": {"dashboard": {"display_name": self.name}}, "default_currency": "eur"})
        if request.path == "/v1/balance":
            currencies = sorted({t.currency for t in self.transactions} or {"eur"})
            parts = {c: self.balance(c) for c in currencies}
            return Answer(200, {"object": "balance", "livemode": False,
                                "available": [{"amount": parts[c][0], "currency": c} for c in currencies],
                                "pending": [{"amount": parts[c][1], "currency": c} for c in currencies]})
        if request.path == "/v1/balance_transactions":
            return self._list(request)
        return Answer(404, {"error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}})

    def _list(self, request: Request) -> Answer:
        found = sorted(self.transactions, key=lambda t: (t.created, t.id), reverse=True)
        if request.one("created[gte]"):
            found = [t for t in found if t.created >= int(request.one("created[gte]"))]
        if request.one("payout"):
            found = [t for t in found if t.payout == request.one("payout")]
        after = request.one("starting_after")
        if after:
            ids = [t.id for t in found]
            found = found[ids.index(after) + 1:] if after in ids else []
        limit = min(int(request.one("limit", "10")), 100)
        expand = any(value == "data.source" for name, values in request.query.items()
                     if name.startswith("expand") for value in values)
        page = found[:limit]
        return Answer(200, {"object": "list", "url": "/v1/balance_transactions", "has_more": len(found) > limit,
                            "data": [t.as_json(expand) for t in page]})
