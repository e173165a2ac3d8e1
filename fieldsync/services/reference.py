"""Reference data (provinces, organisations, service types...): written in bulk, every created or
changed row recorded in the change log so that tablets pull it."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from django.db import models, transaction
from django.utils import timezone

from fieldsync.changelog import ChangeSet
from fieldsync.models import ReferenceRecord
from fieldsync.registry import registry

R = TypeVar("R", bound=ReferenceRecord)

# Server-managed: a row never sets them.
MANAGED_FIELDS = frozenset({"version", "created_at", "updated_at"})


class UpsertResult(list[R]):
    """The rows created or changed, in the order they were given; `created`/`updated` split them."""

    def __init__(self, rows: Iterable[R] = (), *, created: int = 0, updated: int = 0) -> None:
        super().__init__(rows)
        self.created = created
        self.updated = updated


# What a seed of several tables returns: the rows created or changed, per wire model.
SeedResults = dict[str, UpsertResult[Any]]


class ReferenceSeeder(Protocol):
    """Loads one app's shipped reference rows into `changes`; returns them per wire model."""

    def __call__(self, *, update_existing: bool, changes: ChangeSet) -> SeedResults: ...


# Filled by each app's `ready()` in INSTALLED_APPS order, so parents are seeded first.
_seeders: list[ReferenceSeeder] = []


def reference_seeder_register(seeder: ReferenceSeeder) -> None:
    """Add an app's reference data to `reference_data_seed` (called from its `AppConfig.ready`)."""
    if seeder not in _seeders:
        _seeders.append(seeder)


@transaction.atomic
def reference_data_seed(*, update_existing: bool = False) -> SeedResults:
    """Load all the reference data the apps ship, in one transaction; a second run changes nothing.

    Only missing rows are created unless `update_existing`, which also sets rows edited in admin
    back to the shipped values. Returns the rows created or changed per wire model.
    """
    changes = ChangeSet()
    results: SeedResults = {}
    for seeder in _seeders:
        results.update(seeder(update_existing=update_existing, changes=changes))
    changes.flush()  # the last write: it holds the change log's lock until commit
    return results


def read_reference_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file shipped with an app, as dicts keyed by its header."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def reference_rows_upsert(
    *,
    model: type[R],
    rows: Sequence[Mapping[str, Any]],
    key: str = "code",
    update_existing: bool = True,
    changes: ChangeSet | None = None,
) -> UpsertResult[R]:
    """Create the missing rows and update those whose values differ, in bulk.

    `rows` map field names (or attnames; a foreign key may be an instance or its key) to values;
    fields a row leaves out are left as they are. A changed row's version goes up by one; an
    identical row is not written. With `update_existing=False` existing rows are left alone.

    Created and changed rows are added to `changes`, the caller then flushing it as the last
    write of its transaction; without `changes` they are flushed to the change log here.
    Three queries whatever the number of rows: one read (locking the rows it finds), one insert,
    one update.
    """
    wire_name = registry.for_model(model).wire_name
    key_field = model._meta.get_field(key)
    if not isinstance(key_field, models.Field) or not key_field.unique:
        raise ValueError(f"{model.__name__}.{key} is not a unique column.")
    key_attname = key_field.attname
    wanted = [_normalise(model, row) for row in rows]
    keys = [row[key_attname] for row in wanted]
    duplicates = sorted(k for k, count in Counter(keys).items() if count > 1)
    if duplicates:
        raise ValueError(f"{model.__name__}: {key} given more than once: {duplicates}")

    existing = model._default_manager.select_for_update().in_bulk(keys, field_name=key)
    now = timezone.now()
    touched: list[R] = []
    to_create: list[R] = []
    to_update: list[R] = []
    updated_fields: set[str] = set()
    for row in wanted:
        instance = existing.get(row[key_attname])
        if instance is None:
            instance = model(**row)
            to_create.append(instance)
            touched.append(instance)
            continue
        if not update_existing:
            continue
        differing = [name for name, value in row.items() if getattr(instance, name) != value]
        if not differing:
            continue
        for name in differing:
            setattr(instance, name, row[name])
        # Safe without F(): the row is locked since it was read.
        instance.version += 1
        instance.updated_at = now
        updated_fields.update(differing)
        to_update.append(instance)
        touched.append(instance)

    if to_create:
        model._default_manager.bulk_create(to_create)
    if to_update:
        model._default_manager.bulk_update(
            to_update, [*sorted(updated_fields), "version", "updated_at"]
        )
    change_set = changes if changes is not None else ChangeSet()
    change_set.add(wire_name, touched)
    if changes is None:
        change_set.flush()  # the last write: it holds the change log's lock until commit
    return UpsertResult(touched, created=len(to_create), updated=len(to_update))


def _normalise(model: type[models.Model], row: Mapping[str, Any]) -> dict[str, Any]:
    """The row keyed by attname, each value as the field's Python type (so comparisons hold)."""
    values: dict[str, Any] = {}
    for name, value in row.items():
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field) or not field.concrete or field.many_to_many:
            raise ValueError(f"{model.__name__}.{name} is not a column a reference row can set.")
        if field.name in MANAGED_FIELDS:
            raise ValueError(f"{model.__name__}.{name} is managed by the server.")
        if isinstance(value, models.Model):
            value = value.pk
        values[field.attname] = field.to_python(value)
    return values
