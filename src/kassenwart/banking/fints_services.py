"""Bank connections over FinTS: set-up, sync, TAN. Each use case owns its transactions and
audit events; the bank calls happen outside any database transaction.

A bank drops parallel dialogs of one login, so a connection is used by one worker at a time:
`_claim` takes the row with a conditional UPDATE (token and expiry), `_release` gives it
back. A dialog paused for a TAN keeps the claim until it is answered or expires; whoever
continues it (the TAN page, then the sync task) holds the paused dialog's token.

Secrets: the PIN is kept (sealed) only when the user opted in; otherwise a PIN typed for one
sync is sealed until that sync picks it up (at most `PIN_HANDOVER`) and then deleted. The
client state and paused dialogs are sealed too (core.secrets); none of it reaches a browser.
"""

from __future__ import annotations

import base64
import io
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.banking.connectors import fints
from kassenwart.banking.models import Balance, BankAccount, BankConnection, PausedDialog, Transaction
from kassenwart.banking.services import statement_import
from kassenwart.companies.models import Company, Role
from kassenwart.core import secrets as sealing
from kassenwart.core.audit import record
from kassenwart.core.models import User
from kassenwart.notifications.models import Notification
from kassenwart.notifications.services import notify

State = BankConnection.State
LOCK_TTL = timedelta(minutes=10)  # renewed per account; a worker that died frees it after this
DIALOG_TTL = timedelta(minutes=14)  # banks end a paused dialog after 15 minutes
# The longest an order's bank step may take: the login TAN, the order, every payee-check poll.
ORDER_TTL = timedelta(seconds=fints.BANK_TIMEOUT * (fints.VOP_MAX_POLLS + 2) + fints.VOP_MAX_WAIT * fints.VOP_MAX_POLLS)
PIN_HANDOVER = timedelta(minutes=15)
MAX_DECOUPLED_POLLS = 60  # what banks allow (HITANS); two seconds apart
RESYNC_OVERLAP = timedelta(days=7)  # late bookings; the import skips what it has
_STATE_OF = {
    fints.PinWrong: State.PIN_WRONG,
    fints.PinBlocked: State.PIN_BLOCKED,
    fints.TanRequired: State.NEEDS_TAN,
    fints.TanExpired: State.NEEDS_TAN,
}


class ConnectionBusy(Exception):
    """Another worker (or a TAN dialog) is using this bank login right now."""


class PinMissing(fints.BankError):
    """The PIN is not kept and none was given for this sync."""


class ConnectionExists(Exception):
    """The company is connected with this bank login already."""


class SecretUnusable(fints.BankError):
    """A sealed secret of the connection was altered or sealed with another key."""


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


# -- set-up --------------------------------------------------------------------------------
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
        _put_pin(connection, pin, keep=keep_pin)
        record("connection.created", connection, company=company, user=user, via=via,
               after=_public(connection))
        transaction.on_commit(lambda: _enqueue("probe", connection.pk))
    return connection


def connection_probe(connection: BankConnection, *, user: User | None = None, via: str = "worker") -> list[fints.TanOption]:
    """Ask the bank which TAN methods it offers (no TAN needed): step two of the wizard."""
    with _claimed(connection):
        try:
            options, client_state = fints.probe(_access(connection, _required_pin(connection)))
        except fints.BankError as error:
            _fail(connection, error, user, via)
            return []
        with transaction.atomic():
            connection.client_state = _seal(connection, "client", client_state)
            connection.tan_options = {"methods": [o.as_dict() for o in options]}
            connection.tan_method = connection.tan_method or (options[0].method if options else "")
            connection.save(update_fields=["client_state", "tan_options", "tan_method"])
            record("connection.probed", connection, company=connection.company, user=user, via=via,
                   after={"tan_methods": [o.method for o in options]})
            _set_state(connection, State.NEW if connection.last_sync_at is None else connection.state, "", user, via)
    return options


@transaction.atomic
def connection_choose_tan(connection: BankConnection, *, method: str, medium: str = "",
                          user: User | None = None, via: str = "web") -> None:
    """Step three: the TAN method (and medium), then the first sync discovers the accounts."""
    offered = {m["method"] for m in connection.tan_options.get("methods", [])}
    if method not in offered:
        raise ValueError(_("The bank does not offer this TAN method for this login."))
    before = {"tan_method": connection.tan_method, "tan_medium": connection.tan_medium}
    connection.tan_method, connection.tan_medium = method, medium.strip()
    connection.sync_queued = True
    connection.save(update_fields=["tan_method", "tan_medium", "sync_queued"])
    record("connection.tan_method_set", connection, company=connection.company, user=user, via=via,
           before=before, after={"tan_method": method, "tan_medium": connection.tan_medium})
    transaction.on_commit(lambda: _enqueue("sync", connection.pk, interactive=True))


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
            _put_pin(connection, pin, keep=keep_pin)
        else:
            _required_pin(connection)
        BankConnection.objects.filter(pk=connection.pk).update(sync_queued=True)
        connection.sync_queued = True
        record("connection.sync_requested", connection, company=connection.company, user=user, via=via)
        transaction.on_commit(lambda: _enqueue("sync", connection.pk, interactive=True))


# -- sync ----------------------------------------------------------------------------------
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
    paused = _live_paused(connection)
    if paused is not None and (paused.awaiting_tan or paused.purpose != SYNC):
        raise ConnectionBusy(_("The bank is waiting for a TAN for this connection."))
    with _claimed(connection, paused.lock_token if paused else None) as token:
        try:
            resume = _take_paused(connection, paused) if paused else None
            # A paused dialog carries the PIN it was opened with.
            access = _access(connection, None if resume is not None else _required_pin(connection))
            with fints.session(access, resume=resume) as bank:
                challenge = bank.challenge
                if challenge is not None:
                    return _stop_for_tan(connection, bank, challenge, token, interactive, user, via)
                try:
                    result = _fetch(connection, bank, user, token)
                except fints.QueryTanRequired as needed:
                    return _stop_for_tan(connection, bank, needed.challenge, token, interactive, user, via)
                client_state = bank.client_state()
        except fints.BankError as error:
            _fail(connection, error, user, via)
            if connection.state == State.NEEDS_TAN and not interactive:
                _ask_admins_for_tan(connection)
            return SyncResult(state=connection.state, message=error.message)
        with transaction.atomic():
            connection.client_state = _seal(connection, "client", client_state)
            connection.last_sync_at = timezone.now()
            connection.save(update_fields=["client_state", "last_sync_at"])
            _drop_handed_pin(connection)
            _set_state(connection, State.OK, "", user, via)
            record("connection.synced", connection, company=connection.company, user=user, via=via,
                   after={"added": result.added, "accounts": result.accounts,
                          "accounts_created": result.accounts_created, "warnings": result.warnings[:20]})
        result.state = State.OK
        return result


def _fetch(connection: BankConnection, bank: fints.Session, user: User | None, token: str) -> SyncResult:
    result = SyncResult(state=State.OK)
    accounts = _discover(connection, bank.accounts(), user, result)
    result.accounts = len(accounts)
    for account in accounts:
        if not _claim(connection, token, LOCK_TTL):  # still at work: keep the login
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
            Balance.objects.update_or_create(account=account, kind=Balance.Kind.BOOKED, date=balance.date,
                                             defaults={"amount": balance.amount, "currency": balance.currency})
    return result


def _discover(connection: BankConnection, found: list[fints.DiscoveredAccount], user, result: SyncResult) -> list[BankAccount]:
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
                    owner=item.owner, currency=item.currency[:3],
                )
                result.accounts_created.append(str(account))
                record("account.created", account, company=connection.company, user=user, via="fints",
                       after={"iban": account.iban, "name": account.name, "connection": connection.pk})
            elif account.connection_id != connection.pk:
                before = {"connection": account.connection_id}
                account.connection = connection
                account.save(update_fields=["connection"])
                record("account.connected", account, company=connection.company, user=user, via="fints",
                       before=before, after={"connection": connection.pk})
        accounts.append(account)
    return accounts


def _since(account: BankAccount) -> date | None:
    """From a week before the newest booking on; everything the bank has on the first sync."""
    newest = Transaction.objects.filter(account=account).aggregate(newest=Max("booking_date"))["newest"]
    return newest - RESYNC_OVERLAP if newest else None


def _stop_for_tan(connection, bank: fints.Session, challenge: fints.Challenge, token: str,
                  interactive: bool, user, via) -> SyncResult:
    client_state = bank.client_state()
    if interactive:
        _keep_paused(connection, bank.pause(), token, challenge=challenge)
        message = _("The bank asks for a TAN.")
    else:
        message = _("The bank asks for a TAN before it shows the accounts. Sync by hand from the "
                    "connection page to give one.")
    with transaction.atomic():
        connection.client_state = _seal(connection, "client", client_state)
        connection.save(update_fields=["client_state"])
        _drop_handed_pin(connection)
        _set_state(connection, State.NEEDS_TAN, message, user, via)
        if not interactive:
            _ask_admins_for_tan(connection)
    return SyncResult(state=State.NEEDS_TAN, message=message)


def _ask_admins_for_tan(connection: BankConnection) -> None:
    notify(connection.company, Notification.Kind.INFO,
           _("%(name)s needs a TAN: sync it by hand.") % {"name": connection.name},
           link=reverse("connection_detail", args=[connection.pk]), roles=(Role.ADMIN,))


# -- TAN -----------------------------------------------------------------------------------
def tan_submit(connection: BankConnection, *, tan: str, user: User | None = None, via: str = "web") -> str:
    """Send the TAN in the paused dialog that asked for it (the one bank call a web request
    makes). Returns "done" (the sync task continues the authenticated dialog) or "waiting"
    (decoupled: the app has not confirmed yet). Raises fints.TanWrong for another try."""
    paused = _live_paused(connection)
    if paused is None or not paused.awaiting_tan or paused.purpose != SYNC:
        raise fints.TanExpired(_("No TAN is being asked for (any more). Start the sync again for a new TAN."))
    token = paused.lock_token
    if not _claim(connection, token, DIALOG_TTL):
        raise ConnectionBusy(_("Another worker has taken over this connection."))
    try:
        parked = _open_paused(connection, paused)
        challenge = parked.challenge
        if challenge.decoupled and paused.polls >= MAX_DECOUPLED_POLLS:
            raise fints.TanExpired(_("The app confirmation did not arrive in time. Start the sync again."))
        _take(paused)
        with fints.session(_access(connection, None), resume=parked.dialog) as bank:
            try:
                still = bank.send_tan(challenge, tan)
            except fints.TanWrong:
                _keep_paused(connection, bank.pause(), token, challenge=challenge)
                raise
            if still is not None:
                _keep_paused(connection, bank.pause(), token, challenge=still, polls=paused.polls + 1)
                return "waiting"
            _keep_paused(connection, bank.pause(), token, challenge=challenge, awaiting_tan=False)
    except fints.TanWrong:
        raise
    except fints.BankError as error:
        PausedDialog.objects.filter(connection=connection).delete()
        _fail(connection, error, user, via)
        _release(connection, token)
        raise
    with transaction.atomic():
        BankConnection.objects.filter(pk=connection.pk).update(sync_queued=True)
        connection.sync_queued = True
        record("connection.tan_given", connection, company=connection.company, user=user, via=via)
        transaction.on_commit(lambda: _enqueue("sync", connection.pk, interactive=True))
    return "done"


def tan_poll(connection: BankConnection, *, user: User | None = None, via: str = "web") -> str:
    """Decoupled (app) confirmation: ask the bank once whether it has arrived."""
    return tan_submit(connection, tan="", user=user, via=via)


# -- orders (payments) ---------------------------------------------------------------------
@dataclass(frozen=True)
class Order:
    """A pain message to send from one account, as the payments app hands it over."""

    purpose: str  # "order:<pk>": marks the order's paused dialog
    account: BankAccount
    pain: bytes
    count: int
    total: Decimal
    descriptor: str
    instant: bool = False


OrderStep = fints.Challenge | fints.PayeeCheck | fints.OrderResult


class OrderNotSent(fints.BankError):
    """The bank has not executed the order (it never got it, or never its TAN)."""


def order_send(connection: BankConnection, order: Order, *, user: User | None = None,
               via: str = "worker") -> OrderStep:
    """Open a dialog and send the order (in a task). What comes back waits for a person in
    the paused dialog: a TAN (also one for the dialog start, after which `order_tan` sends
    the order) or a payee check (`order_approve_payee`). `OrderNotSent` when the order did
    not leave; `fints.OutcomeUnknown` when the connection broke after it did."""
    if _live_paused(connection) is not None:
        raise ConnectionBusy(_("The bank is waiting for a TAN for this connection; try again in a few minutes."))
    with _claimed(connection, ttl=ORDER_TTL) as token:
        try:
            access = _access(connection, _required_pin(connection))
            with fints.session(access, resume=None) as bank:
                if bank.challenge is not None:
                    _keep_paused(connection, bank.pause(), token, challenge=bank.challenge,
                                 purpose=order.purpose, login=True)
                    step = bank.challenge
                else:
                    step = _transmit(bank, order)
                    _park_step(connection, bank, step, token, order.purpose)
                client_state = bank.client_state()
        except (fints.OutcomeUnknown, OrderNotSent):
            raise
        except fints.BankError as error:
            _fail(connection, error, user, via)
            raise OrderNotSent(error.message) from error
        finally:
            _drop_handed_pin(connection)
        _keep_client_state(connection, client_state)
        if connection.state == State.ERROR:  # the bank answers again
            _set_state(connection, State.OK, "", user, via)
    return step


def order_approve_payee(connection: BankConnection, order: Order) -> OrderStep:
    """The person has seen the payee check and releases the order: the next step."""
    with _resumed(connection, order.purpose, lambda parked: parked.payee is not None) as (bank, parked, token):
        step = _step(lambda: bank.approve_payee(parked.payee))
        _park_step(connection, bank, step, token, order.purpose)
    return step


def order_tan(connection: BankConnection, order: Order, *, tan: str) -> OrderStep:
    """The TAN for the order (or for the dialog start, then the order goes out). Decoupled:
    asks whether the app confirmed (`tan` unused); a Challenge again while it has not.
    `fints.TanWrong` leaves the dialog waiting for another try."""
    with _resumed(connection, order.purpose, lambda parked: parked.challenge is not None) as (bank, parked, token):
        challenge = parked.challenge
        if challenge.decoupled and parked.polls >= MAX_DECOUPLED_POLLS:
            raise OrderNotSent(_("The app confirmation did not arrive in time. Send the order again."))
        again = partial(_keep_paused, connection, token=token, purpose=order.purpose, login=parked.login)
        try:
            if parked.login:
                step = bank.send_tan(challenge, tan)  # errors here: the order has not left
            else:
                step = _step(lambda: bank.confirm_order(challenge, tan))
        except fints.TanWrong:
            again(bank.pause(), challenge=challenge, polls=parked.polls)
            raise
        if isinstance(step, fints.Challenge):  # the app has not confirmed yet
            again(bank.pause(), challenge=step, polls=parked.polls + 1)
            return step
        if parked.login:
            step = _transmit(bank, order)
        _park_step(connection, bank, step, token, order.purpose)
    return step


def order_abandon(connection: BankConnection, purpose: str) -> None:
    """End the order's paused dialog without releasing the order (the person said no)."""
    paused = _live_paused(connection)
    if paused is None or paused.purpose != purpose:
        return
    token = paused.lock_token
    if not _claim(connection, token, DIALOG_TTL):
        return
    try:
        blob = _take_paused(connection, paused)
    except ConnectionBusy:
        return  # someone else continues it (and holds the login)
    try:
        with fints.session(_access(connection, None), resume=blob):
            pass  # leaving the dialog ends it at the bank
    except fints.BankError:
        pass  # the bank drops it after 15 minutes anyway
    finally:
        _release(connection, token)


def order_step(connection: BankConnection, purpose: str) -> Parked | None:
    """What the order's paused dialog waits for (for its page); None when nothing is."""
    paused = _live_paused(connection)
    if paused is None or paused.purpose != purpose:
        return None
    return replace(_open_paused(connection, paused), polls=paused.polls)


def _transmit(bank: fints.Session, order: Order) -> OrderStep:
    try:
        return _step(lambda: bank.transfer(order.account, order.pain, count=order.count, total=order.total,
                                           instant=order.instant, descriptor=order.descriptor))
    except fints.NotExecuted as held_back:
        raise OrderNotSent(held_back.message) from held_back


def _step(call):
    """A bank's refusal of the order is an answer, not an error of ours."""
    try:
        return call()
    except (fints.BankRefused, fints.TanRequired, fints.ProductRefused) as refused:
        return fints.OrderResult(accepted=False, said=refused.message)


def _park_step(connection, bank: fints.Session, step: OrderStep, token: str, purpose: str) -> None:
    if isinstance(step, fints.Challenge):
        _keep_paused(connection, bank.pause(), token, challenge=step, purpose=purpose)
    elif isinstance(step, fints.PayeeCheck):
        _keep_paused(connection, bank.pause(), token, payee=step, purpose=purpose)


@contextmanager
def _resumed(connection: BankConnection, purpose: str, waits_for) -> Iterator[tuple]:
    """Continue the order's paused dialog (a web request: the person's answer). Errors other
    than a wrong TAN end it: `OrderNotSent` before the order left, `OutcomeUnknown` after."""
    paused = _live_paused(connection)
    if paused is None or paused.purpose != purpose:
        raise OrderNotSent(_("The bank ended the dialog (after 15 minutes without an answer). "
                             "The order was not executed; send it again."))
    token = paused.lock_token
    if not _claim(connection, token, ORDER_TTL):
        raise ConnectionBusy(_("Another worker has taken over this connection."))
    parked = replace(_open_paused(connection, paused), polls=paused.polls)
    if not waits_for(parked):
        raise ConnectionBusy(_("The bank waits for another step of this order."))
    _take(paused)
    try:
        with fints.session(_access(connection, None), resume=parked.dialog) as bank:
            yield bank, parked, token
            client_state = bank.client_state()
    except (fints.TanWrong, fints.OutcomeUnknown, OrderNotSent):
        if not PausedDialog.objects.filter(connection=connection).exists():
            _release(connection, token)
        raise
    except fints.BankError as error:
        _release(connection, token)
        raise OrderNotSent(error.message) from error
    _keep_client_state(connection, client_state)
    if not PausedDialog.objects.filter(connection=connection).exists():
        _release(connection, token)


def _keep_client_state(connection: BankConnection, client_state: bytes) -> None:
    connection.client_state = _seal(connection, "client", client_state)
    connection.save(update_fields=["client_state"])


def pin_handover(connection: BankConnection, *, pin: str, keep: bool = False) -> None:
    """A PIN typed for the next bank call (kept only when the user opted in)."""
    _put_pin(connection, pin, keep=keep)


def pin_available(connection: BankConnection) -> bool:
    return _pin(connection) is not None


# -- reads for the pages -------------------------------------------------------------------
def pending_challenge(connection: BankConnection) -> fints.Challenge | None:
    """The TAN request the connection waits for, if its dialog is still alive."""
    paused = _live_paused(connection)
    if paused is None or not paused.awaiting_tan or paused.purpose != SYNC:
        return None
    return _open_paused(connection, paused).challenge


def is_busy(connection: BankConnection) -> bool:
    return connection.locked_until is not None and connection.locked_until > timezone.now()


# -- the lock ------------------------------------------------------------------------------
def _claim(connection: BankConnection, token: str, ttl: timedelta) -> bool:
    now = timezone.now()
    free = Q(locked_until__isnull=True) | Q(locked_until__lte=now) | Q(lock_token=token)
    claimed = BankConnection.objects.filter(free, pk=connection.pk).update(lock_token=token, locked_until=now + ttl)
    if claimed:
        connection.lock_token, connection.locked_until = token, now + ttl
    return bool(claimed)


def _release(connection: BankConnection, token: str) -> None:
    BankConnection.objects.filter(pk=connection.pk, lock_token=token).update(lock_token="", locked_until=None)
    connection.lock_token, connection.locked_until = "", None


@contextmanager
def _sync_done(connection: BankConnection) -> Iterator[None]:
    """Whatever the outcome, the sync someone asked for has run."""
    try:
        yield
    finally:
        BankConnection.objects.filter(pk=connection.pk).update(sync_queued=False)
        connection.sync_queued = False


class _claimed:
    """Hold the connection's claim for a block; keep it if the block paused a dialog."""

    def __init__(self, connection: BankConnection, token: str | None = None, ttl: timedelta = LOCK_TTL):
        self.connection = connection
        self.token = token or secrets.token_hex(16)
        self.ttl = ttl

    def __enter__(self) -> str:
        if not _claim(self.connection, self.token, self.ttl):
            raise ConnectionBusy(_("%(name)s is syncing already; try again in a minute.")
                                 % {"name": self.connection.name})
        return self.token

    def __exit__(self, exc_type, *exc_info) -> None:
        if exc_type is ConnectionBusy:
            return  # someone with the same token (a paused dialog's) is at work
        if not PausedDialog.objects.filter(connection=self.connection, lock_token=self.token).exists():
            _release(self.connection, self.token)


# -- paused dialogs ------------------------------------------------------------------------
SYNC = "sync"  # the purpose of a sync's paused dialog; an order's is "order:<pk>"


@dataclass(frozen=True)
class Parked:
    """A paused dialog opened: the dialog blob and the step a person must take in it."""

    dialog: bytes
    challenge: fints.Challenge | None = None  # a TAN to give
    payee: fints.PayeeCheck | None = None  # a payee check to approve or refuse
    login: bool = False  # the TAN is the dialog start's: an order waits behind it
    polls: int = 0  # decoupled: how often the bank was asked already


def _keep_paused(connection, dialog: bytes, token: str, *, challenge: fints.Challenge | None = None,
                 payee: fints.PayeeCheck | None = None, awaiting_tan: bool = True, polls: int = 0,
                 purpose: str = SYNC, login: bool = False) -> None:
    envelope = {"dialog": _b64(dialog), "login": login, "challenge": None, "payee": None}
    if challenge is not None:
        envelope["challenge"] = {
            "text": challenge.text, "decoupled": challenge.decoupled, "data": _b64(challenge.data),
            "image_type": challenge.image_type, "image": _b64(challenge.image),
            "flicker": list(challenge.flicker), "payee_check": _b64(challenge.payee_check),
        }
    if payee is not None:
        envelope["payee"] = {**asdict(payee), "data": _b64(payee.data)}
    expires = timezone.now() + DIALOG_TTL
    with transaction.atomic():
        PausedDialog.objects.filter(connection=connection).delete()
        PausedDialog.objects.create(
            connection=connection, sealed=_seal(connection, "dialog", json.dumps(envelope).encode()),
            awaiting_tan=awaiting_tan, decoupled=bool(challenge and challenge.decoupled), polls=polls,
            lock_token=token, expires_at=expires, purpose=purpose,
        )
        BankConnection.objects.filter(pk=connection.pk, lock_token=token).update(locked_until=expires)


def _live_paused(connection: BankConnection) -> PausedDialog | None:
    paused = PausedDialog.objects.filter(connection=connection).first()
    if paused is not None and paused.expires_at <= timezone.now():
        paused.delete()  # the bank has ended it; its claim has expired with it
        return None
    return paused


def _open_paused(connection, paused: PausedDialog) -> Parked:
    envelope = json.loads(_unseal(connection, "dialog", paused.sealed))
    challenge = payee = None
    if raw := envelope.get("challenge"):
        challenge = fints.Challenge(
            text=raw["text"], decoupled=raw["decoupled"], data=_unb64(raw["data"]),
            image_type=raw["image_type"], image=_unb64(raw["image"]), flicker=tuple(raw["flicker"]),
            payee_check=_unb64(raw.get("payee_check", "")),
        )
    if raw := envelope.get("payee"):
        payee = fints.PayeeCheck(**{**raw, "data": _unb64(raw["data"])})
    return Parked(_unb64(envelope["dialog"]), challenge, payee, envelope.get("login", False))


def _take_paused(connection, paused: PausedDialog) -> bytes:
    blob = _open_paused(connection, paused).dialog
    _take(paused)
    return blob


def _take(paused: PausedDialog) -> None:
    """Only one request may continue a paused dialog (two would break its message numbers):
    whoever deletes the row has it."""
    if not PausedDialog.objects.filter(pk=paused.pk).delete()[0]:
        raise ConnectionBusy(_("This dialog with the bank is being continued already."))


# -- state, secrets, helpers ---------------------------------------------------------------
def _set_state(connection: BankConnection, state: str, error: str, user, via) -> None:
    """Change state and last error (audited when they change)."""
    before = {"state": connection.state, "last_error": connection.last_error}
    if before == {"state": state, "last_error": error}:
        return
    BankConnection.objects.filter(pk=connection.pk).update(state=state, last_error=error)
    connection.state, connection.last_error = state, error
    record("connection.state_changed", connection, company=connection.company, user=user, via=via,
           before=before, after={"state": state, "last_error": error})


def _fail(connection: BankConnection, error: fints.BankError, user, via) -> None:
    if isinstance(error, PinMissing):
        return  # nothing happened at the bank; the page asks for the PIN
    state = next((s for kind, s in _STATE_OF.items() if isinstance(error, kind)), State.ERROR)
    with transaction.atomic():
        if state in (State.PIN_WRONG, State.PIN_BLOCKED):
            # Never try this PIN again by itself: banks lock the access after a few.
            BankConnection.objects.filter(pk=connection.pk).update(pin_sealed=None, pin_until=None)
            connection.pin_sealed = connection.pin_until = None
        _drop_handed_pin(connection)
        _set_state(connection, state, error.message, user, via)


def _put_pin(connection: BankConnection, pin: str, *, keep: bool) -> None:
    connection.pin_sealed = _seal(connection, "pin", pin.encode())
    connection.pin_kept = keep
    connection.pin_until = None if keep else timezone.now() + PIN_HANDOVER
    connection.save(update_fields=["pin_sealed", "pin_kept", "pin_until"])


def _pin(connection: BankConnection) -> str | None:
    connection.refresh_from_db(fields=["pin_sealed", "pin_kept", "pin_until"])
    if connection.pin_sealed is None:
        return None
    if not connection.pin_kept and (connection.pin_until is None or connection.pin_until <= timezone.now()):
        return None
    return _unseal(connection, "pin", connection.pin_sealed).decode()


def _required_pin(connection: BankConnection) -> str:
    pin = _pin(connection)
    if pin is None:
        raise PinMissing(_("The PIN is not kept for this connection: enter it to sync."))
    return pin


def _drop_handed_pin(connection: BankConnection) -> None:
    if not connection.pin_kept:
        BankConnection.objects.filter(pk=connection.pk).update(pin_sealed=None, pin_until=None)
        connection.pin_sealed = connection.pin_until = None


def _access(connection: BankConnection, pin: str | None) -> fints.Access:
    state = connection.client_state
    return fints.Access(
        bank_code=connection.bank_code, server_url=connection.server_url, login=connection.login,
        pin=pin, customer_id=connection.customer_id, tan_method=connection.tan_method,
        tan_medium=connection.tan_medium,
        client_state=_unseal(connection, "client", state) if state is not None else None,
    )


def _seal(connection: BankConnection, what: str, data: bytes) -> bytes:
    return sealing.seal(data, f"connection:{connection.pk}:{what}")


def _unseal(connection: BankConnection, what: str, sealed: bytes) -> bytes:
    try:
        return sealing.unseal(sealed, f"connection:{connection.pk}:{what}")
    except sealing.SecretRefused as error:
        raise SecretUnusable(_("The saved secrets of this connection (%(what)s) were altered or "
                               "sealed with another key, so they are not used. Enter the PIN "
                               "again to reconnect.") % {"what": what}) from error


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)


def _public(connection: BankConnection) -> dict:
    """What the audit trail shows of a connection: never a secret."""
    return {"name": connection.name, "bank_code": connection.bank_code, "server_url": connection.server_url,
            "login": connection.login, "pin_kept": connection.pin_kept}


def _enqueue(what: str, connection_id: int, **options) -> None:
    from kassenwart.banking import tasks

    task = {"probe": tasks.probe_connection_task, "sync": tasks.sync_connection_task}[what]
    task.enqueue(connection_id, **options)
