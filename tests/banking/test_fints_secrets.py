"""Secrets at rest: sealed in the database, refused when altered or moved."""

import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection as db

from kassenwart.banking import fints
from kassenwart.banking.models import BankConnection, PausedDialog
from kassenwart.core import secrets
from kassenwart.sandbox.scenarios import LOGIN

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


def runs(data: bytes, size: int = 8) -> set[bytes]:
    """Every run of `size` bytes in data."""
    return {data[i : i + size] for i in range(len(data) - size + 1)}


def test_pin_client_state_and_paused_dialog_are_sealed_in_the_database(connection, bank, settings, tmp_path):
    bank.settings.sca_interval = timedelta(0)
    fints.connection_sync(connection, interactive=True)  # pauses a dialog for its TAN
    paused = PausedDialog.objects.get()
    stored = {
        "pin": raw("banking_bankconnection", "pin_sealed", connection.pk),
        "client": raw("banking_bankconnection", "client_state", connection.pk),
        "dialog": raw("banking_pauseddialog", "sealed", paused.pk),
    }
    purpose = {what: f"connection:{connection.pk}:{what}" for what in stored}
    plain = {what: secrets.unseal(value, purpose[what]) for what, value in stored.items()}
    assert plain["pin"] == PIN
    assert plain["client"].startswith(b"python-fints_DATABLOB") and json.loads(plain["dialog"])
    assert "Anmeldung" in fints.pending_challenge(connection).text  # the product reads them back

    iban = bank.customers[LOGIN].accounts[0].iban.encode()
    for what, value in stored.items():
        # nothing of any plaintext shows in the column: no run of 8 bytes, no PIN, IBAN or name
        assert not runs(plain[what]) & runs(value), what
        for secret in (PIN, iban, b"python-fints", b"Anmeldung", b"HIUPD"):
            assert secret not in value, (what, secret)
        # bound to its row and column
        with pytest.raises(secrets.SecretRefused):
            secrets.unseal(value, f"connection:{connection.pk + 1}:{what}")
        with pytest.raises(secrets.SecretRefused):
            secrets.unseal(value, purpose["client" if what == "pin" else "pin"])

    settings.DATA_DIR = tmp_path  # another installation, another key
    for what, value in stored.items():
        with pytest.raises(secrets.SecretRefused):
            secrets.unseal(value, purpose[what])


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
