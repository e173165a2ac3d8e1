"""Bulk writes that stay cheap whatever the number of rows: the sync engine's hot path.

- `bulk_update_rows`: Django's `bulk_update` builds a `CASE WHEN pk = … THEN …` expression per
  field and row, which costs more Python time than the whole rest of a 1,000-record push. This
  writes `UPDATE t SET f = v.f FROM (VALUES (pk, f, …), …) AS v WHERE t.pk = v.pk` instead
  (PostgreSQL, and SQLite from 3.33).
- `bulk_insert` (model instances), `bulk_insert_rows` / `bulk_upsert_rows` (`{attname: value}`
  rows, no model instance built): on PostgreSQL one `COPY` (psycopg's C row writer; no SQL to
  compile, no parameters quoted in Python: Django's `bulk_create` spends most of a push's insert
  time there); elsewhere `bulk_create`. Auto primary keys are not read back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import attrgetter
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import (
    AutoField,
    BigAutoField,
    BooleanField,
    CharField,
    Field,
    FloatField,
    ForeignKey,
    IntegerField,
    Model,
    SmallAutoField,
    TextField,
)
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

MAX_PARAMETERS = 30_000


def bulk_update_rows(model: type[Model], objects: Sequence[Any], fields: Sequence[str]) -> int:
    """Write `fields` of every object (matched by primary key): model instances, or any
    objects with the fields' attributes; returns the rows updated."""
    if not objects:
        return 0
    meta = model._meta
    targets = [cast("Field[Any, Any]", meta.get_field(name)) for name in fields]
    pk = meta.pk
    if pk is None:
        raise ValueError(f"{model.__name__} has no primary key")
    quote = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    columns: list[Field[Any, Any]] = [pk, *targets]

    def cast_value(field: Field[Any, Any], position: int) -> str:
        reference = f"v.column{position}"
        return f"CAST({reference} AS {field.db_type(connection)})" if postgres else reference

    assignments = ", ".join(
        f"{quote(str(field.column))} = {cast_value(field, index + 2)}"
        for index, field in enumerate(targets)
    )
    table = quote(meta.db_table)
    where = f"{table}.{quote(str(pk.column))} = {cast_value(pk, 1)}"
    per_row = len(columns)
    chunk = max(1, MAX_PARAMETERS // per_row)
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objects), chunk):
            part = objects[start : start + chunk]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * per_row) + ")"] * len(part))
            params: list[Any] = []
            for obj in part:
                for field in columns:
                    value = getattr(obj, field.attname)
                    params.append(field.get_db_prep_save(value, connection))
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {placeholders}) AS v "  # noqa: S608
                f"WHERE {where}",
                params,
            )
            updated += cursor.rowcount
    return updated


def _insert_columns(model: type[Model], objects: Sequence[Model]) -> list[Field[Any, Any]]:
    """The columns an insert writes: every stored field but a database-assigned key."""
    pk = model._meta.pk
    auto = isinstance(pk, AutoField | BigAutoField | SmallAutoField)
    keys_given = [obj.pk is not None for obj in objects]
    if auto and any(keys_given) and not all(keys_given):
        raise ValueError("bulk_insert takes rows that all have, or all lack, a primary key")
    return [
        cast("Field[Any, Any]", f)
        for f in model._meta.concrete_fields
        if not f.generated and not (f.primary_key and auto and not keys_given[0])
    ]


# Fields whose attribute value is already what the database takes (pre_save and
# get_db_prep_save only hand it through): read directly, the rest go through Django.
_PLAIN_FIELDS = (CharField, TextField, IntegerField, BooleanField, FloatField, ForeignKey)


def _value_readers(fields: Sequence[Field[Any, Any]]) -> list[Callable[[Model], Any]]:
    wrapper = connections[DEFAULT_DB_ALIAS]  # not the proxy: it costs a lookup per value
    readers: list[Callable[[Model], Any]] = []
    for field in fields:
        if isinstance(field, _PLAIN_FIELDS):
            readers.append(attrgetter(str(field.attname)))
        else:
            readers.append(_prepared(field, wrapper))
    return readers


def _prepared(field: Field[Any, Any], wrapper: Any) -> Callable[[Model], Any]:
    def read(obj: Model) -> Any:
        return field.get_db_prep_save(field.pre_save(obj, True), wrapper)

    return read


def _copy_rows(
    table: str,
    fields: Sequence[Field[Any, Any]],
    items: Sequence[Any],
    readers: Sequence[Callable[[Any], Any]],
) -> None:
    """COPY `items` into `table`, each row read by `readers` (one per field)."""
    quote = connection.ops.quote_name
    names = _column_list(fields)
    wrapper = connections[DEFAULT_DB_ALIAS]
    # The raw psycopg cursor: errors are turned into Django's (IntegrityError, …) by hand, so
    # that callers (the push's retries) see what `bulk_create` would have raised.
    with (
        wrapper.cursor() as cursor,
        wrapper.wrap_database_errors,
        cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
    ):
        for item in items:
            copy.write_row([read(item) for read in readers])


def _copyable(model: type[Model]) -> bool:
    """COPY on PostgreSQL, for tables without database-side defaults (`db_default`: COPY would
    need each row to leave the column out)."""
    return connection.vendor == "postgresql" and all(
        getattr(f, "db_default", NOT_PROVIDED) is NOT_PROVIDED for f in model._meta.concrete_fields
    )


def _mark_saved(objects: Sequence[Model]) -> None:
    alias = connections[DEFAULT_DB_ALIAS].alias
    for obj in objects:
        obj._state.adding = False
        obj._state.db = alias


def bulk_insert(model: type[Model], objects: Sequence[Model]) -> None:
    """Insert new rows (auto fields such as `auto_now_add` filled as `save` would)."""
    if not objects:
        return
    if not _copyable(model):
        model._default_manager.bulk_create(objects)
        return
    fields = _insert_columns(model, objects)
    _copy_rows(model._meta.db_table, fields, objects, _value_readers(fields))
    _mark_saved(objects)


def _row_readers(
    model: type[Model],
) -> tuple[list[Field[Any, Any]], list[Callable[[Mapping[str, Any]], Any]]]:
    """The columns of an insert of `{attname: value}` rows, and how to read each from a row."""
    fields = _insert_columns(model, [model()])
    wrapper = connections[DEFAULT_DB_ALIAS]
    now = timezone.now()
    readers: list[Callable[[Mapping[str, Any]], Any]] = []
    for field in fields:
        name = str(field.attname)
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        default = now if auto else field.get_default()
        if isinstance(field, _PLAIN_FIELDS):
            readers.append(lambda row, n=name, d=default: row.get(n, d))  # type: ignore[misc]
        else:
            readers.append(
                lambda row, f=field, n=name, d=default: f.get_db_prep_save(row.get(n, d), wrapper)  # type: ignore[misc]
            )
    return fields, readers


def bulk_insert_rows(model: type[Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows given as `{attname: value}`, without a model instance each (a push writes
    thousands): a field a row leaves out takes its default, an `auto_now(_add)` one the time."""
    if not rows:
        return
    if not _copyable(model):
        model._default_manager.bulk_create([model(**row) for row in rows])
        return
    fields, readers = _row_readers(model)
    _copy_rows(model._meta.db_table, fields, rows, readers)


def bulk_upsert_rows(
    model: type[Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
) -> None:
    """Insert `{attname: value}` rows, or update `update_fields` of the row with the same
    `unique_fields`. The rows must not repeat a unique key.

    PostgreSQL: COPY into a temporary table, then one `INSERT … SELECT … ON CONFLICT DO UPDATE`.
    """
    if not rows:
        return
    if not _copyable(model):
        model._default_manager.bulk_create(
            [model(**row) for row in rows],
            update_conflicts=True,
            unique_fields=unique_fields,
            update_fields=update_fields,
        )
        return
    meta = model._meta
    quote = connection.ops.quote_name
    fields, readers = _row_readers(model)
    names = _column_list(fields)
    staging = f"_upsert_{meta.db_table}"
    column = {f.name: quote(str(f.column)) for f in fields}
    conflict = ", ".join(column[name] for name in unique_fields)
    updates = ", ".join(f"{column[n]} = EXCLUDED.{column[n]}" for n in update_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {quote(staging)} ON COMMIT DELETE ROWS "  # noqa: S608
            f"AS SELECT {names} FROM {quote(meta.db_table)} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {quote(staging)}")
    _copy_rows(staging, fields, rows, readers)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({names}) "  # noqa: S608
            f"SELECT {names} FROM {quote(staging)} "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )


def insert_from_query(model: type[Model], columns: Mapping[str, str], query: Any) -> int:
    """`INSERT INTO model (fields) SELECT … FROM (query)`: rows the database computes (a GROUP
    BY) go straight into a table, none through Python. `columns` maps each field to the name of
    the query's output column; returns the rows inserted."""
    quote = connection.ops.quote_name
    meta = model._meta
    sql, params = query.query.sql_with_params()
    names = quoted_columns(model, columns)
    select = ", ".join(f"q.{quote(c)}" for c in columns.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({names}) SELECT {select} FROM ({sql}) AS q",  # noqa: S608
            params,
        )
        return int(cursor.rowcount)


def quoted_columns(model: type[Model], field_names: Iterable[str]) -> str:
    """The quoted database columns of these fields, comma separated."""
    return _column_list(
        [cast("Field[Any, Any]", model._meta.get_field(name)) for name in field_names]
    )


def _column_list(fields: Iterable[Field[Any, Any]]) -> str:
    quote = connection.ops.quote_name
    return ", ".join(quote(str(field.column)) for field in fields)
