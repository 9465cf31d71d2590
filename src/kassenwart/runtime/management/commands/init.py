"""`kassenwart init`: create or upgrade the database, add a company and its first admin.

Safe to run again: what exists is kept and said so. An existing user's password is never
changed here (that is `kassenwart changepassword USER` or the web app's), and the output says
when a given one was left alone. No password is ever printed: without --password, init asks
for one on the terminal, and with no terminal the admin gets none until
`kassenwart changepassword USER` sets it.
"""

import sys
from getpass import getpass

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
        parser.add_argument("--password", help="the new admin's password (asked for on the terminal when omitted)")

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
            password = password or self._ask_password()
            user = user_create(username, password, via="cli")
            membership_set(company, user, Role.ADMIN, by=None, via="cli")
            if password:
                self.stdout.write(_("Created admin %(user)r of %(company)r with the password given.") % names)
            else:
                self.stdout.write(_("Created admin %(user)r of %(company)r without a password; set one with: "
                                    "kassenwart changepassword %(user)s") % names)
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

    def _ask_password(self) -> str | None:
        """The password typed twice on the terminal; None without a terminal (or when left empty)."""
        if not sys.stdin.isatty():
            return None
        while True:
            first = getpass(_("Password for the new admin (empty: set it later): "))
            if not first:
                return None
            if getpass(_("The same password again: ")) == first:
                return first
            self.stderr.write(_("The two passwords differ; once more."))
