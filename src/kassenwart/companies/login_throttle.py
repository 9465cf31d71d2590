"""Throttling logins: failed passwords and second-factor codes are counted per user name and
per client address; at the limit the name (or address) is locked for a while, and during the
lock even the right password is refused, so guessing gains nothing.

A name is counted as typed (lower case), whether or not such a user exists, so the answer does
not tell which names exist. The address's limit is higher than the name's: several people in
one office share an address. Counts are forgotten a day after the last failure, and start
again when a lock ends. Each lock in a row lasts twice as long as the one before (15 minutes,
30, an hour, ... at most a day): someone who knows the password and guesses codes gets about
80 tries a day, not a thousand. A successful login clears the name's count and its locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from kassenwart.companies.models import LoginThrottle
from kassenwart.companies.two_factor import record_for_user
from kassenwart.core.audit import record
from kassenwart.core.models import User

USER_LIMIT = 10
ADDRESS_LIMIT = 30
LOCKED_FOR = timedelta(minutes=15)  # the first lock; each next one in a row twice as long
LONGEST_LOCK = timedelta(days=1)
FORGOTTEN_AFTER = timedelta(days=1)
Scope = LoginThrottle.Scope


@dataclass(frozen=True)
class Lockout:
    """A lock that a failure just started."""

    scope: str
    key: str
    until: datetime
    failures: int
    user: User | None  # the locked person, if the name is a user's


def _keys(username: str, address: str):
    yield Scope.USER, username.strip().lower()[:150], USER_LIMIT
    if address:
        yield Scope.ADDRESS, address[:150], ADDRESS_LIMIT


def locked_until(username: str, address: str, now: datetime | None = None) -> datetime | None:
    """The end of the lock on the name or the address, whichever is later; None if neither is locked."""
    now = now or timezone.now()
    ends = [
        row.locked_until
        for scope, key, _limit in _keys(username, address)
        for row in LoginThrottle.objects.filter(scope=scope, key=key, locked_until__gt=now)
    ]
    return max(ends, default=None)


@transaction.atomic
def login_failed(username: str, address: str, *, now: datetime | None = None, via: str = "web") -> list[Lockout]:
    """Count a failed password or code; the locks this failure started (usually none)."""
    now = now or timezone.now()
    started = []
    for scope, key, limit in _keys(username, address):
        LoginThrottle.objects.get_or_create(scope=scope, key=key)
        row = LoginThrottle.objects.select_for_update().get(scope=scope, key=key)
        lock_over = row.locked_until is not None and row.locked_until <= now
        forgotten = row.last_failure_at is not None and row.last_failure_at < now - FORGOTTEN_AFTER
        if lock_over or forgotten:
            row.failures, row.locked_until = 0, None
        if forgotten:
            row.locks = 0
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= limit and row.locked_until is None:
            row.locked_until = now + min(LOCKED_FOR * 2 ** min(row.locks, 16), LONGEST_LOCK)
            row.locks += 1
            started.append(_locked(row, via))
        row.save(update_fields=["failures", "last_failure_at", "locked_until", "locks"])
    return started


def _locked(row: LoginThrottle, via: str) -> Lockout:
    user = User.objects.filter(username__iexact=row.key).first() if row.scope == Scope.USER else None
    after = {"scope": row.scope, "key": row.key, "failures": row.failures, "until": row.locked_until}
    if user is not None:
        record_for_user("login.locked", row, user, by=None, via=via, after=after)
    else:
        record("login.locked", row, via=via, after=after)
    return Lockout(row.scope, row.key, row.locked_until, row.failures, user)


def login_succeeded(username: str) -> None:
    LoginThrottle.objects.filter(scope=Scope.USER, key=username.strip().lower()).update(
        failures=0, locked_until=None, locks=0
    )
