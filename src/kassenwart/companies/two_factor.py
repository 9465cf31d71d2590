"""Two-factor login: who needs it, the authenticator app (TOTP) and the recovery codes.

A person has at most one confirmed authenticator app and one set of recovery codes. The app's
key is sealed to its row (core/secrets.py) and leaves the server only while it is being set up
(QR code and base32 text). Recovery codes are shown once and stored as SHA-256 digests: each
has 80 random bits, so the digest needs no slow hash. A code of either kind works once.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from urllib.parse import quote

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP

from kassenwart.companies.models import (
    Company,
    Membership,
    RecoveryCode,
    RecoveryCodes,
    Role,
    SupportGrant,
    TotpDevice,
)
from kassenwart.companies.permissions import MANAGE_USERS
from kassenwart.companies.selectors import member_may
from kassenwart.core.audit import record
from kassenwart.core.models import User
from kassenwart.core.secrets import seal, unseal

ISSUER = "Kassenwart"
KEY_BYTES = 20  # 160 bits, as RFC 4226 recommends
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
TOLERANCE = 1  # one 30 s step either side: the phone's clock may be a little off


def required_for(memberships: list[Membership]) -> bool:
    """Admins and approvers log in with a second factor, and everyone in a company that asks it."""
    return any(m.role in (Role.ADMIN, Role.APPROVER) or m.company.require_two_factor for m in memberships)


def two_factor_required(user: User) -> bool:
    """Whether the person must log in with a second factor: by a role or company (required_for),
    or as support while a grant runs (support acts as an admin, and the login asks it then)."""
    return (required_for(list(Membership.objects.filter(user=user).select_related("company")))
            or SupportGrant.objects.running().filter(user=user).exists())


def authenticator_of(user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed=True).exists()


# -- the authenticator app


def _purpose(device: TotpDevice) -> str:
    return f"totp:{device.pk}:key"


def authenticator_key(device: TotpDevice) -> bytes:
    return unseal(device.sealed_key, _purpose(device))


def authenticator_secret(device: TotpDevice) -> str:
    """The key as authenticator apps take it typed in: base32 without padding."""
    return base64.b32encode(authenticator_key(device)).decode().rstrip("=")


def authenticator_uri(device: TotpDevice) -> str:
    """The otpauth:// address the QR code carries (Google Authenticator's key URI format)."""
    label = quote(f"{ISSUER}:{device.user.get_username()}")
    return f"otpauth://totp/{label}?secret={authenticator_secret(device)}&issuer={ISSUER}&digits=6&period=30"


@transaction.atomic
def authenticator_start(user: User) -> TotpDevice:
    """A new, unconfirmed authenticator with a fresh key (replacing an earlier unfinished one)."""
    TotpDevice.objects.filter(user=user, confirmed=False).delete()
    device = TotpDevice.objects.create(user=user, name="authenticator", confirmed=False, sealed_key=b"")
    device.sealed_key = seal(secrets.token_bytes(KEY_BYTES), _purpose(device))
    device.save(update_fields=["sealed_key"])
    return device


@transaction.atomic
def authenticator_issue(user: User, *, by: User | None = None, via: str = "cli") -> TotpDevice:
    """A confirmed authenticator without a first code, for the command line and the demo, whose
    person reads the key off the console (base32) into the app."""
    device = authenticator_start(user)
    TotpDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    TotpDevice.objects.filter(pk=device.pk).update(confirmed=True)
    device.confirmed = True
    record_for_user("two_factor.enabled", device, user, by=by, via=via)
    return device


def _code_matches(device: TotpDevice, code: str) -> bool:
    """Whether the code is the app's for now (± one step) and newer than the last one used;
    the step is then taken with a conditional UPDATE, so a code works once even if two
    requests bring it at the same moment."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = TOTP(authenticator_key(device), step=30, t0=0, digits=6)
    totp.time = time.time()  # one instant for the check and the step it found
    if not totp.verify(int(code), tolerance=TOLERANCE, min_t=device.last_t + 1):
        return False
    used = TotpDevice.objects.filter(pk=device.pk, last_t__lt=totp.t()).update(
        last_t=totp.t(), last_used_at=timezone.now()
    )
    return bool(used)


@transaction.atomic
def authenticator_confirm(device: TotpDevice, code: str, *, via: str = "web") -> list[str] | None:
    """The first code from the app: the device becomes the person's authenticator (any earlier
    one is removed) and new recovery codes are returned, to be shown once. None if the code
    is wrong."""
    device = TotpDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not _code_matches(device, code):
        return None
    TotpDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    TotpDevice.objects.filter(pk=device.pk).update(confirmed=True)
    device.confirmed = True
    codes = _recovery_codes_new(device.user)
    record_for_user("two_factor.enabled", device, device.user, by=device.user, via=via)
    return codes


@transaction.atomic  # a recovery code is used up together with its audit event
def second_factor_check(user: User, code: str, *, via: str = "web") -> TotpDevice | RecoveryCodes | None:
    """The device whose code this is (the app's, or an unused recovery code), else None."""
    device = authenticator_of(user)
    if device is not None and _code_matches(device, code):
        return device
    recovery = _recovery_code_use(user, code)
    if recovery is not None:
        left = recovery.codes.filter(used_at__isnull=True).count()
        record_for_user("two_factor.recovery_code_used", recovery, user, by=user, via=via, after={"left": left})
    return recovery


# -- recovery codes


def _digest(code: str) -> str:
    normalized = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


def _recovery_codes_new(user: User) -> list[str]:
    RecoveryCodes.objects.filter(user=user).delete()
    device = RecoveryCodes.objects.create(user=user, name="recovery codes")
    codes = []
    for _n in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(16))  # 16 × log2(31) ≈ 79 bits
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    RecoveryCode.objects.bulk_create([RecoveryCode(device=device, digest=_digest(code)) for code in codes])
    return codes


@transaction.atomic
def recovery_codes_renew(user: User, *, via: str = "web") -> list[str]:
    """A new set of recovery codes (the old ones stop working); shown once."""
    codes = _recovery_codes_new(user)
    record_for_user("two_factor.recovery_codes_renewed", RecoveryCodes.objects.get(user=user), user, by=user, via=via)
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, used_at__isnull=True).count()


def _recovery_code_use(user: User, code: str) -> RecoveryCodes | None:
    if len(code) > 40:
        return None
    used = RecoveryCode.objects.filter(device__user=user, digest=_digest(code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return RecoveryCodes.objects.filter(user=user).first() if used else None


# -- turning it off, and the company's rule


class TwoFactorError(ValueError):
    """A change to two-factor login that is not allowed; the message says why."""


@transaction.atomic
def two_factor_remove(user: User, *, by: User, company: Company | None = None, via: str = "web") -> None:
    """Remove the person's authenticator and recovery codes: by the person when no company
    requires it, or by an admin of `company` for a member who lost the phone (the member then
    sets up a new one at the next login, if required)."""
    if by == user and two_factor_required(user):
        raise TwoFactorError(_("Your role requires two-factor login; set up a new authenticator app instead."))
    if by != user:
        if company is None or not member_may(company, by, MANAGE_USERS):
            raise TwoFactorError(_("Only an admin of the person's company can do this."))
        admin_may_act_on(user, by)
    if _removed(user):
        record_for_user("two_factor.removed", user, user, by=by, via=via)


@transaction.atomic
def two_factor_reset(user: User, *, via: str = "cli") -> bool:
    """The operator at the command line (who holds the data directory) removes a person's
    authenticator app and recovery codes: the way back in for a lone admin who lost the phone
    and the codes. The person sets up a new app at the next login. Whether there was any."""
    removed = _removed(user)
    if removed:
        record_for_user("two_factor.removed", user, user, by=None, via=via)
    return removed


def _removed(user: User) -> bool:
    devices, _per_model = TotpDevice.objects.filter(user=user).delete()
    codes, _per_model = RecoveryCodes.objects.filter(user=user).delete()
    return bool(devices or codes)


def admin_may_act_on(user: User, admin: User) -> None:
    """Raise TwoFactorError unless `admin` may reset the person's password or second factor.
    An admin acts on a person's login only if the admin is admin of every company the person
    belongs to: an admin of one company must not take over a login another company relies on."""
    theirs = set(Membership.objects.filter(user=user).values_list("company_id", flat=True))
    mine = set(Membership.objects.filter(user=admin, role=Role.ADMIN).values_list("company_id", flat=True))
    if not theirs <= mine:
        raise TwoFactorError(_("%(user)s also belongs to a company you are not an admin of.")
                             % {"user": user.get_username()})


@transaction.atomic
def company_two_factor_set(company: Company, required: bool, *, by: User, via: str = "web") -> None:
    """Two-factor login for every member of `company`, or only for admins and approvers. Only an
    admin of the company changes it (support, even with full access, does not)."""
    if not member_may(company, by, MANAGE_USERS):
        raise TwoFactorError(_("Only an admin of the company can do this."))
    before = Company.objects.select_for_update().get(pk=company.pk).require_two_factor
    Company.objects.filter(pk=company.pk).update(require_two_factor=required)
    company.require_two_factor = required
    if before != required:
        record("company.two_factor_changed", company, company=company, user=by, via=via,
               before={"require_two_factor": before}, after={"require_two_factor": required})


def record_for_user(action: str, obj, user: User, *, by: User | None, via: str, after: dict | None = None):
    """An audit event about a person's login, in each of the person's companies (where their
    admins read the audit log); without a company if the person belongs to none."""
    companies = list(Company.objects.filter(memberships__user=user)) or [None]
    after = {"user": user.get_username(), **(after or {})}
    for company in companies:
        record(action, obj, company=company, user=by, via=via, after=after)
