"""Time-limited support access: an admin lets a named user of this installation into the
company for some hours, read-only unless full access is given; it can be revoked and it ends
by itself (SupportGrant.objects.running() is asked on every request).

While it runs the support user acts for the company like a member (CurrentCompanyMiddleware)
and every change they make is audited under their own name, like anyone's.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kassenwart.companies.models import Company, Membership, Role, SupportGrant
from kassenwart.companies.permissions import MANAGE_USERS
from kassenwart.companies.selectors import member_may
from kassenwart.core.audit import record
from kassenwart.core.models import User

MAX_HOURS = 7 * 24


class SupportAccessError(ValueError):
    """A grant that cannot be made or changed; the message says why."""


def _describe(grant: SupportGrant) -> dict:
    return {
        "user": grant.user.get_username(),
        "full_access": grant.full_access,
        "starts_at": grant.starts_at,
        "ends_at": grant.ends_at,
    }


def _require_admin(company: Company, by: User) -> None:
    """Only an admin of the company hands out or ends support access; support never does, even
    with full access (it could let itself stay)."""
    if not member_may(company, by, MANAGE_USERS):
        raise SupportAccessError(_("Only an admin of the company grants or ends support access."))


@transaction.atomic
def support_grant(company: Company, username: str, hours: int, *, full_access: bool = False, by: User,
                  via: str = "web") -> SupportGrant:
    """Let the user `username` into `company` from now for `hours` hours."""
    _require_admin(company, by)
    user = User.objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise SupportAccessError(_("There is no user %(user)s.") % {"user": username.strip()})
    if Membership.objects.filter(company=company, user=user).exists():
        raise SupportAccessError(_("%(user)s is a member already and needs no support access.") % {"user": username})
    running = SupportGrant.objects.running().filter(company=company, user=user).first()
    if running is not None:
        raise SupportAccessError(_("%(user)s has support access already; revoke it first to grant it anew.")
                                 % {"user": username})
    if not 1 <= hours <= MAX_HOURS:
        raise SupportAccessError(_("Support access lasts from 1 to %(max)s hours.") % {"max": MAX_HOURS})
    now = timezone.now()
    grant = SupportGrant.objects.create(
        company=company, user=user, full_access=full_access, starts_at=now, ends_at=now + timedelta(hours=hours),
        granted_by=by,
    )
    record("support.granted", grant, company=company, user=by, via=via, after=_describe(grant))
    return grant


@transaction.atomic
def support_revoke(company: Company, grant_id: int, *, by: User, via: str = "web") -> SupportGrant:
    """End a running grant now. One conditional UPDATE, so revoking twice is said, not repeated."""
    _require_admin(company, by)
    now = timezone.now()
    ended = SupportGrant.objects.running(now).filter(pk=grant_id, company=company).update(revoked_at=now, revoked_by=by)
    grant = SupportGrant.objects.select_related("user").filter(pk=grant_id, company=company).first()
    if grant is None:
        raise SupportGrant.DoesNotExist
    if not ended:
        raise SupportAccessError(_("This support access has ended already."))
    record("support.revoked", grant, company=company, user=by, via=via, before=_describe(grant),
           after={"revoked_at": now})
    return grant


def support_opened(grant: SupportGrant, *, via: str = "web") -> None:
    """The support user's first request under the grant in a session: audited, so the trail
    shows when support looked, not only what it changed."""
    record("support.opened", grant, company=grant.company, user=grant.user, via=via, after=_describe(grant))


def support_memberships(user: User, grants: list[SupportGrant]) -> list[Membership]:
    """Stand-in memberships (never saved) for the companies the user may enter by a grant: with
    the admin's view, so support sees what the company sees; changes are refused unless the
    grant gives full access (kassenwart.web.support_access)."""
    return [Membership(company=grant.company, user=user, role=Role.ADMIN) for grant in grants]
