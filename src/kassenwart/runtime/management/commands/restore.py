"""`kassenwart restore FILE`: a backup put back into an empty data directory and database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kassenwart.runtime.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restore a file of `kassenwart backup` into an empty installation. The data directory "
            "(KASSENWART_DATA_DIR) and the database must be empty; then run `kassenwart init`, which upgrades a "
            "backup of an older version.")
    requires_init = False  # it fills an empty installation

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="a file written by `kassenwart backup`")

    def handle(self, *args, file, **options):
        try:
            summary = restore(Path(file))
        except BackupError as error:
            raise CommandError(str(error)) from error
        values = {"database": summary.database, "created": summary.created, "uploads": summary.uploads}
        if summary.key_file:
            self.stdout.write(_("Restored the %(database)s database of %(created)s, the key file and %(uploads)d "
                                "uploaded files.") % values)
        else:
            self.stdout.write(_("Restored the %(database)s database of %(created)s and %(uploads)d uploaded files; "
                                "the backup has no key file (no PIN had been stored).") % values)
        self.stdout.write(_("Next: kassenwart init (it upgrades the database if the backup is from an older "
                            "version)."))
