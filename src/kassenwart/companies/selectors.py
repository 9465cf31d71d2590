from kassenwart.companies.models import Membership, Role, SupportGrant
from kassenwart.companies.permissions import allows


def memberships_of(user) -> list[Membership]:
    """The user's memberships with their companies, by company name: one query."""
    return list(Membership.objects.filter(user=user).select_related("company").order_by("company__name"))


def support_grants_running_for(user) -> list[SupportGrant]:
    """The grants in force that let the user into companies they are no member of: one query."""
    return list(SupportGrant.objects.running().filter(user=user).select_related("company").order_by("company__name"))


def support_grants_running_in(company) -> list[SupportGrant]:
    return list(SupportGrant.objects.running().filter(company=company).select_related("user").order_by("ends_at"))


def support_grants_of(company, limit: int = 50) -> list[SupportGrant]:
    """The company's grants, newest first: running, revoked and ended."""
    return list(SupportGrant.objects.filter(company=company).select_related("user", "granted_by", "revoked_by")[:limit])


def member_may(company, user, permission: str) -> bool:
    """Whether the person's own membership allows `permission`: support access never counts
    here, for what only a member may do (who belongs to the company, who has support access,
    the company's login rule)."""
    role = Membership.objects.filter(company=company, user=user).values_list("role", flat=True).first()
    return allows(role, permission)


def role_in(company, user) -> str | None:
    """The role services check the permission table with: the membership's, else the admin's
    under a running full-access support grant (read-only support may change nothing), else None."""
    role = Membership.objects.filter(company=company, user=user).values_list("role", flat=True).first()
    if role is None and SupportGrant.objects.running().filter(company=company, user=user, full_access=True).exists():
        return Role.ADMIN
    return role
