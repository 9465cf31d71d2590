"""Entry points that chain the apps' use cases; each enqueues its follow-up after commit."""

from __future__ import annotations

from django.db import transaction

from kassenwart.banking import fints
from kassenwart.banking.models import BankConnection
from kassenwart.banking.providers import sync as providers
from kassenwart.companies.models import Company
from kassenwart.core.models import User


def after_import(company_id: int) -> None:
    """Transactions were added: once committed, follow sent orders and match payments."""
    from kassenwart.flows.tasks import after_import_task

    transaction.on_commit(lambda: after_import_task.enqueue(company_id))


def sync_enqueue(connection: BankConnection, *, interactive: bool = True) -> None:
    """Once committed, sync the connection (a person waiting when `interactive`)."""
    from kassenwart.flows.tasks import sync_connection_task

    transaction.on_commit(lambda: sync_connection_task.enqueue(connection.pk, interactive=interactive))


def sync_request(connection: BankConnection, *, user: User, pin: str = "", keep_pin: bool = False,
                 via: str = "web") -> None:
    """The sync button (fints.sync_request), and the sync it asks for."""
    with transaction.atomic():
        fints.sync_request(connection, user=user, pin=pin, keep_pin=keep_pin, via=via)
        sync_enqueue(connection)


def connection_choose_tan(connection: BankConnection, *, method: str, medium: str = "", user: User | None = None,
                          via: str = "web") -> None:
    """The TAN method of a new connection; its first sync discovers the accounts."""
    with transaction.atomic():
        fints.connection_choose_tan(connection, method=method, medium=medium, user=user, via=via)
        sync_enqueue(connection)


def tan_submit(connection: BankConnection, *, tan: str, user: User | None = None, via: str = "web") -> str:
    """The sync's TAN (fints.tan_submit); once the bank took it, the sync goes on."""
    outcome = fints.tan_submit(connection, tan=tan, user=user, via=via)
    if outcome == "done":
        with transaction.atomic():
            sync_enqueue(connection)
    return outcome


def tan_poll(connection: BankConnection, *, user: User | None = None, via: str = "web") -> str:
    """Decoupled (app) confirmation: ask the bank once whether it has arrived."""
    return tan_submit(connection, tan="", user=user, via=via)


# -- payment providers (banking/providers) --------------------------------------------------
def provider_connect(company: Company, provider: str, credentials: dict, *, name: str = "", api_base: str = "",
                     user: User | None = None, via: str = "web") -> BankConnection:
    """Connect a payment provider account (credentials sealed); its first sync follows at once."""
    with transaction.atomic():
        connection = providers.provider_connect(company, provider, credentials, name=name, api_base=api_base,
                                                user=user, via=via)
        provider_sync_request(connection, user=user, via=via)
    return connection


def provider_credentials_set(connection: BankConnection, credentials: dict, *, user: User | None = None,
                             via: str = "web") -> None:
    """New credentials after a refusal; a sync with them follows."""
    with transaction.atomic():
        providers.provider_credentials_set(connection, credentials, user=user, via=via)
        provider_sync_request(connection, user=user, via=via)


def provider_sync_request(connection: BankConnection, *, user: User | None = None, via: str = "web") -> None:
    """The sync button of a provider connection, and the sync it asks for."""
    with transaction.atomic():
        providers.provider_sync_request(connection, user=user, via=via)
        sync_enqueue(connection, interactive=False)
