"""Setting up a FinTS connection: the login, the TAN method, the server. Each use case owns
its transaction and audit event; the bank call (the probe) happens outside any transaction.

Choosing the TAN method and asking for a sync mark the connection `sync_queued`; the sync
itself (which imports statements and then starts matching) is a task of the layer above,
`kassenwart.flows`, which callers go through.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kassenwart.banking.models import BankConnection
from kassenwart.companies.models import Company
from kassenwart.core.audit import record
from kassenwart.core.models import User

from . import client
from .login import Held, State, access, fail, pin_handover, public, required_pin, seal, set_state


class ConnectionExists(Exception):
    """The company is connected with this bank login already."""


def connection_create(
    company: Company,
    *,
    name: str,
    bank_code: str,
    server_url: str,
    login: str,
    pin: str,
    keep_pin: bool = False,
    customer_id: str = "",
    sync_interval_minutes: int = 240,
    user: User | None = None,
    via: str = "web",
) -> BankConnection:
    """Step one of the wizard: the connection, then (in a task) `connection_probe`."""
    with transaction.atomic():
        if company.connections.filter(kind=BankConnection.Kind.FINTS, bank_code=bank_code.strip(),
                                      login=login.strip()).exists():
            raise ConnectionExists(_("This bank login is connected already; sync it from its page."))
        connection = BankConnection.objects.create(
            company=company, kind=BankConnection.Kind.FINTS, name=name, bank_code=bank_code.strip(),
            server_url=server_url.strip(), login=login.strip(), customer_id=customer_id.strip(),
            sync_interval_minutes=sync_interval_minutes,
        )
        pin_handover(connection, pin=pin, keep=keep_pin)
        record("connection.created", connection, company=company, user=user, via=via, after=public(connection))
        transaction.on_commit(lambda: _enqueue_probe(connection.pk))
    return connection


def connection_probe(connection: BankConnection, *, user: User | None = None,
                     via: str = "worker") -> list[client.TanOption]:
    """Ask the bank which TAN methods it offers (no TAN needed): step two of the wizard."""
    with Held(connection):
        try:
            options, client_state = client.probe(access(connection, required_pin(connection)))
        except client.BankError as error:
            fail(connection, error, user, via)
            return []
        with transaction.atomic():
            connection.client_state = seal(connection, "client", client_state)
            connection.tan_options = {"methods": [o.as_dict() for o in options]}
            connection.tan_method = connection.tan_method or (options[0].method if options else "")
            connection.save(update_fields=["client_state", "tan_options", "tan_method"])
            record("connection.probed", connection, company=connection.company, user=user, via=via,
                   after={"tan_methods": [o.method for o in options]})
            set_state(connection, State.NEW if connection.last_sync_at is None else connection.state, None, user, via)
    return options


@transaction.atomic
def connection_choose_tan(connection: BankConnection, *, method: str, medium: str = "",
                          user: User | None = None, via: str = "web") -> None:
    """Step three: the TAN method (and medium); the first sync then discovers the accounts."""
    offered = {m["method"] for m in connection.tan_options.get("methods", [])}
    if method not in offered:
        raise ValueError(_("The bank does not offer this TAN method for this login."))
    before = {"tan_method": connection.tan_method, "tan_medium": connection.tan_medium}
    connection.tan_method, connection.tan_medium = method, medium.strip()
    connection.sync_queued = True
    connection.save(update_fields=["tan_method", "tan_medium", "sync_queued"])
    record("connection.tan_method_set", connection, company=connection.company, user=user, via=via,
           before=before, after={"tan_method": method, "tan_medium": connection.tan_medium})


@transaction.atomic
def connection_set_server(connection: BankConnection, server_url: str, *, user: User | None = None,
                          via: str = "web") -> None:
    """Banks move their FinTS servers now and then (and the demo's sandbox gets a new port)."""
    before = {"server_url": connection.server_url}
    connection.server_url = server_url.strip()
    connection.save(update_fields=["server_url"])
    record("connection.server_changed", connection, company=connection.company, user=user, via=via,
           before=before, after={"server_url": connection.server_url})


def sync_request(connection: BankConnection, *, user: User, pin: str = "", keep_pin: bool = False,
                 via: str = "web") -> None:
    """The sync button: a person is there to give a TAN. A PIN typed here replaces the old."""
    with transaction.atomic():
        if pin:
            pin_handover(connection, pin=pin, keep=keep_pin)
        else:
            required_pin(connection)
        BankConnection.objects.filter(pk=connection.pk).update(sync_queued=True)
        connection.sync_queued = True
        record("connection.sync_requested", connection, company=connection.company, user=user, via=via)


def _enqueue_probe(connection_id: int) -> None:
    from .tasks import probe_connection_task

    probe_connection_task.enqueue(connection_id)
