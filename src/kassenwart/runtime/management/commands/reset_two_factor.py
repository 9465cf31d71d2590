"""`kassenwart reset-two-factor USER`: the way back in for a person (often the only admin) who
lost the phone with the authenticator app and the recovery codes. Whoever may run commands
on the installation holds its data anyway; the reset is audited in the person's companies."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kassenwart.companies.two_factor import two_factor_reset
from kassenwart.core.models import User


class Command(BaseCommand):
    help = ("Remove a person's authenticator app and recovery codes. For a lost phone: a new app is set up at "
            "the next login.")

    def add_arguments(self, parser):
        parser.add_argument("username", help="the person's user name")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no user %(user)s.") % {"user": username})
        if two_factor_reset(user, via="cli"):
            self.stdout.write(_("Removed the authenticator app and recovery codes of %(user)s; a new app is set up at "
                                "the next login.") % {"user": username})
        else:
            self.stdout.write(_("%(user)s has no authenticator app; nothing to remove.") % {"user": username})
