"""Updating many rows with one prepared statement (Django's bulk_update builds a CASE per
column and row, which is slow for thousands of rows)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models, router


def update_many(objects: Sequence[models.Model], fields: list[str]) -> None:
    """UPDATE each object's `fields` by primary key, as `executemany` of one statement."""
    if not objects:
        return
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    params = []
    for obj in objects:
        row = [field.get_db_prep_save(field.pre_save(obj, add=False), connection) for field in columns]
        row.append(obj.pk)
        params.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
