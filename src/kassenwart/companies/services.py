"""Creating companies and managing who belongs to them."""

from __future__ import annotations

from django.db import transaction

from kassenwart.companies.models import Company, Membership, Role
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
