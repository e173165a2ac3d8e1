"""A bulk update that stays one cheap statement per chunk, whatever the number of rows.

Django's `bulk_update` builds a `CASE WHEN pk = … THEN …` expression per field and row, which
costs more Python time than the whole rest of a 1,000-record push. This writes
`UPDATE t SET f = v.f FROM (VALUES (pk, f, …), …) AS v WHERE t.pk = v.pk` instead (PostgreSQL,
and SQLite from 3.33).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db import connection
from django.db.models import Field, Model

MAX_PARAMETERS = 30_000


def bulk_update_rows(model: type[Model], objects: Sequence[Model], fields: Sequence[str]) -> int:
    """Write `fields` of every object (matched by primary key); returns the rows updated."""
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
