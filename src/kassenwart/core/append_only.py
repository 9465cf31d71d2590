"""Database triggers that refuse UPDATE and DELETE on append-only tables.

Used from migrations: `migrations.RunPython(*append_only("banking_transaction"))`.
Works on SQLite and PostgreSQL alike; the message names the table. Installing is idempotent.

SQLite rebuilds a table for most column changes and the rebuilt table has no triggers: every
migration that alters an append-only table must end with this operation again (the
append-only tests fail otherwise).
"""


def _sqlite(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for op in ("UPDATE", "DELETE")
    ]


def _postgresql(table: str) -> list[str]:
    return [
        "CREATE OR REPLACE FUNCTION kassenwart_refuse_change() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only'; END; "
        "$$ LANGUAGE plpgsql",
        f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION kassenwart_refuse_change()",
    ]


def append_only(table: str):
    """Forward and backward functions for migrations.RunPython."""

    def forward(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = {"sqlite": _sqlite, "postgresql": _postgresql}[vendor](table)
        for statement in statements:
            schema_editor.execute(statement)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")

    return forward, backward
