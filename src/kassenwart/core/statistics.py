"""The planner's statistics after large writes.

PostgreSQL plans from a sample of each table that ANALYZE takes; autovacuum takes a new one
once a tenth of a table has changed, but only on its next round (a minute or more later, and
never where it is switched off). Until then a table that just grew from nothing to a million
rows is planned as if it were empty: the text search walked every transaction (2.8 s at
1,000,000) instead of reading its trigram index. The work that follows a large write calls
`analyze_if_changed` first. SQLite keeps no statistics unless asked; its queries here are
written to need none.
"""

from __future__ import annotations

from django.db import connections, models, router

CHANGED_SHARE = 0.1  # autovacuum's default analyze scale factor
CHANGED_AT_LEAST = 1000  # rows; fewer changes never move a plan much


def analyze_if_changed(model: type[models.Model]) -> bool:
    """ANALYZE the model's table on PostgreSQL when more than a tenth of its rows (and at
    least CHANGED_AT_LEAST) changed since its statistics were taken; whether it did."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        return False
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_mod_since_analyze, n_live_tup FROM pg_stat_user_tables WHERE relid = %s::regclass",
                       [table])
        row = cursor.fetchone()
        if row is None or row[0] < max(CHANGED_AT_LEAST, CHANGED_SHARE * row[1]):
            return False
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return True
