"""core.bulk.checkpoint_left_to_others: a large write's commit on SQLite without the WAL
checkpoint, the connection's setting back as it was afterwards."""

import pytest
from django.db import connection

from kassenwart.core.bulk import checkpoint_left_to_others

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="a setting of SQLite's connections")


def autocheckpoint() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        return cursor.fetchone()[0]


def test_inside_the_block_no_commit_checkpoints_and_afterwards_they_do_again(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint = 700")
    with checkpoint_left_to_others():
        assert autocheckpoint() == 0
    assert autocheckpoint() == 700


def test_the_setting_comes_back_when_the_write_fails(db):
    before = autocheckpoint()
    with pytest.raises(RuntimeError), checkpoint_left_to_others():
        raise RuntimeError("the import failed")
    assert autocheckpoint() == before > 0
