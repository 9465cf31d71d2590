"""Syncing a FinTS connection: discover the login's accounts, import what the bank reports
through the same statement import as files, and the TAN step a sync may need.

The import itself starts nothing further: the caller one layer up (`kassenwart.flows`)
runs matching and order follow-up once a sync has added transactions.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.banking.models import Balance, BankAccount, BankConnection, PausedDialog, Transaction
from kassenwart.banking.services import statement_import
from kassenwart.companies.models import Role
from kassenwart.core.audit import record
from kassenwart.core.messages import message, render
from kassenwart.core.models import User
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify

from . import client, dialogs
from .login import (
    LOCK_TTL,
    ConnectionBusy,
    Held,
    State,
    access,
    claim,
    drop_handed_pin,
    fail,
    release,
    required_pin,
    seal,
    set_state,
)

MAX_DECOUPLED_POLLS = 60  # what banks allow (HITANS); two seconds apart
RESYNC_OVERLAP = timedelta(days=7)  # late bookings; the import skips what it has


@dataclass
class SyncResult:
    state: str
    added: int = 0
    accounts: int = 0
    accounts_created: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    message: str = ""

    @property
    def needs_tan(self) -> bool:
        return self.state == State.NEEDS_TAN


def connection_sync(connection: BankConnection, *, interactive: bool = False,
                    user: User | None = None, via: str = "worker") -> SyncResult:
    """Discover the login's accounts and import what the bank reports since the last sync.

    A TAN at dialog start stops the sync with state needs_tan. With a person waiting
    (`interactive`) the dialog is paused for `tan_submit`; otherwise it ends and the admins
    are told to sync by hand. A paused dialog that is already authenticated is continued.
    """
    with _sync_done(connection):  # asked for and then not possible counts as done too
        return _sync(connection, interactive, user, via)


def _sync(connection: BankConnection, interactive: bool, user: User | None, via: str) -> SyncResult:
    paused = dialogs.live(connection)
    if paused is not None and (paused.awaiting_tan or paused.purpose != dialogs.SYNC):
        raise ConnectionBusy(_("The bank is waiting for a TAN for this connection."))
    with Held(connection, paused.lock_token if paused else None) as token:
        try:
            resume = dialogs.taken(connection, paused) if paused else None
            # A paused dialog carries the PIN it was opened with.
            bank_access = access(connection, None if resume is not None else required_pin(connection))
            with client.session(bank_access, resume=resume) as bank:
                challenge = bank.challenge
                if challenge is not None:
                    return _stop_for_tan(connection, bank, challenge, token, interactive, user, via)
                try:
                    result = _fetch(connection, bank, user, token)
                except client.QueryTanRequired as needed:
                    return _stop_for_tan(connection, bank, needed.challenge, token, interactive, user, via)
                client_state = bank.client_state()
        except client.BankError as error:
            fail(connection, error, user, via)
            if connection.state == State.NEEDS_TAN and not interactive:
                _ask_admins_for_tan(connection)
            return SyncResult(state=connection.state, message=error.message)
        with transaction.atomic():
            connection.client_state = seal(connection, "client", client_state)
            connection.last_sync_at = timezone.now()
            connection.save(update_fields=["client_state", "last_sync_at"])
            drop_handed_pin(connection)
            set_state(connection, State.OK, None, user, via)
            record("connection.synced", connection, company=connection.company, user=user, via=via,
                   after={"added": result.added, "accounts": result.accounts,
                          "accounts_created": result.accounts_created, "warnings": result.warnings[:20]})
        result.state = State.OK
        return result


def _fetch(connection: BankConnection, bank: client.Session, user: User | None, token: str) -> SyncResult:
    result = SyncResult(state=State.OK)
    accounts = _discover(connection, bank.accounts(), user, result)
    result.accounts = len(accounts)
    for account in accounts:
        if not claim(connection, token, LOCK_TTL):  # still at work: keep the login
            raise ConnectionBusy(_("This sync took so long that another one has taken over."))
        fetched = bank.statements(account, _since(account))
        for number, data in enumerate(fetched.files, start=1):
            name = f"fints-{account.iban or account.account_number}-{date.today():%Y%m%d}-{number}.{fetched.format}"
            imported = statement_import(connection.company, io.BytesIO(data), file_name=name,
                                        user=user, via="fints", account=account)
            result.added += imported.added
            if imported.refused or imported.balance_ok is False:
                result.warnings.append(imported.message)
        balance = bank.balance(account)
        if balance is not None:
            _keep_balance(account, balance)
    return result


def _keep_balance(account: BankAccount, balance: client.BankBalance) -> None:
    """The booked balance, and the available amount and credit line where the bank said them."""
    with transaction.atomic():
        Balance.objects.update_or_create(account=account, kind=Balance.Kind.BOOKED, date=balance.date,
                                         defaults={"amount": balance.amount, "currency": balance.currency})
        if balance.available is not None:
            Balance.objects.update_or_create(account=account, kind=Balance.Kind.AVAILABLE, date=balance.date,
                                             defaults={"amount": balance.available, "currency": balance.currency})
        if balance.credit_line != account.credit_line:
            account.credit_line = balance.credit_line
            account.save(update_fields=["credit_line"])


def _discover(connection: BankConnection, found: list[client.DiscoveredAccount], user,
              result: SyncResult) -> list[BankAccount]:
    accounts = []
    for item in found:
        same = Q(iban=item.iban) if item.iban else Q(bank_code=item.bank_code, account_number=item.account_number)
        account = BankAccount.objects.filter(same, company=connection.company).first()
        with transaction.atomic():
            if account is None:
                account = BankAccount.objects.create(
                    company=connection.company, connection=connection,
                    name=item.product or _("Account …%(last)s") % {"last": (item.iban or item.account_number)[-4:]},
                    kind=item.kind, iban=item.iban, bic=item.bic[:11], bank_code=item.bank_code,
                    account_number=item.account_number, subaccount=item.subaccount,
                    owner=item.owner, currency=item.currency[:3], fints_operations=list(item.operations),
                )
                result.accounts_created.append(str(account))
                record("account.created", account, company=connection.company, user=user, via="fints",
                       after={"iban": account.iban, "name": account.name, "connection": connection.pk,
                              "fints_operations": account.fints_operations})
            elif account.connection_id != connection.pk:
                before = {"connection": account.connection_id}
                account.connection = connection
                account.save(update_fields=["connection"])
                record("account.connected", account, company=connection.company, user=user, via="fints",
                       before=before, after={"connection": connection.pk})
            if account.fints_operations != list(item.operations):
                # What the bank allows decides how an order leaves: over FinTS, or as a file.
                before = {"fints_operations": account.fints_operations}
                account.fints_operations = list(item.operations)
                account.save(update_fields=["fints_operations"])
                record("account.operations_changed", account, company=connection.company, user=user,
                       via="fints", before=before, after={"fints_operations": account.fints_operations})
        accounts.append(account)
    return accounts


def _since(account: BankAccount) -> date | None:
    """From a week before the newest booking on; everything the bank has on the first sync."""
    newest = Transaction.objects.filter(account=account).aggregate(newest=Max("booking_date"))["newest"]
    return newest - RESYNC_OVERLAP if newest else None


def _stop_for_tan(connection, bank: client.Session, challenge: client.Challenge, token: str,
                  interactive: bool, user, via) -> SyncResult:
    client_state = bank.client_state()
    if interactive:
        dialogs.keep(connection, bank.pause(), token, challenge=challenge)
        said = message("banking.fints.tan_asked")
    else:
        said = message("banking.fints.tan_asked_before_accounts")
    with transaction.atomic():
        connection.client_state = seal(connection, "client", client_state)
        connection.save(update_fields=["client_state"])
        drop_handed_pin(connection)
        set_state(connection, State.NEEDS_TAN, said, user, via)
        if not interactive:
            _ask_admins_for_tan(connection)
    return SyncResult(state=State.NEEDS_TAN, message=render(said))


def _ask_admins_for_tan(connection: BankConnection) -> None:
    notify(connection.company, Notification.Kind.INFO,
           message("banking.connection_needs_tan", name=connection.name),
           link=reverse("connection_detail", args=[connection.pk]), roles=(Role.ADMIN,))


@contextmanager
def _sync_done(connection: BankConnection) -> Iterator[None]:
    """Whatever the outcome, the sync someone asked for has run."""
    try:
        yield
    finally:
        BankConnection.objects.filter(pk=connection.pk).update(sync_queued=False)
        connection.sync_queued = False


# -- the TAN of a sync ---------------------------------------------------------------------
def tan_submit(connection: BankConnection, *, tan: str, user: User | None = None, via: str = "web") -> str:
    """Send the TAN in the paused dialog that asked for it (the one bank call a web request
    makes). Returns "done" (the connection is marked for the sync that continues the
    authenticated dialog) or "waiting" (decoupled: the app has not confirmed yet). Raises
    client.TanWrong for another try."""
    paused = dialogs.live(connection)
    if paused is None or not paused.awaiting_tan or paused.purpose != dialogs.SYNC:
        raise client.TanExpired(_("No TAN is being asked for (any more). Start the sync again for a new TAN."))
    token = paused.lock_token
    if not claim(connection, token, dialogs.DIALOG_TTL):
        raise ConnectionBusy(_("Another worker has taken over this connection."))
    try:
        parked = dialogs.opened(connection, paused)
        challenge = parked.challenge
        if challenge.decoupled and paused.polls >= MAX_DECOUPLED_POLLS:
            raise client.TanExpired(_("The app confirmation did not arrive in time. Start the sync again."))
        dialogs.take(paused)
        with client.session(access(connection, None), resume=parked.dialog) as bank:
            try:
                still = bank.send_tan(challenge, tan)
            except client.TanWrong:
                dialogs.keep(connection, bank.pause(), token, challenge=challenge)
                raise
            if still is not None:
                dialogs.keep(connection, bank.pause(), token, challenge=still, polls=paused.polls + 1)
                return "waiting"
            dialogs.keep(connection, bank.pause(), token, challenge=challenge, awaiting_tan=False)
    except client.TanWrong:
        raise
    except client.BankError as error:
        PausedDialog.objects.filter(connection=connection).delete()
        fail(connection, error, user, via)
        release(connection, token)
        raise
    with transaction.atomic():
        BankConnection.objects.filter(pk=connection.pk).update(sync_queued=True)
        connection.sync_queued = True
        record("connection.tan_given", connection, company=connection.company, user=user, via=via)
    return "done"


def pending_challenge(connection: BankConnection) -> client.Challenge | None:
    """The TAN request the connection waits for, if its dialog is still alive."""
    paused = dialogs.live(connection)
    if paused is None or not paused.awaiting_tan or paused.purpose != dialogs.SYNC:
        return None
    return dialogs.opened(connection, paused).challenge
