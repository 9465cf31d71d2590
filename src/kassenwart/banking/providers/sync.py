"""Connecting and syncing a payment provider account (kind "provider"): the credentials sealed
like the PIN (bound to the connection's row), the provider's accounts found or added, what
the connector fetched imported through the same statement import as files and FinTS
(`statement_items_import`), and failures stored as messages a person can act on.

As with FinTS, the import starts nothing further: `kassenwart.flows` runs matching (and the
pairing of payouts) once a sync has added transactions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from importlib import import_module
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.banking.fints.login import ConnectionBusy, Held, set_state
from kassenwart.banking.models import BankAccount, BankConnection, PendingTransaction
from kassenwart.banking.services import statement_items_import
from kassenwart.companies.models import Company
from kassenwart.core import secrets as sealing
from kassenwart.core.audit import record
from kassenwart.core.messages import message
from kassenwart.core.models import User

from . import ProviderAccount, ProviderError, since_for

State = BankConnection.State
Provider = BankConnection.Provider
# What each provider asks for (the form's fields and the credentials' keys).
CREDENTIALS = {
    Provider.PAYPAL: ("client_id", "client_secret"),
    Provider.QONTO: ("login", "secret_key"),
    Provider.STRIPE: ("api_key",),
}
API_BASES = {
    Provider.PAYPAL: "https://api-m.paypal.com",
    Provider.QONTO: "https://thirdparty.qonto.com",
    Provider.STRIPE: "https://api.stripe.com",
}

__all__ = ["ConnectionBusy", "ProviderSetupError", "ProviderSyncResult", "provider_connect",
           "provider_credentials_set", "provider_sync", "provider_sync_request"]


class ProviderSetupError(ValueError):
    """Credentials incomplete, or an unknown provider; the message says which."""


@dataclass
class ProviderSyncResult:
    state: str
    added: int = 0
    accounts: int = 0
    pending: int = 0
    accounts_created: list[str] = field(default_factory=list)
    error: dict | None = None  # the stored message of a failure


def connector(provider: str):
    return import_module(f"kassenwart.banking.providers.{provider}")


def _purpose(connection: BankConnection) -> str:
    return f"connection:{connection.pk}:provider-credentials"


def credentials_of(connection: BankConnection) -> dict:
    return json.loads(sealing.unseal(connection.credentials_sealed, _purpose(connection)))


@transaction.atomic
def provider_connect(company: Company, provider: str, credentials: dict, *, name: str = "", api_base: str = "",
                     sync_interval_minutes: int = 240, user: User | None = None,
                     via: str = "web") -> BankConnection:
    """Add a provider connection with its credentials sealed; the first sync follows (the
    caller enqueues it). Nothing secret reaches the audit trail."""
    if provider not in CREDENTIALS:
        raise ProviderSetupError(_("Unknown payment provider %(provider)s.") % {"provider": provider})
    missing = [key for key in CREDENTIALS[provider] if not str(credentials.get(key, "")).strip()]
    if missing:
        raise ProviderSetupError(_("Missing: %(fields)s.") % {"fields": ", ".join(missing)})
    _check_api_base(api_base)
    connection = BankConnection.objects.create(
        company=company, kind=BankConnection.Kind.PROVIDER, provider=provider,
        name=name or Provider(provider).label, server_url=api_base or API_BASES[provider],
        sync_interval_minutes=sync_interval_minutes,
    )
    kept = {key: str(credentials[key]).strip() for key in CREDENTIALS[provider]}
    connection.credentials_sealed = sealing.seal(json.dumps(kept).encode(), _purpose(connection))
    connection.save(update_fields=["credentials_sealed"])
    record("connection.created", connection, company=company, user=user, via=via,
           after={"name": connection.name, "kind": connection.kind, "provider": provider,
                  "server_url": connection.server_url})
    return connection


def _check_api_base(api_base: str) -> None:
    """Credentials travel only over TLS (always verified); plain HTTP only to this machine,
    where the simulators run."""
    if not api_base:
        return
    parts = urlsplit(api_base)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"):
        return
    raise ProviderSetupError(_("The API address must start with https:// (http:// only for this machine)."))


@transaction.atomic
def provider_credentials_set(connection: BankConnection, credentials: dict, *, user: User | None = None,
                             via: str = "web") -> None:
    """New credentials (after a refusal or a revoked access): sealed, and the state back to new."""
    missing = [key for key in CREDENTIALS[connection.provider] if not str(credentials.get(key, "")).strip()]
    if missing:
        raise ProviderSetupError(_("Missing: %(fields)s.") % {"fields": ", ".join(missing)})
    kept = {key: str(credentials[key]).strip() for key in CREDENTIALS[connection.provider]}
    connection.credentials_sealed = sealing.seal(json.dumps(kept).encode(), _purpose(connection))
    connection.save(update_fields=["credentials_sealed"])
    set_state(connection, State.NEW, None, user, via)
    record("connection.credentials_changed", connection, company=connection.company, user=user, via=via)


@transaction.atomic
def provider_sync_request(connection: BankConnection, *, user: User | None = None, via: str = "web") -> None:
    """A person (or the set-up) asks for a sync now; the caller enqueues it after commit."""
    BankConnection.objects.filter(pk=connection.pk).update(sync_queued=True)
    connection.sync_queued = True
    record("connection.sync_requested", connection, company=connection.company, user=user, via=via)


def provider_sync(connection: BankConnection, *, user: User | None = None, via: str = "worker",
                  now: datetime | None = None) -> ProviderSyncResult:
    """Fetch the provider's accounts, balances and transactions since the last sync (less the
    provider's overlap for late data) and import them. Raises ConnectionBusy when another
    worker syncs it."""
    try:
        with Held(connection):
            return _sync(connection, user, via, now or timezone.now())
    finally:
        BankConnection.objects.filter(pk=connection.pk).update(sync_queued=False)
        connection.sync_queued = False


def _sync(connection: BankConnection, user, via, now: datetime) -> ProviderSyncResult:
    module = connector(connection.provider)
    since = since_for(connection.last_sync_at, now, module.OVERLAP)
    # A pending item keeps the date it happened when it is booked later (days later at Stripe
    # and PayPal): the window reaches back to the oldest one still pending, or it would leave
    # the pending list without ever being booked.
    oldest = PendingTransaction.objects.filter(account__connection=connection).aggregate(day=Min("booking_date"))["day"]
    if oldest is not None:
        since = min(since, datetime.combine(oldest, time.min, tzinfo=UTC) - timedelta(days=1))
    try:
        if connection.credentials_sealed is None:
            raise sealing.SecretRefused("no credentials")
        credentials = credentials_of(connection)
    except sealing.SecretRefused:
        said = message("banking.provider.secret_unusable")
        set_state(connection, State.ERROR, said, user, via)
        return ProviderSyncResult(state=connection.state, error=said)
    try:
        fetched = module.fetch(credentials, connection.server_url, since, now=now)
    except ProviderError as error:
        said = message(error.key, **{**error.params, "provider": Provider(connection.provider).label})
        # Refused credentials stop the schedule (state error) until a person gives new ones;
        # a rate limit or an outage keeps it (the next interval tries again).
        state = connection.state if error.retry_later and connection.state in (State.OK, State.NEW) else State.ERROR
        set_state(connection, state, said, user, via)
        return ProviderSyncResult(state=connection.state, error=said)
    result = ProviderSyncResult(state=State.OK, accounts=len(fetched))
    for item in fetched:
        account = _account(connection, item, user, via, result)
        entries = sorted(item.entries, key=lambda e: (e.booking_date, e.provider_id))
        imported = statement_items_import(
            connection.company, [item.header, *entries], account=account, user=user, via="provider",
            name=f"{connection.provider}-{item.number}-{now:%Y%m%d-%H%M%S}",
        )
        result.added += imported.added
        result.pending += imported.pending
    with transaction.atomic():
        connection.last_sync_at = now
        connection.save(update_fields=["last_sync_at"])
        set_state(connection, State.OK, None, user, via)
        record("connection.synced", connection, company=connection.company, user=user, via=via,
               after={"added": result.added, "accounts": result.accounts,
                      "accounts_created": result.accounts_created})
    return result


def _account(connection: BankConnection, item: ProviderAccount, user, via, result) -> BankAccount:
    """The company's account for the provider's: by IBAN where it has one (Qonto), else by the
    provider's id (bank code = the provider, account number = its id); added when new."""
    same = Q(iban=item.iban) if item.iban else Q(bank_code=connection.provider, account_number=item.number[:34])
    account = BankAccount.objects.filter(same, company=connection.company).first()
    with transaction.atomic():
        if account is None:
            account = BankAccount.objects.create(
                company=connection.company, connection=connection, name=item.name[:200], iban=item.iban,
                bic=item.bic[:11], bank_code=connection.provider, account_number=item.number[:34],
                currency=item.currency[:3],
            )
            result.accounts_created.append(str(account))
            record("account.created", account, company=connection.company, user=user, via=via,
                   after={"iban": account.iban, "account_number": account.account_number, "name": account.name,
                          "connection": connection.pk})
        elif account.connection_id != connection.pk:
            before = {"connection": account.connection_id}
            account.connection = connection
            account.save(update_fields=["connection"])
            record("account.connected", account, company=connection.company, user=user, via=via,
                   before=before, after={"connection": connection.pk})
    return account
