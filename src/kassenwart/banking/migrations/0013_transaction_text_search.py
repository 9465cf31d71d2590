from django.db import migrations

from kassenwart.banking.text_search import TABLE, joined

# The list's text search from a trigram index instead of reading every row (banking/text_search.py):
# 780 ms (SQLite) and 1.9 s (PostgreSQL) at 1,000,000 transactions before, LIKE on every row.
# SQLite keeps the index in an FTS5 table filled by a trigger; a later migration that makes
# SQLite rebuild banking_transaction drops the trigger and must put it back (as with
# append_only). PostgreSQL needs the pg_trgm extension (trusted: the database's owner may
# create it).
TRIGGER = f"{TABLE}_insert"
PG_INDEX = "transaction_text_trigrams"


def _create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5(text, content='', tokenize='trigram')")
        schema_editor.execute(f"INSERT INTO {TABLE} (rowid, text) SELECT id, {joined('')} FROM banking_transaction")
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON banking_transaction BEGIN "
            f"INSERT INTO {TABLE} (rowid, text) VALUES (new.id, {joined('new.')}); END"
        )
    elif vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        expression = joined("").replace("char(10)", "E'\\n'")
        schema_editor.execute(f"CREATE INDEX {PG_INDEX} ON banking_transaction USING gin (({expression}) gin_trgm_ops)")


def _drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('banking', '0012_transaction_amount_index'),
    ]

    operations = [
        migrations.RunPython(_create, _drop),
    ]
