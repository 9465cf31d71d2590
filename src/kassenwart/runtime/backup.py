"""Backups: one file holding a consistent snapshot of the database, the key that opens the
sealed PINs, and the uploads; restored into an empty data directory.

The file is a gzip-compressed tar archive:

* ``manifest.json``: what it is (format, version), when and by which Kassenwart it was made,
  the database kind, the newest migration of each app, and the SHA-256 of every other member;
* ``database.sqlite3`` (SQLite's online backup: a consistent copy while others write) or
  ``database.pgdump`` (pg_dump's custom format, one snapshot transaction);
* ``secrets.key`` (without it the sealed PINs and FinTS states cannot be opened), and
  ``secret_key`` when the Django key is kept in the data directory (KASSENWART_SECRET_KEY unset);
* ``uploads/…``, the data directory's uploaded files.

A backup is written next to its target under a temporary name and renamed when complete, so
a failed backup never leaves a half-written file under the name asked for. A restore checks
every member's checksum before anything is put in place, and refuses a data directory or
database that already holds data.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from kassenwart.core.secrets import KEY_FILE

FORMAT = "kassenwart-backup"
VERSION = 1
MANIFEST = "manifest.json"
DJANGO_KEY_FILE = "secret_key"
UPLOADS = "uploads"
DUMP = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for a person."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    database: str
    key_file: bool  # False while nothing has been sealed yet
    uploads: int
    size: int  # bytes of the backup file


@dataclass(frozen=True)
class RestoreSummary:
    database: str
    created: str  # when the backup was made (ISO, UTC)
    key_file: bool
    uploads: int


# -- backup ---------------------------------------------------------------------------------
def backup(target: Path, *, version: str) -> BackupSummary:
    """Write the backup file `target` (which must not exist yet)."""
    target = target.expanduser().resolve()
    if target.exists():
        raise BackupError(_("%(file)s exists already; choose a new file name (a backup never overwrites).")
                          % {"file": target})
    if not target.parent.is_dir():
        raise BackupError(_("%(folder)s is not a directory.") % {"folder": target.parent})
    kind = database_kind()
    data_dir = Path(settings.DATA_DIR)
    with tempfile.TemporaryDirectory(prefix="kassenwart-backup-") as scratch:
        dump = Path(scratch) / DUMP[kind]
        _snapshot_sqlite(dump) if kind == "sqlite" else _snapshot_postgresql(dump)
        members = {DUMP[kind]: dump}
        for name in (KEY_FILE, DJANGO_KEY_FILE):
            if (data_dir / name).is_file():
                members[name] = data_dir / name
        uploads = data_dir / UPLOADS
        if uploads.is_dir():
            for path in sorted(p for p in uploads.rglob("*") if p.is_file()):
                members[path.relative_to(data_dir).as_posix()] = path
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "kassenwart": version,
            "database": kind,
            "migrations": _newest_migrations(),
            "members": {name: _sha256(path) for name, path in members.items()},
        }
        _write_archive(target, manifest, members)
    uploaded = sum(1 for name in members if name.startswith(f"{UPLOADS}/"))
    return BackupSummary(target, kind, KEY_FILE in members, uploaded, target.stat().st_size)


def database_kind() -> str:
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor not in DUMP:
        raise BackupError(_("backups of a %(vendor)s database are not supported (SQLite and PostgreSQL are).")
                          % {"vendor": vendor})
    return vendor


def _snapshot_sqlite(dump: Path) -> None:
    """SQLite's online backup: a consistent copy even while the web app and worker write."""
    source = sqlite3.connect(f"file:{_sqlite_path()}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(dump)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()


def _snapshot_postgresql(dump: Path) -> None:
    _run_pg_tool(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"], "pg_dump")


def _newest_migrations() -> dict[str, str]:
    newest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations():
        newest[app] = max(newest.get(app, name), name)
    return dict(sorted(newest.items()))


def _write_archive(target: Path, manifest: dict, members: dict[str, Path]) -> None:
    """Write under a temporary name beside `target`, readable by the owner only (the archive
    holds the key), and rename it into place when it is complete and on disk."""
    handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as archive:
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
                for name, path in members.items():
                    archive.add(path, arcname=name, recursive=False)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


# -- restore --------------------------------------------------------------------------------
def restore(source: Path) -> RestoreSummary:
    """Restore the backup file `source` into this installation's empty data directory and
    database."""
    source = source.expanduser()
    if not source.is_file():
        raise BackupError(_("%(file)s: no such file.") % {"file": source})
    kind = database_kind()
    data_dir = Path(settings.DATA_DIR)
    with tempfile.TemporaryDirectory(prefix="kassenwart-restore-") as scratch:
        staged = Path(scratch)
        manifest = _unpack(source, staged)
        if manifest["database"] != kind:
            where = (_("without DATABASE_URL (SQLite)") if manifest["database"] == "sqlite"
                     else _("with DATABASE_URL pointing to an empty PostgreSQL database"))
            raise BackupError(_("%(file)s holds a %(found)s database and this installation uses %(kind)s; "
                                "restore it %(where)s.")
                              % {"file": source, "found": manifest["database"], "kind": kind, "where": where})
        _refuse_unless_empty(kind, data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        files = [name for name in manifest["members"] if name != DUMP[kind]]
        # The files first, the database last: a restore that stops half way leaves no database
        # without its key file, and what it placed is taken away again, so it can be repeated.
        placed: list[Path] = []
        try:
            for name in files:
                placed.append(_place(staged / name, data_dir / name, secret=name in (KEY_FILE, DJANGO_KEY_FILE)))
            if kind == "sqlite":
                _restore_sqlite(staged / DUMP[kind])
            else:
                _run_pg_tool(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                              "--single-transaction", f"--dbname={settings.DATABASES[DEFAULT_DB_ALIAS]['NAME']}",
                              str(staged / DUMP[kind])], "pg_restore")
        except BaseException:
            for path in placed:
                path.unlink(missing_ok=True)
            raise
    uploaded = sum(1 for name in files if name.startswith(f"{UPLOADS}/"))
    return RestoreSummary(kind, manifest["created"], KEY_FILE in files, uploaded)


def _unpack(source: Path, staged: Path) -> dict:
    """Read the archive into `staged`, checking that it is a Kassenwart backup, that it holds
    no name outside its own members, and that every member has its recorded checksum."""
    try:
        with tarfile.open(source, mode="r:gz") as archive:
            manifest = _manifest(archive, source)
            expected = manifest["members"]
            seen = set()
            for info in archive:
                if info.name == MANIFEST:
                    continue
                if info.name not in expected or not info.isfile() or not _safe(info.name):
                    raise BackupError(_("%(file)s: unexpected member %(member)r; the file is not a Kassenwart "
                                        "backup or was changed.") % {"file": source, "member": info.name})
                destination = staged / info.name
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.extractfile(info) as data, destination.open("wb") as out:
                    shutil.copyfileobj(data, out)
                if _sha256(destination) != expected[info.name]:
                    raise BackupError(_("%(file)s: %(member)s does not match its checksum; the backup is damaged.")
                                      % {"file": source, "member": info.name})
                seen.add(info.name)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise BackupError(_("%(file)s is not a Kassenwart backup or is damaged (%(error)s).")
                          % {"file": source, "error": error}) from error
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(_("%(file)s: %(members)s missing; the backup is incomplete.")
                          % {"file": source, "members": ", ".join(missing)})
    return manifest


def _manifest(archive: tarfile.TarFile, source: Path) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.loads(archive.extractfile(member).read())
    except (KeyError, AttributeError, ValueError) as error:
        raise BackupError(_("%(file)s is not a Kassenwart backup (it has no readable %(manifest)s).")
                          % {"file": source, "manifest": MANIFEST}) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("%(file)s is not a Kassenwart backup.") % {"file": source})
    if manifest.get("version") != VERSION:
        raise BackupError(_("%(file)s is a backup of format version %(found)s, which this Kassenwart cannot read "
                            "(it reads version %(version)s).")
                          % {"file": source, "found": manifest.get("version"), "version": VERSION})
    if manifest.get("database") not in DUMP or DUMP[manifest["database"]] not in manifest.get("members", {}):
        raise BackupError(_("%(file)s: the manifest names no database snapshot; the backup is incomplete.")
                          % {"file": source})
    return manifest


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        return False
    return name in (*DUMP.values(), KEY_FILE, DJANGO_KEY_FILE) or (path.parts[0] == UPLOADS and len(path.parts) > 1)


def _refuse_unless_empty(kind: str, data_dir: Path) -> None:
    """A restore goes into an empty installation only: nothing is overwritten or mixed."""
    if (data_dir / KEY_FILE).exists():
        raise BackupError(_("%(folder)s holds a key file already (%(key)s); restore into an empty data directory "
                            "(KASSENWART_DATA_DIR).") % {"folder": data_dir, "key": KEY_FILE})
    uploads = data_dir / UPLOADS
    if uploads.is_dir() and any(path.is_file() for path in uploads.rglob("*")):  # empty folders hold nothing
        raise BackupError(_("%(folder)s is not empty; restore into an empty data directory.") % {"folder": uploads})
    if kind == "sqlite":
        path = _sqlite_path()
        if path.exists() and path.stat().st_size > 0:
            raise BackupError(_("the database %(database)s exists already; restore into an empty data directory.")
                              % {"database": path})
        return
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")
        tables = cursor.fetchone()[0]
    connections[DEFAULT_DB_ALIAS].close()  # pg_restore works alone, in its own transaction
    if tables:
        raise BackupError(_("the database %(database)s holds %(tables)d tables already; restore into an empty "
                            "database (create one and point DATABASE_URL to it).")
                          % {"database": _pg_name(), "tables": tables})


def _place(staged: Path, destination: Path, *, secret: bool) -> Path:
    """Copy a file into the data directory under a temporary name and rename it, so the name
    never holds half a file."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".restoring")
    shutil.copyfile(staged, partial)
    if secret:
        partial.chmod(0o600)
    os.replace(partial, destination)
    return destination


def _restore_sqlite(dump: Path) -> None:
    path = _sqlite_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(path.name + ".restoring")
    shutil.copyfile(dump, staged)
    with closing(sqlite3.connect(staged)) as check:
        healthy = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    if not healthy:
        staged.unlink()
        raise BackupError(_("the database in the backup fails SQLite's integrity check."))
    os.replace(staged, path)


# -- shared ---------------------------------------------------------------------------------
def _sqlite_path() -> Path:
    return Path(settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"])


def _pg_name() -> str:
    return repr(settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"])


def _run_pg_tool(command: list[str], tool: str) -> None:
    """Run pg_dump or pg_restore against the configured database, which they are told in
    libpq's environment variables: the password never shows on a command line that other
    users of the machine can read."""
    if shutil.which(tool) is None:
        raise BackupError(_("%(tool)s is not installed; it comes with PostgreSQL's client tools "
                            "(Debian: postgresql-client).") % {"tool": tool})
    database = settings.DATABASES[DEFAULT_DB_ALIAS]
    given = {"PGHOST": database.get("HOST"), "PGPORT": database.get("PORT"), "PGUSER": database.get("USER"),
             "PGPASSWORD": database.get("PASSWORD"), "PGDATABASE": database.get("NAME"),
             "PGSSLMODE": (database.get("OPTIONS") or {}).get("sslmode")}
    env = {**os.environ, **{name: str(value) for name, value in given.items() if value}}
    outcome = subprocess.run(command, env=env, capture_output=True, text=True)
    if outcome.returncode != 0:
        lines = [line for line in outcome.stderr.splitlines() if line.strip()]
        raise BackupError(_("%(tool)s failed: %(error)s")
                          % {"tool": tool, "error": lines[-1] if lines else outcome.returncode})


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
