"""Secrets at rest: sealed in the database, refused when altered or moved."""

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection as db

from kassenwart.banking import fints
from kassenwart.banking.models import BankConnection, PausedDialog
from kassenwart.core import secrets

PIN = b"12345"


def raw(table: str, column: str, pk: int) -> bytes:
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return bytes(cursor.fetchone()[0])


def overwrite(table: str, column: str, pk: int, value: bytes) -> None:
    with db.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])


def flip(data: bytes, at: int = -5) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)


def test_seal_round_trip_and_refusals():
    sealed = secrets.seal(b"geheim", "connection:1:pin")
    assert b"geheim" not in sealed
    assert secrets.unseal(sealed, "connection:1:pin") == b"geheim"
    with pytest.raises(secrets.SecretRefused):
        secrets.unseal(flip(sealed), "connection:1:pin")
    with pytest.raises(secrets.SecretRefused):
        secrets.unseal(sealed, "connection:2:pin")  # copied into another row
    with pytest.raises(secrets.SecretRefused):
        secrets.unseal(b"12345", "connection:1:pin")


def test_the_key_file_is_private():
    secrets.seal(b"x", "test")
    key = Path(settings.DATA_DIR) / secrets.KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_pin_client_state_and_paused_dialog_are_sealed_in_the_database(connection, bank):
    bank.settings.sca_interval = timedelta(0)
    fints.connection_sync(connection, interactive=True)  # pauses a dialog for its TAN
    paused = PausedDialog.objects.get()
    columns = [
        raw("banking_bankconnection", "pin_sealed", connection.pk),
        raw("banking_bankconnection", "client_state", connection.pk),
        raw("banking_pauseddialog", "sealed", paused.pk),
    ]
    for value in columns:
        assert PIN not in value
        assert b"python-fints" not in value and b"Anmeldung" not in value
        assert b"HIUPD" not in value and b"DE" not in value[:2]
    assert fints.pending_challenge(connection).text  # and we can read them


def test_an_altered_client_state_is_refused_before_calling_the_bank(connection, bank):
    calls = []
    handle = bank.handle
    bank.handle = lambda message: calls.append(1) or handle(message)
    state = raw("banking_bankconnection", "client_state", connection.pk)
    overwrite("banking_bankconnection", "client_state", connection.pk, flip(state))
    connection.refresh_from_db()
    result = fints.connection_sync(connection)
    assert result.state == BankConnection.State.ERROR and "altered" in result.message
    assert calls == []


def test_an_altered_paused_dialog_is_refused(connection, bank, admin):
    bank.settings.sca_interval = timedelta(0)
    fints.connection_sync(connection, interactive=True)
    paused = PausedDialog.objects.get()
    overwrite("banking_pauseddialog", "sealed", paused.pk, flip(raw("banking_pauseddialog", "sealed", paused.pk), 20))
    with pytest.raises(fints.SecretUnusable):
        fints.tan_submit(connection, tan="123456", user=admin)
    connection.refresh_from_db()
    assert connection.state == BankConnection.State.ERROR
    assert not PausedDialog.objects.exists() and not fints.is_busy(connection)


def test_a_pin_moved_to_another_connection_is_refused(connection, company):
    first = connection
    second = fints.connection_create(company, name="Two", bank_code=first.bank_code,
                                              server_url=first.server_url, login="someone-else", pin="54321")
    overwrite("banking_bankconnection", "pin_sealed", second.pk, raw("banking_bankconnection", "pin_sealed", first.pk))
    second.refresh_from_db()
    result = fints.connection_sync(second)
    assert result.state == BankConnection.State.ERROR and "pin" in result.message
