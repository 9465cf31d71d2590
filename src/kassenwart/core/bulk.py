"""Writing many rows with few statements.

For large runs (statement imports, matching runs) where the ORM's per-object work (model
instances, signals, returned ids, one prepared value at a time) buys nothing; Django's
bulk_update builds a CASE per column and row, which is slow for thousands of rows. Here an
INSERT is a COPY on PostgreSQL and one prepared statement run for every row on SQLite; an
UPDATE is one prepared statement run for every row on SQLite and, on PostgreSQL, a COPY
into a temporary table and one UPDATE from it. An INSERT may leave out the rows a unique
constraint already holds (a statement import's duplicates) and says how many it inserted. No
save() and no signals run: the caller fills every column it wants set, `auto_now` dates
included. A `Writer` runs the database's part of a large write (BatchInserter's batches, an
`update_rows` given it) in a second thread while the caller makes the next rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from datetime import date
from decimal import Decimal
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


class JSONText(str):
    """A JSON column's value encoded already, as the text json.dumps makes with its defaults
    (what the JSON fields here write for lists, dicts, strings and numbers); `insert_rows`
    and `update_rows` write it as it is. A large run encodes a piece that many rows share
    once and puts each row's text together from the pieces."""


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
    *,
    writer: Writer | None = None,
) -> None:
    """UPDATE `fields` of many rows given as primary key -> plain values (one per field);
    `same` sets further fields to one value in every row. With a `writer` the new values are
    loaded into a temporary table and one UPDATE ... FROM it runs in the writer's thread
    (the caller goes on making rows meanwhile)."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    columns, prepare, constants = _columns(model, fields, same, connection)
    params = [[*_prepared(values, prepare), *constants, pk] for pk, values in rows.items()]
    if writer is not None:
        _update_in_writer(writer, connection, model, columns, params)
        return
    if connection.vendor == "postgresql":
        _update_from_copy(connection, model, columns, params)
        return
    with connection.cursor() as cursor:
        cursor.executemany(_update_sql(connection, model, columns), params)


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    same: Mapping[str, Any] | None = None,
    *,
    unless_exists: Sequence[str] = (),
) -> int:
    """INSERT many rows of plain values (one per field, in the order of `fields`; `same`
    gives fields of one value in every row): COPY on PostgreSQL, one prepared INSERT run
    for every row on SQLite. Returns the number of rows inserted.

    `unless_exists` names the fields of a unique constraint: a row whose values of them are
    in the table already is left out, not refused (ON CONFLICT DO NOTHING; on PostgreSQL
    the rows are copied into a temporary table first)."""
    connection = connections[router.db_for_write(model)]
    columns, prepare, constants = _columns(model, fields, same, connection)
    params = _rows(rows, prepare, constants)
    if not params:
        return 0
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(field.column) for field in columns)
    conflict = ", ".join(quote(model._meta.get_field(name).column) for name in unless_exists)
    if connection.vendor == "postgresql":
        if not conflict:
            _copy(connection, table, names, params)
            return len(params)
        return _insert_from_copy(connection, model, names, conflict, params)
    placeholders = ", ".join(["%s"] * len(columns))
    skip = f" ON CONFLICT ({conflict}) DO NOTHING" if conflict else ""
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders}){skip}", params)
        return cursor.rowcount


class Writer:
    """A second thread for database work inside the caller's transaction, one job at a time
    in the order given, while the caller's thread makes the next rows in Python (both
    drivers let go of Python's lock while the database works). The connection is the
    caller's; only one of the two threads uses it at a time: `run` and `wait` wait for the job
    before. Use it as a context manager inside the transaction: leaving it waits for the last
    job, also when an exception leaves the block, so a rollback takes back all it wrote."""

    def __init__(self, connection):
        self.connection = connection
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-write")
        self._job: Future | None = None

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.wait()
        finally:
            self._thread.shutdown(wait=True)

    def run(self, job: Callable, *args) -> None:
        """Start `job(driver connection, *args)` once the job before has ended."""
        self.wait()
        self._job = self._thread.submit(self._in_transaction, job, self.connection.connection, *args)

    def wait(self) -> None:
        """Wait for the job being run, raising what stopped it."""
        job, self._job = self._job, None
        if job is not None:
            job.result()

    def _in_transaction(self, job: Callable, driver, *args):
        # never on its own (autocommit): the caller's transaction ended
        if self.connection.vendor == "sqlite":
            inside = driver.in_transaction
        else:
            from psycopg.pq import TransactionStatus

            inside = driver.info.transaction_status == TransactionStatus.INTRANS
        if not inside:
            raise RuntimeError("bulk writing outside a transaction")
        return job(driver, *args)


class BatchInserter:
    """`insert_rows` for a stream of batches into one table, each batch moved into the table
    while the caller makes the next one: a batch is loaded into a temporary table of the same
    columns (executemany on SQLite, COPY on PostgreSQL: the part that needs Python), then one
    INSERT ... SELECT from it, run by a second thread (a `Writer`), does the rest in the
    database (the table's indexes, the unique check, `unless_exists`). Both drivers let go of
    Python's lock while the database works, so on two cores making rows and writing them
    overlap.

    Use it as a context manager inside the transaction that is to hold the rows. Leaving the
    block waits for the last batch, also when an exception leaves it: nothing is written after
    the caller's transaction ends, so a rollback takes back every row. The database
    connection is the caller's; only one of the two threads uses it at a time (`add` and
    `wait` wait for the writer's job before). Several inserters (and `update_rows`) may share
    one `writer`: their jobs then run one after the other. `inserted` counts the rows
    inserted once `wait`ed."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], same_fields: Sequence[str], *,
                 unless_exists: Sequence[str] = (), writer: Writer | None = None):
        self.model, self.fields, self.same_fields = model, list(fields), list(same_fields)
        self.connection = connections[router.db_for_write(model)]
        if self.connection.vendor not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"BatchInserter on {self.connection.vendor}")
        quote = self.connection.ops.quote_name
        meta = model._meta
        varying = [meta.get_field(name) for name in self.fields]
        self._prepare = _preparers(varying, self.connection)
        self._prepare_same = _preparers([meta.get_field(name) for name in self.same_fields], self.connection)
        names = ", ".join(quote(field.column) for field in varying)
        all_names = ", ".join(quote(meta.get_field(name).column) for name in [*self.fields, *self.same_fields])
        self._table, self._scratch = quote(meta.db_table), quote(f"bulk_batch_{meta.db_table}")
        # the temporary table has the varying columns; the move adds the values of `same`
        self._create = f"CREATE TEMPORARY TABLE {self._scratch} AS SELECT {names} FROM {self._table} WHERE 1 = 0"
        self._load = f"INSERT INTO {self._scratch} ({names}) VALUES ({', '.join(['%s'] * len(varying))})"
        self._names = names
        conflict = ", ".join(quote(meta.get_field(name).column) for name in unless_exists)
        skip = f" ON CONFLICT ({conflict}) DO NOTHING" if conflict else ""
        mark = "?" if self.connection.vendor == "sqlite" else "%s"  # the driver's own placeholders
        same = "".join(f", {mark}" for _name in self.same_fields)
        # WHERE true: SQLite would read ON CONFLICT as a join's constraint otherwise
        self._move = f"INSERT INTO {self._table} ({all_names}) SELECT {names}{same} FROM {self._scratch} WHERE true{skip}"
        self._own_writer = writer is None
        self._writer = Writer(self.connection) if writer is None else writer
        self._created = False
        self.inserted = 0

    def __enter__(self) -> BatchInserter:
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.wait()
            if self._created and exc_info[0] is None:  # else the rollback takes the table away
                with self.connection.cursor() as cursor:
                    cursor.execute(f"DROP TABLE {self._scratch}")
        finally:
            if self._own_writer:
                self._writer.__exit__(*exc_info)

    def add(self, rows: Iterable[Sequence], same: Sequence) -> None:
        """Load `rows` (plain values in the order of `fields`) and start moving them into the
        table, with `same` as the values of `same_fields` for all of them."""
        params = _rows(rows, self._prepare, [])
        same = list(same)
        if len(same) != len(self.same_fields):
            raise ValueError(f"{len(same)} values for {len(self.same_fields)} fields")
        same = _prepared(same, self._prepare_same)
        self.wait()
        if not params:
            return
        with self.connection.cursor() as cursor:
            if not self._created:
                cursor.execute(self._create)
                self._created = True
            if self.connection.vendor == "postgresql":
                _copy(self.connection, self._scratch, self._names, params)
            else:
                cursor.executemany(self._load, params)
        self._writer.run(self._move_batch, same)

    def _move_batch(self, driver, same: list) -> None:
        """In the writer's thread, on the driver's connection (Django's wrapper belongs to the
        caller's thread): the batch into the table, the temporary table emptied."""
        if self.connection.vendor == "sqlite":
            self.inserted += driver.execute(self._move, same).rowcount
            driver.execute(f"DELETE FROM {self._scratch}")
            return
        with driver.cursor() as cursor:
            cursor.execute(self._move, same)
            self.inserted += cursor.rowcount
            cursor.execute(f"TRUNCATE {self._scratch}")

    def wait(self) -> int:
        """Wait for the writer's job (raising what stopped it); the rows inserted so far."""
        self._writer.wait()
        return self.inserted


@contextmanager
def checkpoint_left_to_others(using: str = "default") -> Iterator[None]:
    """A large write's commit on SQLite without the WAL checkpoint that would follow it.

    SQLite (WAL mode) copies the log back into the database file, and syncs both, at the first
    commit after the log has grown past 1,000 pages: after a large import that is the import's
    own commit, which then waits for tens of megabytes to be copied and synced (0.1 to 0.4 s
    for 75,000 transactions). Inside this block the connection leaves that to the next commit
    of another connection or to the next block of its own, such as the text index's task that
    follows an import in the worker (or to the connection's closing, which checkpoints too).

    Durability stays that of synchronous=NORMAL: a commit is safe from a crash of the
    application at once, and from a power loss once a checkpoint has synced it, as any commit
    below the 1,000 pages is today. Wrap the outermost transaction, so that the commit (and the
    on_commit work after it) is inside the block; on PostgreSQL this does nothing."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")


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


def _update_in_writer(writer: Writer, connection, model: type[models.Model], columns: list[models.Field],
                      params: list[list]) -> None:
    """The new values into a temporary table (here), the UPDATE ... FROM it and the table's
    drop in the writer's thread."""
    quote = connection.ops.quote_name
    meta = model._meta
    names = [quote(field.column) for field in columns] + [quote(meta.pk.column)]
    table, scratch = quote(meta.db_table), quote(f"bulk_update_{meta.db_table}")
    assignments = ", ".join(f"{name} = new.{name}" for name in names[:-1])
    writer.wait()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {scratch} AS SELECT {', '.join(names)} FROM {table} WHERE 1 = 0")
        if connection.vendor == "postgresql":
            _copy(connection, scratch, ", ".join(names), params)
        else:
            placeholders = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {scratch} ({', '.join(names)}) VALUES ({placeholders})", params)
    update = f"UPDATE {table} SET {assignments} FROM {scratch} AS new WHERE {table}.{names[-1]} = new.{names[-1]}"
    writer.run(_execute, [update, f"DROP TABLE {scratch}"])


def _execute(driver, statements: list[str]) -> None:
    """In a writer's thread: statements without parameters, on the driver's connection."""
    with closing(driver.cursor()) as cursor:
        for statement in statements:
            cursor.execute(statement)


def _copy(connection, table: str, names: str, params: list) -> None:
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in params:
            copy.write_row(row)


def _insert_from_copy(connection, model: type[models.Model], names: str, conflict: str, params: list) -> int:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT ... SELECT that
    leaves out those in conflict (a COPY cannot)."""
    quote = connection.ops.quote_name
    table, scratch = quote(model._meta.db_table), quote(f"bulk_insert_{model._meta.db_table}")
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {scratch} AS SELECT {names} FROM {table} WITH NO DATA")
        _copy(connection, scratch, names, params)
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {scratch} ON CONFLICT ({conflict}) DO NOTHING")
        inserted = cursor.rowcount
        cursor.execute(f"DROP TABLE {scratch}")
    return inserted


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
    """Per field, None when the driver takes the value as Python gives it, else what turns it
    into the value the driver takes: the field's own preparation, but for the types a large
    run is full of (dates, Decimals, JSON on SQLite) the backend's adapter straight away when
    the value has the field's type already (the field would convert it to that type first)."""
    ops = connection.ops

    def preparer(field: models.Field) -> Callable[[Any], Any]:
        def prepare(value):
            return field.get_db_prep_save(value, connection)

        kind = field.get_internal_type()
        if kind == "DateField":
            adapt_date, adapted = ops.adapt_datefield_value, {}  # a large run has many rows and few days

            def prepare_date(value):
                if type(value) is date:
                    known = adapted.get(value)
                    if known is None:
                        known = adapted[value] = adapt_date(value)
                    return known
                return adapt_date(value) if value is None else prepare(value)

            return prepare_date
        if kind == "DecimalField":
            digits, places, adapt_decimal = field.max_digits, field.decimal_places, ops.adapt_decimalfield_value
            return lambda value: adapt_decimal(value, digits, places) if type(value) is Decimal else prepare(value)
        if kind == "JSONField" and connection.vendor == "sqlite":
            # SQLite keeps JSON as text, which the field makes with json.dumps and its encoder;
            # one encoder for all rows (json.dumps makes a new one per value when given a class)
            encode = (field.encoder or json.JSONEncoder)().encode

            def prepare_json(value):
                kind = type(value)
                if kind is JSONText:
                    return str(value)
                return encode(value) if kind in (list, dict) else prepare(value)

            return prepare_json
        if kind == "JSONField":  # a COPY (all that writes here on PostgreSQL) reads jsonb from its text
            return lambda value: str(value) if type(value) is JSONText else prepare(value)
        return prepare

    return [None if field.get_internal_type() in _AS_IS else preparer(field) for field in columns]


def _prepared(values: Iterable, preparers: list[Callable[[Any], Any] | None]) -> list:
    return [value if prepare is None else prepare(value) for value, prepare in zip(values, preparers, strict=True)]


def _rows(rows: Iterable[Sequence], preparers: list[Callable[[Any], Any] | None], constants: list) -> list:
    """The rows as the driver takes them: only the values that need it are prepared (a
    comprehension over every value of every row is a large part of a big insert)."""
    width = len(preparers)
    needed = [(index, prepare) for index, prepare in enumerate(preparers) if prepare is not None]
    params = []
    for row in rows:
        if len(row) != width:
            raise ValueError(f"a row of {len(row)} values for {width} fields")
        values = [*row, *constants]
        for index, prepare in needed:
            values[index] = prepare(values[index])
        params.append(values)
    return params
