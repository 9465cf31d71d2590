"""`kassenwart backup` and `kassenwart restore`, run as an operator would: an installation with
data, a sealed PIN and an upload is backed up, restored into an empty data directory (and, on
PostgreSQL, an empty database), and the two are compared table by table and file by file.

On the PostgreSQL run of the suite (DATABASE_URL set) the installations use two new databases
on that server; otherwise SQLite files in their data directories.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from decimal import Decimal
from pathlib import Path

import pytest

from tests.camt_files import camt, entry

TIMEOUT = 180
CANARY = b"PIN-CANARY-4711"
INVOICES = (
    "invoice_number,customer_number,customer_name,amount,due_date\n"
    "RE-2026-0001,K-1,Kunde Eins GmbH,1190.00,2026-10-15\n"
    "RE-2026-0002,K-2,Kunde Zwei AG,250.00,2026-10-20\n"
)


@contextmanager
def new_postgres_databases(count: int) -> Iterator[list[str]]:
    """`count` empty databases on the suite's PostgreSQL server, dropped afterwards."""
    import psycopg

    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    names = [f"kw_backup_{uuid.uuid4().hex[:12]}" for _ in range(count)]
    with closing(psycopg.connect(f"{server}/postgres", autocommit=True)) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield [f"{server}/{name}" for name in names]
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def installations(tmp_path: Path) -> Iterator[tuple[dict, dict]]:
    """The environments of two installations: the one backed up and the empty one restored into."""
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KASSENWART_LANGUAGE")}
    first = {**base, "KASSENWART_DATA_DIR": str(tmp_path / "original")}
    second = {**base, "KASSENWART_DATA_DIR": str(tmp_path / "restored")}
    if not os.environ.get("DATABASE_URL"):
        yield first, second
        return
    with new_postgres_databases(2) as (one, two):
        yield {**first, "DATABASE_URL": one}, {**second, "DATABASE_URL": two}


def kassenwart(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kassenwart", *args], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=TIMEOUT)


def python(env: dict, code: str) -> subprocess.CompletedProcess:
    """Python with the installation's Django set up, as the product's own processes run."""
    setup = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'kassenwart.settings'; django.setup()\n"
    return subprocess.run([sys.executable, "-c", setup + code], env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)


def table_rows(env: dict) -> dict[str, list[tuple]]:
    """Every row of every table of the installation's database, in a stable order."""
    if "DATABASE_URL" in env:
        import psycopg

        with closing(psycopg.connect(env["DATABASE_URL"])) as database:
            tables = [name for (name,) in database.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")]
            return {table: sorted(map(repr, database.execute(f'SELECT * FROM "{table}"'))) for table in tables}
    path = Path(env["KASSENWART_DATA_DIR"]) / "kassenwart.sqlite3"
    with closing(sqlite3.connect(path)) as database:
        tables = [name for (name,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: sorted(map(repr, database.execute(f'SELECT * FROM "{table}"'))) for table in tables}


def set_up_with_data(env: dict, tmp_path: Path) -> Path:
    """An installation with a company, invoices, a statement, matches, a sealed PIN and an
    upload; returns the file holding the sealed PIN (outside the data directory)."""
    (tmp_path / "invoices.csv").write_text(INVOICES)
    (tmp_path / "statement.xml").write_bytes(camt([entry(Decimal("1190.00"), text="RE-2026-0001"),
                                                   entry(Decimal("-89.90"), text="Abschlag Strom")]).getvalue())
    for step in (["init", "--company", "Nordlicht Software GmbH", "--admin", "anna", "--password", "p"],
                 ["import-invoices", str(tmp_path / "invoices.csv")],
                 ["import-statement", str(tmp_path / "statement.xml")],
                 ["reconcile"]):
        done = kassenwart(env, *step)
        assert done.returncode == 0, f"kassenwart {step[0]}: {done.stderr}"
    sealed = tmp_path / "sealed-pin"
    done = python(env, "from kassenwart.core.secrets import seal\n"
                       f"open({str(sealed)!r}, 'wb').write(seal({CANARY!r}, 'connection:1:pin'))")
    assert done.returncode == 0, done.stderr
    upload = Path(env["KASSENWART_DATA_DIR"]) / "uploads" / "2026" / "beleg.pdf"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"%PDF-1.7 a receipt")
    return sealed


def test_a_backup_restored_into_an_empty_installation_is_the_same_installation(tmp_path):
    with installations(tmp_path) as (original, restored):
        sealed = set_up_with_data(original, tmp_path)
        backup = tmp_path / "kassenwart.tar.gz"

        done = kassenwart(original, "backup", str(backup))
        assert done.returncode == 0, done.stderr
        assert "the key file and 1 uploaded files" in done.stdout
        assert backup.stat().st_mode & 0o077 == 0  # it holds the key: the owner's alone

        done = kassenwart(restored, "restore", str(backup))
        assert done.returncode == 0, done.stderr
        assert "kassenwart init" in done.stdout

        rows = table_rows(original)
        assert len(rows["receivables_invoice"]) == 2 and rows["banking_transaction"]
        assert table_rows(restored) == rows
        source, target = Path(original["KASSENWART_DATA_DIR"]), Path(restored["KASSENWART_DATA_DIR"])
        assert (target / "secrets.key").read_bytes() == (source / "secrets.key").read_bytes()
        assert (target / "uploads" / "2026" / "beleg.pdf").read_bytes() == b"%PDF-1.7 a receipt"
        opened = python(restored, "from kassenwart.core.secrets import unseal\n"
                                  f"print(unseal(open({str(sealed)!r}, 'rb').read(), 'connection:1:pin').decode())")
        assert opened.stdout.strip() == CANARY.decode(), opened.stderr

        # the restored installation works: init finds it up to date, reconcile runs on it
        assert kassenwart(restored, "init").returncode == 0
        assert kassenwart(restored, "reconcile").returncode == 0


def test_restore_refuses_an_installation_with_data_and_a_damaged_backup_puts_nothing_in_place(tmp_path):
    with installations(tmp_path) as (original, restored):
        set_up_with_data(original, tmp_path)
        backup = tmp_path / "kassenwart.tar.gz"
        assert kassenwart(original, "backup", str(backup)).returncode == 0

        into_itself = kassenwart(original, "restore", str(backup))
        assert into_itself.returncode == 1 and not into_itself.stdout
        assert "restore into an empty data directory" in into_itself.stderr

        damaged = tmp_path / "damaged.tar.gz"
        data = bytearray(backup.read_bytes())
        data[len(data) // 2] ^= 0xFF
        damaged.write_bytes(bytes(data))
        refused = kassenwart(restored, "restore", str(damaged))
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert "damaged" in refused.stderr, refused.stderr
        target = Path(restored["KASSENWART_DATA_DIR"])

        def nothing_in_place():
            assert not (target / "secrets.key").exists() and not any((target / "uploads").rglob("*.pdf"))
            assert not (target / "kassenwart.sqlite3").exists()
            if "DATABASE_URL" in restored:
                assert table_rows(restored) == {}

        nothing_in_place()
        # Intact as a file (every checksum right) but its database cannot be restored: the key
        # file and uploads, put in place first, are taken away again, and the restore can be
        # repeated with a good backup.
        spoiled = repacked(backup, tmp_path / "spoiled.tar.gz", spoil=lambda name: name.startswith("database."))
        failed = kassenwart(restored, "restore", str(spoiled))
        assert failed.returncode == 1 and "Traceback" not in failed.stderr, failed.stderr
        nothing_in_place()
        assert kassenwart(restored, "restore", str(backup)).returncode == 0


def repacked(backup: Path, target: Path, spoil) -> Path:
    """A copy of the backup whose members for which spoil(name) is true have a page of garbage
    in their middle, with the manifest's checksums made to match: damaged at its source."""
    import hashlib
    import io
    import json
    import tarfile

    with tarfile.open(backup, "r:gz") as archive:
        members = {info.name: archive.extractfile(info).read() for info in archive if info.isfile()}
    manifest = json.loads(members.pop("manifest.json"))
    for name, data in members.items():
        if spoil(name):
            middle = len(data) // 2
            members[name] = data[:middle] + b"\xab" * 4096 + data[middle + 4096:]
            manifest["members"][name] = hashlib.sha256(members[name]).hexdigest()
    with tarfile.open(target, "w:gz") as archive:
        for name, data in [("manifest.json", json.dumps(manifest).encode()), *members.items()]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return target


def test_a_backup_never_overwrites_a_file(tmp_path):
    with installations(tmp_path) as (original, _restored):
        assert kassenwart(original, "init", "--company", "Nordlicht Software GmbH").returncode == 0
        existing = tmp_path / "keep.tar.gz"
        existing.write_bytes(b"an older backup")
        refused = kassenwart(original, "backup", str(existing))
        assert refused.returncode == 1 and "exists already" in refused.stderr
        assert existing.read_bytes() == b"an older backup"
        assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".partial")] == []


@pytest.mark.parametrize("language, words", [("de", "Sicherung"), ("en", "Backed up")])
def test_backup_speaks_the_command_lines_language(tmp_path, language, words):
    with installations(tmp_path) as (original, _restored):
        assert kassenwart(original, "init", "--company", "Nordlicht Software GmbH").returncode == 0
        done = kassenwart({**original, "KASSENWART_LANGUAGE": language}, "backup", str(tmp_path / "b.tar.gz"))
        assert done.returncode == 0, done.stderr
        assert words in done.stdout
