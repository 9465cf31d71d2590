from kassenwart.companies.models import Membership


def memberships_of(user) -> list[Membership]:
    """The user's memberships with their companies, by company name: one query."""
    return list(Membership.objects.filter(user=user).select_related("company").order_by("company__name"))


def membership_of(user, company_id) -> Membership | None:
    if not user.is_authenticated or company_id is None:
        return None
    return (
        Membership.objects.select_related("company")
        .filter(user=user, company_id=company_id)
        .first()
    )
