import secrets

from django.core.management import call_command
from django.core.management.base import BaseCommand

from kassenwart.companies.models import Company, Role
from kassenwart.companies.services import company_create, membership_set, user_create
from kassenwart.core.models import User


class Command(BaseCommand):
    help = "Create or upgrade the database and add a company (and optionally its first admin)."

    def add_arguments(self, parser):
        parser.add_argument("--company", help="name of the company to create if it does not exist")
        parser.add_argument("--admin", help="user name of an admin to create for the company")
        parser.add_argument("--password", help="the admin's password (generated when omitted)")

    def handle(self, *args, company=None, admin=None, password=None, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        if not company:
            return
        existing = Company.objects.filter(name=company).first()
        if existing:
            self.stdout.write(f"Company {company!r} exists already (id {existing.pk}).")
        else:
            existing = company_create(company, via="cli")
            self.stdout.write(f"Created company {company!r} (id {existing.pk}).")
        if admin:
            user = User.objects.filter(username=admin).first()
            if user is None:
                password = password or secrets.token_urlsafe(12)
                user = user_create(admin, password, via="cli")
                self.stdout.write(f"Created admin {admin!r} with password {password}")
            membership_set(existing, user, Role.ADMIN, by=None, via="cli")
