"""Use cases of API tokens: create (shown once), revoke, and finding the token of a request.

What a token may do is the smaller of its scope and its user's role in its company: every
call asks `companies.permissions.allows` with the user's current role (so a person demoted or
removed takes their tokens' power along), and the scope caps it (read: VIEW only; write:
everything but approving; approve: all the role allows).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.companies import permissions
from kassenwart.companies.models import ApiToken, Company, Membership
from kassenwart.companies.selectors import member_may
from kassenwart.core.audit import record
from kassenwart.core.models import User

PREFIX_BYTES = 6  # 12 hex digits to find the row
SECRET_BYTES = 32
LAST_USED_EVERY = timedelta(minutes=1)  # reads note their use at most this often
SCOPES = [ApiToken.Scope.READ, ApiToken.Scope.WRITE, ApiToken.Scope.APPROVE]


def scope_for(permission: str) -> str:
    """The least scope a permission of companies/permissions.py needs."""
    if permission == permissions.VIEW:
        return ApiToken.Scope.READ
    if permission == permissions.APPROVE_PAYMENT:
        return ApiToken.Scope.APPROVE
    return ApiToken.Scope.WRITE


def scope_allows(scope: str, permission: str) -> bool:
    return SCOPES.index(ApiToken.Scope(scope)) >= SCOPES.index(ApiToken.Scope(scope_for(permission)))


class TokenError(ValueError):
    """A token cannot be created or revoked as asked; the message says why. `field` names the input."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # the whole token, shown once


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(company: Company, *, user: User, name: str, scope: str, expires_days: int | None = None,
                 by: User | None, via: str = "web", second_factor_fresh: bool = False) -> CreatedToken:
    """A new token for `user` in `company`. `by` (None from the command line) must be allowed to
    manage users; an approve token needs a role that approves and, made in the web, a second
    factor entered just before (`second_factor_fresh`)."""
    if by is not None and not member_may(company, by, permissions.MANAGE_USERS):
        raise TokenError(_("Your role does not allow this."))
    name = name.strip()
    if not name or len(name) > 100:
        raise TokenError(_("Give the token a name of at most 100 characters."), "name")
    if scope not in ApiToken.Scope.values:
        raise TokenError(_("Choose a scope: read, write or approve."), "scope")
    role = Membership.objects.filter(company=company, user=user).values_list("role", flat=True).first()
    if role is None:
        raise TokenError(_("%(user)s is not a member of %(company)s.")
                         % {"user": user.get_username(), "company": company.name}, "user")
    if scope == ApiToken.Scope.APPROVE:
        if not permissions.allows(role, permissions.APPROVE_PAYMENT):
            raise TokenError(_("%(user)s may not approve payments, so a token of theirs cannot either.")
                             % {"user": user.get_username()}, "scope")
        if via == "web" and not second_factor_fresh:
            raise TokenError(_("Confirm it is you with a code from your authenticator app, then do it again."),
                             "scope")
    if expires_days is not None and not 1 <= expires_days <= 3650:
        raise TokenError(_("A token expires after 1 to 3650 days."), "expires_days")
    prefix = secrets.token_hex(PREFIX_BYTES)
    secret = f"kw_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = ApiToken.objects.create(
        company=company, user=user, name=name, scope=scope, prefix=prefix, secret_hash=_digest(secret),
        created_by=by, expires_at=timezone.now() + timedelta(days=expires_days) if expires_days else None)
    record("api_token.created", token, company=company, user=by, via=via,
           after={"name": name, "user": user.get_username(), "scope": scope, "prefix": prefix,
                  "expires_at": token.expires_at.isoformat() if token.expires_at else None})
    return CreatedToken(token, secret)


@transaction.atomic
def token_revoke(company: Company, token: ApiToken, *, by: User | None, via: str = "web") -> None:
    if by is not None and not member_may(company, by, permissions.MANAGE_USERS):
        raise TokenError(_("Your role does not allow this."))
    if token.company_id != company.pk:
        raise TokenError(_("There is no such token."))
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now(),
                                                                                   revoked_by=by)
    if not revoked:
        raise TokenError(_("The token was revoked already."))
    record("api_token.revoked", token, company=company, user=by, via=via,
           after={"name": token.name, "prefix": token.prefix})


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token (not revoked, not expired) whose secret this is, with its company and
    user; else None. Notes the use (at most once a minute per token)."""
    prefix, end = secret[3:3 + 2 * PREFIX_BYTES], 3 + 2 * PREFIX_BYTES  # the secret may hold "_" too
    if not secret.startswith("kw_") or secret[end:end + 1] != "_" or len(prefix) != 2 * PREFIX_BYTES:
        return None
    token = ApiToken.objects.filter(prefix=prefix).select_related("company", "user").first()
    if token is None or not hmac.compare_digest(token.secret_hash, _digest(secret)):
        return None
    now = timezone.now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_role(token: ApiToken) -> str | None:
    """The token's user's role in the token's company now (None when no longer a member)."""
    return Membership.objects.filter(company_id=token.company_id, user_id=token.user_id).values_list(
        "role", flat=True).first()


def token_allows(token: ApiToken, permission: str) -> bool:
    return scope_allows(token.scope, permission) and permissions.allows(token_role(token), permission)


def tokens_of(company: Company) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(company=company).select_related("user", "created_by")
