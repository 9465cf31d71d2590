"""`kassenwart init`: create or upgrade the database, add a company and its first admin.

Safe to run again: what exists is kept and said so. An existing user's password is never
changed here (that is `kassenwart changepassword USER` or the web app's), and the output says
when a given one was left alone.
"""

import secrets

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kassenwart.companies.cli import company_from
from kassenwart.companies.models import Company, Membership, Role
from kassenwart.companies.services import company_create, membership_set, user_create
from kassenwart.core.models import User


class Command(BaseCommand):
    help = "Set up or upgrade the database; add a company and its admin."
    requires_init = False  # it is the set-up

    def add_arguments(self, parser):
        parser.add_argument("--company", help="name of the company to create if it does not exist")
        parser.add_argument("--admin", help="user name of an admin to create for the company")
        parser.add_argument("--password", help="the new admin's password (generated when omitted)")

    def handle(self, *args, company=None, admin=None, password=None, **options):
        if password and not admin:
            raise CommandError(_("--password is the password of --admin USER; give both."))
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(_("Database ready."))
        if not company:
            if admin:  # a company that exists already, when there is just one
                self._admin(company_from(None), admin, password)
            elif not Company.objects.exists():
                self.stdout.write(_("Next, add a company: kassenwart init --company NAME --admin USER"))
            return
        existing = Company.objects.filter(name=company).first()
        if existing:
            self.stdout.write(_("Company %(name)r exists already (id %(id)s).") % {"name": company, "id": existing.pk})
        else:
            existing = company_create(company, via="cli")
            self.stdout.write(_("Created company %(name)r (id %(id)s).") % {"name": company, "id": existing.pk})
        if admin:
            self._admin(existing, admin, password)

    def _admin(self, company: Company, username: str, password: str | None) -> None:
        names = {"user": username, "company": company.name}
        user = User.objects.filter(username=username).first()
        if user is None:
            generated = "" if password else secrets.token_urlsafe(12)
            user = user_create(username, password or generated, via="cli")
            membership_set(company, user, Role.ADMIN, by=None, via="cli")
            if password:
                self.stdout.write(_("Created admin %(user)r of %(company)r with the password given.") % names)
            else:
                self.stdout.write(_("Created admin %(user)r of %(company)r with the password %(password)s")
                                  % {**names, "password": generated})
            return
        if password:
            self.stdout.write(
                _("User %(user)r exists already; the password was left alone (change it with: "
                  "kassenwart changepassword %(user)s).") % names
            )
        role = Membership.objects.filter(company=company, user=user).values_list("role", flat=True).first()
        if role == Role.ADMIN:
            self.stdout.write(_("User %(user)r is an admin of %(company)r already.") % names)
        else:
            membership_set(company, user, Role.ADMIN, by=None, via="cli")
            self.stdout.write(_("User %(user)r exists already and is an admin of %(company)r now.") % names)
