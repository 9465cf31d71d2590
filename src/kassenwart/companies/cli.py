"""Small helpers shared by the management commands."""

import argparse
from datetime import date

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kassenwart.companies.models import Company


def add_company_argument(parser) -> None:
    parser.add_argument(
        "--company",
        help="company name or id (needed only when there is more than one company)",
    )


def iso_day(value: str) -> date:
    """An argument type: a day written as YYYY-MM-DD (argparse says what is wrong)."""
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-07") from error


def company_from(value: str | None) -> Company:
    companies = Company.objects.all()
    if value:
        found = companies.filter(pk=int(value)) if value.isdigit() else companies.filter(name=value)
        company = found.first()
        if company is None:
            raise CommandError(
                _("There is no company %(company)r. Create it with: kassenwart init --company NAME") % {"company": value}
            )
        return company
    count = companies.count()
    if count == 0:
        raise CommandError(_("There is no company yet. Create one with: kassenwart init --company NAME --admin USER"))
    if count > 1:
        names = ", ".join(repr(c.name) for c in companies[:10])
        raise CommandError(_("There are several companies (%(names)s); choose one with --company.") % {"names": names})
    return companies.get()
