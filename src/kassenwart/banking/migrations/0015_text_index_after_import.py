from django.db import migrations

from kassenwart.banking.text_search import PG_INDEX, TABLE, joined

# The text search's index is caught up after an import's commit instead of row by row
# during it (banking/text_search.py): a 75,000-entry camt import into SQLite took 3.87 s of
# CPU without the trigger, 10.48 s with it; filling the index afterwards in one INSERT ...
# SELECT took 1.35 s. SQLite: the trigger goes; the rows after the index's highest id are
# searched directly until text_search.index_new has added them. PostgreSQL: an import puts
# its rows on the GIN index's pending list (searched too) instead of into the index
# (75,000 rows take about 200 MB of pending list; the default 4 MB makes every few hundred
# rows merge it during the import); index_new merges the list afterwards.
PENDING_LIST_KB = 262_144


def _defer(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_insert")
    elif vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {PG_INDEX} SET (fastupdate = on, gin_pending_list_limit = {PENDING_LIST_KB})")


def _per_row(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"INSERT INTO {TABLE} (rowid, text) SELECT id, {joined('')} FROM banking_transaction WHERE id > "
            f"coalesce((SELECT rowid FROM {TABLE} ORDER BY rowid DESC LIMIT 1), 0) ORDER BY id"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON banking_transaction BEGIN "
            f"INSERT INTO {TABLE} (rowid, text) VALUES (new.id, {joined('new.')}); END"
        )
    elif vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {PG_INDEX} RESET (fastupdate, gin_pending_list_limit)")


class Migration(migrations.Migration):

    dependencies = [
        ('banking', '0014_connection_locked_by'),
    ]

    operations = [
        migrations.RunPython(_defer, _per_row),
    ]
