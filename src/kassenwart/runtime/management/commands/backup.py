"""`kassenwart backup FILE`: the database, the key file and the uploads in one file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from kassenwart.runtime.backup import BackupError, backup
from kassenwart.runtime.cli import installed_version


class Command(BaseCommand):
    help = ("Back the database, the key file and the uploads up into one new file. A consistent snapshot; the "
            "key file is in it because without it the sealed PINs are lost; `kassenwart restore` reads it back.")

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="the backup file to write (it must not exist yet), "
                                                         "e.g. kassenwart-2026-12-05.tar.gz")

    def handle(self, *args, file, **options):
        try:
            summary = backup(Path(file), version=installed_version())
        except BackupError as error:
            raise CommandError(str(error)) from error
        values = {"database": summary.database, "uploads": summary.uploads, "path": summary.path,
                  "size": filesizeformat(summary.size)}
        if summary.key_file:
            self.stdout.write(_("Backed up the %(database)s database, the key file and %(uploads)d uploaded files "
                                "into %(path)s (%(size)s). Keep it as safe as the key: it opens the sealed PINs.")
                              % values)
        else:
            self.stdout.write(_("Backed up the %(database)s database and %(uploads)d uploaded files into %(path)s "
                                "(%(size)s); there is no key file yet (no PIN has been stored).") % values)
