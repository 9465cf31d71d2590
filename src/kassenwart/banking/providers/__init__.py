"""Payment providers beside the banks: PayPal, Qonto and Stripe.

One module per provider (`paypal.py`, `qonto.py`, `stripe.py`) and the only code that speaks
its API. Each offers `fetch(credentials, api_base, since, *, now)` and returns the provider's
accounts, each with a statement in the dataclasses the file parsers produce
(banking/formats/statement.py): booked and pending entries carrying the provider's own
transaction id (`Entry.provider_id`, the key of deduplication), and the balance as the
statement's closing (and available) snapshot. Fees are entries of their own. These modules
import nothing of Django: `sync.py` seals and unseals the credentials, finds the accounts and
imports through the statement import, like the FinTS sync.

A failure a person can act on is a `ProviderError` with a stored message (a key with
parameters, banking/wordings.py): credentials refused, access revoked, rate limit reached,
the provider unreachable or answering what cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from kassenwart.banking.formats.statement import Entry, StatementHeader

TIMEOUT = 20.0  # seconds per request
MAX_RETRY_WAIT = 30.0  # seconds: a 429's Retry-After longer than this is not waited for
MAX_RETRIES = 3  # 429 answers waited for per request before giving up
FIRST_SYNC = timedelta(days=90)  # history fetched when an account is new
PAYOUT = "PROVIDER/PAYOUT"  # transaction_code of a payout from the provider account to a bank
FEE = "PROVIDER/FEE"


class ProviderError(Exception):
    """A failure with what a person can do about it, as a stored message (`said`)."""

    key = "banking.provider.failed"
    # Whether the scheduled syncs may try again by themselves (a rate limit, an outage), or a
    # person must act first (new credentials, access granted again).
    retry_later = True

    def __init__(self, provider: str, detail: str = "", **params):
        self.provider = provider
        self.detail = detail[:300]
        self.params = {"provider": provider, "detail": self.detail, **params}
        super().__init__(f"{self.key}: {self.detail}")


class CredentialsRefused(ProviderError):
    key = "banking.provider.credentials_refused"
    retry_later = False


class AccessRevoked(ProviderError):
    key = "banking.provider.access_revoked"
    retry_later = False


class RateLimited(ProviderError):
    key = "banking.provider.rate_limited"


class Unavailable(ProviderError):
    key = "banking.provider.unavailable"


class Unreadable(ProviderError):
    key = "banking.provider.unreadable"


@dataclass
class ProviderAccount:
    """One account (or one currency's balance) at the provider, with what the sync fetched."""

    number: str  # the provider's own id for it, unique at the provider ("acct_123-eur")
    name: str
    currency: str
    header: StatementHeader
    entries: list[Entry] = field(default_factory=list)
    iban: str = ""
    bic: str = ""


def cents(value: int, currency: str) -> Decimal:
    """An amount in the currency's minor unit (Stripe, Qonto's *_cents) as money."""
    del currency  # every currency Kassenwart keeps has two places (EUR, USD, GBP, CHF)
    return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


def since_for(last_sync: datetime | None, now: datetime, overlap: timedelta) -> datetime:
    """Where a sync starts: `overlap` before the last one (late data), else FIRST_SYNC back."""
    return now - FIRST_SYNC if last_sync is None else last_sync - overlap
