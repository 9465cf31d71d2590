"""A Qonto v2 API simulator: the organization with its bank accounts and balances, and the
transactions per account in pages, pending and completed, Qonto's fees among them. The
credentials are checked as Qonto does: `Authorization: login:secret-key`."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .server import Answer, Request

LOGIN = "alpenblick-handels-gmbh-4711"
SECRET_KEY = "kassenwart-sandbox-secret"


@dataclass
class Item:
    id: str
    number: int
    account: str  # the bank account's id
    cents: int  # signed
    label: str
    operation_type: str  # transfer, income, card, qonto_fee, direct_debit
    emitted_at: datetime
    settled_at: datetime | None
    status: str = "completed"  # pending, completed, declined
    reference: str = ""
    counterparty_iban: str = ""
    updated_at: datetime | None = None

    def as_json(self) -> dict:
        side = "credit" if self.cents >= 0 else "debit"
        found = {"id": self.id, "transaction_id": f"alpenblick-{self.number}", "amount": abs(self.cents) / 100,
                 "amount_cents": abs(self.cents), "side": side, "operation_type": self.operation_type,
                 "currency": "EUR", "local_amount_cents": abs(self.cents), "local_currency": "EUR",
                 "label": self.label, "settled_at": _when(self.settled_at), "emitted_at": _when(self.emitted_at),
                 "updated_at": _when(self.updated_at or self.emitted_at), "status": self.status,
                 "note": None, "reference": self.reference or None, "vat_amount": None, "attachment_ids": []}
        if self.counterparty_iban:
            key = "income" if side == "credit" else "transfer"
            found[key] = {"counterparty_account_number": self.counterparty_iban,
                          "counterparty_bank_identifier": "BELADEBEXXX"}
        return found


def _customer_iban(n: int) -> str:
    """A valid German IBAN for the demo's n-th customer (bank code 10000000)."""
    bban = f"10000000{n:010d}"
    check = 98 - int(bban + "131400") % 97  # "DE" is 1314, then "00"
    return f"DE{check:02d}{bban}"


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class QontoApi:
    login: str = LOGIN
    secret_key: str = SECRET_KEY
    accounts: dict[str, dict] = field(default_factory=lambda: {
        "3f2b6c1e-0000-4000-8000-000000000001": {"slug": "alpenblick-handels-gmbh-bank-account-1",
                                                 "iban": "FR7616958000010123456789037", "bic": "QNTOFRP1XXX",
                                                 "name": "Qonto Hauptkonto", "opening": 500000},
    })
    items: list[Item] = field(default_factory=list)
    revoked: bool = False
    page_limit: int = 100  # the most per page, whatever per_page asks (paging in tests)
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def credentials(self) -> dict:
        return {"login": self.login, "secret_key": self.secret_key}

    @property
    def main(self) -> str:
        return next(iter(self.accounts))

    # -- the ledger ---------------------------------------------------------------------
    def add(self, cents: int, label: str, *, at: datetime | None = None, operation_type: str = "income",
            reference: str = "", pending: bool = False, iban: str = "", account: str = "") -> Item:
        at = at or datetime.now(UTC)
        number = next(self._numbers)  # its id the same in every run (the demo's ledger is made at each start)
        item = Item(str(uuid.uuid5(uuid.NAMESPACE_URL, f"qonto-sandbox/{self.login}/{number}")), number, account or self.main, cents, label, operation_type, at,
                    None if pending else at, "pending" if pending else "completed", reference, iban, at)
        self.items.append(item)
        return item

    def settle(self, item: Item, at: datetime | None = None) -> None:
        item.status, item.settled_at = "completed", at or datetime.now(UTC)
        item.updated_at = item.settled_at

    def balance(self, account: str) -> tuple[int, int]:
        """(balance, authorized balance) in cents: pending debits are authorized already."""
        mine = [i for i in self.items if i.account == account]
        booked = self.accounts[account]["opening"] + sum(i.cents for i in mine if i.status == "completed")
        held = sum(i.cents for i in mine if i.status == "pending" and i.cents < 0)
        return booked, booked + held

    @classmethod
    def demo(cls) -> QontoApi:
        api = cls()
        now = datetime.now(UTC)
        for n in range(10):
            api.add(119000 + 5000 * n, f"Kunde {n + 1} GmbH", at=now - timedelta(days=45 - 4 * n),
                    reference=f"RE-2026-{700 + n}", iban=_customer_iban(n))
            api.add(-(2300 + 100 * n), "Büromaterial", at=now - timedelta(days=44 - 4 * n), operation_type="card")
        api.add(-2900, "Qonto", at=now - timedelta(days=30), operation_type="qonto_fee", reference="Abonnement")
        api.add(-4599, "Bahn", at=now - timedelta(hours=3), operation_type="card", pending=True)
        return api

    # -- HTTP ---------------------------------------------------------------------------
    def unauthorized(self) -> Answer:
        return Answer(401, {"errors": [{"code": "unauthorized", "detail": "Invalid login or secret key"}]})

    def rate_limited(self, seconds: int) -> Answer:
        return Answer(429, {"errors": [{"code": "too_many_requests", "detail": "Rate limit exceeded"}]},
                      {"Retry-After": str(seconds)})

    def failed(self) -> Answer:
        return Answer(500, {"errors": [{"code": "internal_server_error", "detail": "Internal server error"}]})

    def handle(self, request: Request) -> Answer:
        if request.headers.get("authorization") != f"{self.login}:{self.secret_key}":
            return self.unauthorized()
        if self.revoked:
            return Answer(403, {"errors": [{"code": "forbidden", "detail": "The secret key was revoked"}]})
        if request.method == "GET" and request.path == "/v2/organization":
            return self._organization()
        if request.method == "GET" and request.path == "/v2/transactions":
            return self._transactions(request)
        return Answer(404, {"errors": [{"code": "not_found", "detail": "Not found"}]})

    def _organization(self) -> Answer:
        rows = []
        for key, account in self.accounts.items():
            balance, authorized = self.balance(key)
            rows.append({"id": key, "slug": account["slug"], "iban": account["iban"], "bic": account["bic"],
                         "currency": "EUR", "balance": balance / 100, "balance_cents": balance,
                         "authorized_balance": authorized / 100, "authorized_balance_cents": authorized,
                         "name": account["name"], "status": "active", "main": key == self.main,
                         "updated_at": _when(datetime.now(UTC))})
        return Answer(200, {"organization": {"id": "org-sandbox", "slug": "alpenblick-handels-gmbh",
                                             "legal_name": "Alpenblick Handels GmbH", "bank_accounts": rows}})

    def _transactions(self, request: Request) -> Answer:
        account = request.one("bank_account_id")
        if account not in self.accounts:
            return Answer(422, {"errors": [{"code": "invalid", "detail": "bank_account_id is invalid"}]})
        statuses = request.query.get("status[]") or ["pending", "completed"]
        found = [i for i in self.items if i.account == account and i.status in statuses]
        if request.one("updated_at_from"):
            since = _parse(request.one("updated_at_from"))
            found = [i for i in found if (i.updated_at or i.emitted_at) >= since]
        found.sort(key=lambda i: (i.updated_at or i.emitted_at, i.number))
        per_page = min(int(request.one("per_page", "100")), 100, self.page_limit)
        page = int(request.one("current_page", "1"))
        pages = max(1, -(-len(found) // per_page))
        return Answer(200, {"transactions": [i.as_json() for i in found[(page - 1) * per_page:page * per_page]],
                            "meta": {"current_page": page, "next_page": page + 1 if page < pages else None,
                                     "prev_page": page - 1 if page > 1 else None, "total_pages": pages,
                                     "total_count": len(found), "per_page": per_page}})
