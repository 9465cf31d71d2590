from kassenwart.companies.models import Company, Membership


def companies_of(user) -> list[Company]:
    return list(Company.objects.filter(memberships__user=user).order_by("name"))


def membership_of(user, company_id) -> Membership | None:
    if not user.is_authenticated or company_id is None:
        return None
    return (
        Membership.objects.select_related("company")
        .filter(user=user, company_id=company_id)
        .first()
    )
