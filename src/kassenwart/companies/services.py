"""Creating companies and managing who belongs to them."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from kassenwart.companies.models import Company, Membership, Role
from kassenwart.companies.two_factor import admin_may_act_on, record_for_user
from kassenwart.core.audit import record
from kassenwart.core.models import User


@transaction.atomic
def company_create(name: str, *, user: User | None = None, via: str = "cli") -> Company:
    name = name.strip()
    if not name:
        raise ValueError("A company needs a name.")
    company = Company.objects.create(name=name)
    record("company.created", company, company=company, user=user, via=via, after={"name": name})
    if user is not None:
        membership_set(company, user, Role.ADMIN, by=user, via=via)
    return company


@transaction.atomic
def membership_set(company: Company, member: User, role: str, *, by: User | None, via: str = "web"):
    """Give `member` the role in `company`, adding the membership if needed."""
    role = Role(role)
    membership, created = Membership.objects.get_or_create(
        company=company, user=member, defaults={"role": role}
    )
    before = None if created else {"role": membership.role}
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    record(
        "membership.set",
        membership,
        company=company,
        user=by,
        via=via,
        before=before,
        after={"user": member.get_username(), "role": role.value},
    )
    return membership


@transaction.atomic
def user_create(username: str, password: str, *, email: str = "", by: User | None = None, via="cli"):
    user = User.objects.create_user(username=username, password=password, email=email)
    record("user.created", user, user=by, via=via, after={"username": username})
    return user


class MembershipError(ValueError):
    """A change to the members that is not allowed; the message says why."""


def _keeps_an_admin(company: Company, without: Membership) -> bool:
    """Whether another admin stays. Locks the company's admins first, so two admins who demote
    or remove each other at the same moment cannot both succeed (PostgreSQL)."""
    admins = list(Membership.objects.select_for_update().filter(company=company, role=Role.ADMIN).order_by("pk")
                  .values_list("pk", flat=True))
    return any(pk != without.pk for pk in admins)


@transaction.atomic
def member_add(company: Company, username: str, role: str, *, email: str = "", by: User, via="web"):
    """Add a person to the company: an existing user by name, else a new user with a
    generated first password (returned once, to hand over)."""
    username = username.strip()
    if not username:
        raise MembershipError(_("A user name is needed."))
    user = User.objects.filter(username=username).first()
    password = None
    if user is None:
        password = secrets.token_urlsafe(12)
        user = user_create(username, password, email=email.strip(), by=by, via=via)
    elif Membership.objects.filter(company=company, user=user).exists():
        raise MembershipError(_("%(user)s is a member already.") % {"user": username})
    membership_set(company, user, role, by=by, via=via)
    return user, password


@transaction.atomic
def member_role_change(company: Company, membership: Membership, role: str, *, by: User, via="web"):
    membership = Membership.objects.select_for_update().get(pk=membership.pk, company=company)
    if membership.role == Role.ADMIN and role != Role.ADMIN and not _keeps_an_admin(company, membership):
        raise MembershipError(_("The company needs at least one admin."))
    return membership_set(company, membership.user, role, by=by, via=via)


@transaction.atomic
def member_remove(company: Company, membership: Membership, *, by: User, via="web") -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk, company=company)
    if membership.role == Role.ADMIN and not _keeps_an_admin(company, membership):
        raise MembershipError(_("The company needs at least one admin."))
    record(
        "membership.removed",
        membership,
        company=company,
        user=by,
        via=via,
        before={"user": membership.user.get_username(), "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def password_set(user: User, password: str, *, by: User | None, via: str = "web") -> None:
    """A new password (already checked by the password validators)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    record_for_user("user.password_changed", user, user, by=by, via=via)


@transaction.atomic
def password_reset_link_create(company: Company, membership: Membership, *, by: User, via: str = "web") -> str:
    """A one-time token for the member to set a new password (Django's reset token: it stops
    working once the password changes or the person logs in, and after PASSWORD_RESET_TIMEOUT)."""
    from django.contrib.auth.tokens import default_token_generator

    member = membership.user
    if member == by:
        raise MembershipError(_("Change your own password on your security page."))
    try:
        admin_may_act_on(member, by)
    except ValueError as error:
        raise MembershipError(str(error)) from error
    record("user.password_reset_link_created", member, company=company, user=by, via=via,
           after={"username": member.get_username()})
    return default_token_generator.make_token(member)
