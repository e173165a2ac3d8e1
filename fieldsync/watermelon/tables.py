"""WatermelonDB's view of the wire models: tables, typed columns, and rows both ways
(contract watermelondb.md, "Tables and columns").

Everything here is derived from the registry: a table per adapter that names one, a column per
wire field (its type from the field's spec), parents as `<field>_id`, lists as JSON strings.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from fieldsync.fields import AttachmentList, Boolean, ChoiceList, Decimal, Integer
from fieldsync.fields.base import MISSING, Spec
from fieldsync.registry import SyncAdapter, WriteContext, registry

#: The schema's version; `added_in` of each column says where it appeared.
SCHEMA_VERSION = 2
#: Attachment fields came with the data dictionary's change of 2026-12-04: schema version 2.
ATTACHMENTS_ADDED_IN = 2
#: The record's version as WatermelonDB apps see it (`version` alone reads as the app's own).
SERVER_VERSION = "server_version"
#: Server-managed wire fields no app column carries, ignored when an app pushes them: the
#: version (as `server_version`) and the server's clocks (WatermelonDB apps keep their own
#: `created_at`/`updated_at`).
NOT_COLUMNS = frozenset({"version", "created_at", "updated_at"})
NUMERIC_FIELDS = (models.IntegerField, models.FloatField, models.DecimalField)


@dataclass(frozen=True)
class Column:
    name: str
    wire: str  # the wire field ("" for server_version)
    type: str  # string, number or boolean
    optional: bool
    indexed: bool
    added_in: int
    read_only: bool
    as_json: bool  # a list or an object on the wire: a JSON string here
    spec: Spec | None

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "isOptional": self.optional,
            "isIndexed": self.indexed,
            "added_in": self.added_in,
        }


@dataclass(frozen=True)
class Table:
    name: str
    adapter: SyncAdapter
    columns: tuple[Column, ...]

    @property
    def reference(self) -> bool:
        return self.adapter.reference

    @functools.cached_property
    def by_name(self) -> dict[str, Column]:
        return {column.name: column for column in self.columns}

    def columns_at(self, version: int) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.added_in <= version)

    # -- rows ----------------------------------------------------------------------------------
    def row(self, record_id: str, version: int | None, data: Mapping[str, Any], at: int) -> dict:
        """A pulled row: the wire data as primitives, columns of schema version `at` only."""
        row: dict[str, Any] = {"id": record_id}
        for column in self.columns_at(at):
            if column.name == SERVER_VERSION:
                row[column.name] = version
                continue
            value = data.get(column.wire)
            if column.as_json and value is not None:
                value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            row[column.name] = value
        return row

    def wire_data(self, row: Mapping[str, Any], names: list[str] | None = None) -> dict[str, Any]:
        """A pushed row's values as wire data: every column, or the columns `names` only.

        Server-managed columns are ignored; a column the server does not know is kept under its
        own name, so that validation refuses it ("Unknown field.") rather than losing it.
        """
        data: dict[str, Any] = {}
        for name in row if names is None else names:
            if name in ("id", "_status", "_changed") or name not in row:
                continue
            column = self.by_name.get(name)
            if column is None:
                if name in NOT_COLUMNS:  # an app's own clocks
                    continue
                data[name] = row[name]
                continue
            if column.read_only:
                continue
            data[column.wire] = _from_column(column, row[name], whole=names is None)
        return {k: v for k, v in data.items() if v is not MISSING}


def _from_column(column: Column, value: Any, *, whole: bool) -> Any:
    """The wire value of a column's value (MISSING: leave the field out)."""
    spec = column.spec
    if whole and value == "" and spec is not None and spec.empty() is MISSING:
        # WatermelonDB's unset non-optional string column: a field not given (a default, or
        # refused as required), not a blank value the field would refuse.
        return MISSING
    if column.as_json and isinstance(value, str):
        if value == "":
            return spec.empty() if spec is not None else None
        try:
            return json.loads(value)
        except ValueError:
            return value  # validation says what is wrong with it
    if value is None and spec is not None:
        # WatermelonDB's empty optional column. In a new record: a field not given (it takes
        # its default, or is refused when required); in an edit: the field emptied.
        if whole:
            return MISSING
        if not spec.null:
            empty = spec.empty()
            return None if empty is MISSING else empty
    return value


@functools.cache
def tables() -> tuple[Table, ...]:
    """Every table, reference data first (registry order)."""
    return tuple(
        Table(name=a.table, adapter=a, columns=_columns(a))
        for a in (registry[n] for n in registry.order(registry.names()))
        if a.table
    )


def table_named(name: str) -> Table | None:
    return next((t for t in tables() if t.name == name), None)


def table_of(wire_model: str) -> Table:
    return next(t for t in tables() if t.adapter.wire_name == wire_model)


def schema() -> dict[str, Any]:
    """The schema endpoint's body: enough to build an app's `appSchema`."""
    return {
        "version": SCHEMA_VERSION,
        "tables": [
            {"name": t.name, "columns": [c.describe() for c in t.columns]} for t in tables()
        ],
    }


def _columns(adapter: SyncAdapter) -> tuple[Column, ...]:
    if adapter.reference:
        names = [n for n in getattr(adapter, "wire_fields", ()) if n != "code"]
        return tuple(_reference_column(adapter, name) for name in names)
    parents = {ref.field for ref in adapter.parents}
    defaulted = _defaulted(adapter)
    columns = []
    for name, spec in adapter.specs.items():
        as_json = isinstance(spec, ChoiceList | AttachmentList)
        columns.append(
            Column(
                name=f"{name}_id" if name in parents else name,
                wire=name,
                type=_spec_type(spec),
                optional=not spec.required or name in defaulted,
                indexed=name in parents or name in ("province", "district"),
                added_in=ATTACHMENTS_ADDED_IN if name in adapter.attachment_fields else 1,
                read_only=False,
                as_json=as_json,
                spec=spec,
            )
        )
    columns.append(Column(SERVER_VERSION, "", "number", False, False, 1, True, False, None))
    for name, spec in adapter.read_only_specs.items():
        columns.append(Column(name, name, _spec_type(spec), True, False, 1, True, False, spec))
    return tuple(columns)


def _defaulted(adapter: SyncAdapter) -> frozenset[str]:
    """Fields a new record takes from the server when it leaves them out (the sender's
    organisation, the date received...): optional columns for an app."""
    sender: Any = SimpleNamespace(organisation_id="-", is_nra=False, pk=None)
    context = WriteContext(device=None, user=sender, today=datetime.date(2000, 1, 1))
    return frozenset(adapter.defaults(context))


def _spec_type(spec: Spec) -> str:
    if isinstance(spec, Boolean):
        return "boolean"
    if isinstance(spec, Integer) or (isinstance(spec, Decimal) and spec.as_float):
        return "number"
    return "string"  # text, codes, dates, exact decimals ("1500000.00"), JSON lists


def _reference_column(adapter: SyncAdapter, name: str) -> Column:
    """A reference table's column (read-only: pulled, never pushed), typed by its model field."""
    try:
        field = adapter.model._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    kind = "string"
    if isinstance(field, models.BooleanField):
        kind = "boolean"
    elif isinstance(field, NUMERIC_FIELDS) and not isinstance(field, models.ForeignKey):
        kind = "number"
    optional = field is None or field.null or kind == "string"
    return Column(name, name, kind, optional, False, 1, True, False, None)
