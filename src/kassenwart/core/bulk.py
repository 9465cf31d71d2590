"""Writing many rows with few statements.

For large runs (statement imports, matching runs) where the ORM's per-object work (model
instances, signals, returned ids, one prepared value at a time) buys nothing; Django's
bulk_update builds a CASE per column and row, which is slow for thousands of rows. Here an
INSERT is a COPY on PostgreSQL and one prepared statement run for every row on SQLite; an
UPDATE is one prepared statement run for every row on SQLite and, on PostgreSQL, a COPY
into a temporary table and one UPDATE from it. No save() and no signals run: the caller
fills every column it wants set, `auto_now` dates included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connections, models, router, transaction

# Field types the drivers take as Python gives them; the others (Decimal places, aware
# datetimes and dates on SQLite, JSON) go through the field's own preparation.
_AS_IS = frozenset(
    {
        "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "FloatField",
        "ForeignKey", "IntegerField", "OneToOneField", "PositiveIntegerField",
        "PositiveSmallIntegerField", "SmallIntegerField", "TextField",
    }
)


def update_many(objects: Sequence[models.Model], fields: list[str]) -> None:
    """UPDATE each object's `fields` by primary key, as `executemany` of one statement."""
    if not objects:
        return
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    columns = [model._meta.get_field(name) for name in fields]
    params = []
    for obj in objects:
        row = [field.get_db_prep_save(field.pre_save(obj, add=False), connection) for field in columns]
        row.append(obj.pk)
        params.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(_update_sql(connection, model, columns), params)


def update_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Mapping[Any, Sequence],
    same: Mapping[str, Any] | None = None,
) -> None:
    """UPDATE `fields` of many rows given as primary key -> plain values (one per field);
    `same` sets further fields to one value in every row."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    columns, prepare, constants = _columns(model, fields, same, connection)
    params = [[*_prepared(values, prepare), *constants, pk] for pk, values in rows.items()]
    if connection.vendor == "postgresql":
        _update_from_copy(connection, model, columns, params)
        return
    with connection.cursor() as cursor:
        cursor.executemany(_update_sql(connection, model, columns), params)


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence],
    same: Mapping[str, Any] | None = None,
) -> None:
    """INSERT many rows of plain values (one per field, in the order of `fields`; `same`
    gives fields of one value in every row): COPY on PostgreSQL, one prepared INSERT run
    for every row on SQLite."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    columns, prepare, constants = _columns(model, fields, same, connection)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(field.column) for field in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([*_prepared(row, prepare), *constants])
            return
        placeholders = ", ".join(["%s"] * len(columns))
        params = [[*_prepared(row, prepare), *constants] for row in rows]
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", params)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for rows inserted with their ids (a COPY returns none), so
    that rows referring to them can be written in bulk too. Call it inside the transaction
    that inserts the rows: PostgreSQL draws the ids from the table's sequence (safe with
    concurrent writers); SQLite, whose transactions here take the write lock when they
    begin, continues after the highest id the table ever gave."""
    if count <= 0:
        return []
    connection = connections[router.db_for_write(model)]
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"reserve_ids on {connection.vendor}")
        quote = connection.ops.quote_name
        cursor.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"coalesce((SELECT max({quote(pk)}) FROM {quote(table)}), 0))",
            [table],
        )
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))


def _update_from_copy(connection, model: type[models.Model], columns: list[models.Field], params: list[list]) -> None:
    """PostgreSQL: COPY the new values into a temporary table of the same column types,
    then one UPDATE ... FROM it (tens of thousands of single UPDATEs take seconds)."""
    quote = connection.ops.quote_name
    meta = model._meta
    names = [quote(field.column) for field in columns] + [quote(meta.pk.column)]
    table, scratch = quote(meta.db_table), quote(f"bulk_update_{meta.db_table}")
    assignments = ", ".join(f"{name} = new.{name}" for name in names[:-1])
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {scratch} AS SELECT {', '.join(names)} FROM {table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY {scratch} ({', '.join(names)}) FROM STDIN") as copy:
            for row in params:
                copy.write_row(row)
        cursor.execute(f"UPDATE {table} SET {assignments} FROM {scratch} AS new WHERE {table}.{names[-1]} = new.{names[-1]}")
        cursor.execute(f"DROP TABLE {scratch}")


def _update_sql(connection, model: type[models.Model], columns: list[models.Field]) -> str:
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    meta = model._meta
    return f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"


def _columns(model, fields, same, connection) -> tuple[list[models.Field], list, list]:
    """The fields (those of `fields`, then those of `same`), how to prepare a value of each
    of `fields`, and the prepared values of `same`."""
    meta = model._meta
    varying = [meta.get_field(name) for name in fields]
    constant = [meta.get_field(name) for name in (same or {})]
    constants = _prepared((same or {}).values(), _preparers(constant, connection))
    return varying + constant, _preparers(varying, connection), constants


def _preparers(columns: list[models.Field], connection) -> list[Callable[[Any], Any] | None]:
    def preparer(field: models.Field) -> Callable[[Any], Any]:
        return lambda value: field.get_db_prep_save(value, connection)

    return [None if field.get_internal_type() in _AS_IS else preparer(field) for field in columns]


def _prepared(values: Iterable, preparers: list[Callable[[Any], Any] | None]) -> list:
    return [value if prepare is None else prepare(value) for value, prepare in zip(values, preparers, strict=True)]
