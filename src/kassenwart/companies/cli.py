"""Small helpers shared by the management commands."""

from django.core.management.base import CommandError

from kassenwart.companies.models import Company


def add_company_argument(parser) -> None:
    parser.add_argument(
        "--company",
        help="company name or id (needed only when there is more than one company)",
    )


def company_from(value: str | None) -> Company:
    companies = Company.objects.all()
    if value:
        found = companies.filter(pk=int(value)) if value.isdigit() else companies.filter(name=value)
        company = found.first()
        if company is None:
            raise CommandError(f"No company {value!r}. Create it with: kassenwart init --company NAME")
        return company
    count = companies.count()
    if count == 0:
        raise CommandError("No company yet. Create one with: kassenwart init --company NAME")
    if count > 1:
        names = ", ".join(repr(c.name) for c in companies[:10])
        raise CommandError(f"There are several companies ({names}); choose one with --company.")
    return companies.get()
