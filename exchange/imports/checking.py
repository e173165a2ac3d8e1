"""Checking rows as the engine will apply them: legacy ids unique in the file, parents found in
the file or the database, each row validated by its adapter and its outcome foreseen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from accidents.models import Accident
from exchange.columns import LEGACY_ID, SHEET_NAMES
from exchange.imports.base import CHUNK_RECORDS, Progress, record_id
from exchange.imports.reading import Row
from fieldsync.models import Device, User
from fieldsync.registry import Viewer, WriteContext, registry
from victims.choices import VictimType
from victims.models import Victim


class RowChecker:
    """Checks rows against each other, the database and the adapters, parents first."""

    def __init__(self, *, user: User, device: Device) -> None:
        self.user = user
        self.device = device
        self.viewer = Viewer.for_user(user)
        self.context = WriteContext(device=device, user=user, today=timezone.localdate())
        self.in_file: dict[tuple[str, str], Row] = {}
        # (wire model, id) -> (deleted, victim type)
        self.stored_parents: dict[tuple[str, str], tuple[bool, str | None]] = {}

    def check(self, rows: list[Row], progress: Progress) -> list[Row]:
        """Every row checked; returns them in the order they are applied (parents first)."""
        for row in rows:
            if not row.legacy_id:
                continue
            first = self.in_file.setdefault((row.model, row.legacy_id), row)
            if first is not row:
                where = f"row {first.number}" + (
                    f" of {first.sheet}" if first.sheet != row.sheet else ""
                )
                row.refuse(
                    LEGACY_ID, f"The legacy id '{row.legacy_id}' is already used in {where}."
                )
        self._load_stored_parents(rows)
        existing = self._load_existing(rows)
        ordered = sorted(rows, key=_apply_order)
        for model in SHEET_NAMES:
            registry[model].load_lookups([], self.context)
        for row in progress(ordered, "checking"):
            self._check_parents(row)
            self._validate(row, existing.get((row.model, row.id)))
        return ordered

    def _load_stored_parents(self, rows: list[Row]) -> None:
        """Parents named by legacy id but not in the file: imported before, or missing."""
        wanted: dict[str, set[str]] = {"accident": set(), "victim": set()}
        for row in rows:
            for _column, parent, legacy_id in row.parents:
                if (parent, legacy_id) not in self.in_file:
                    wanted[parent].add(record_id(parent, legacy_id))
        for ids in _chunks(sorted(wanted["accident"])):
            for pk, deleted in Accident.objects.filter(pk__in=ids).values_list("pk", "is_deleted"):
                self.stored_parents[("accident", str(pk))] = (deleted, None)
        for ids in _chunks(sorted(wanted["victim"])):
            for pk, deleted, victim_type in Victim.objects.filter(pk__in=ids).values_list(
                "pk", "is_deleted", "victim_type"
            ):
                self.stored_parents[("victim", str(pk))] = (deleted, victim_type)

    def _load_existing(self, rows: list[Row]) -> dict[tuple[str, str], Any]:
        """Records the file's rows would change (a re-import), a query per 1,000 ids."""
        existing: dict[tuple[str, str], Any] = {}
        for model in SHEET_NAMES:
            ids = sorted({row.id for row in rows if row.model == model and row.legacy_id})
            manager = registry[model].model._default_manager
            for chunk in _chunks(ids):
                for instance in manager.filter(pk__in=chunk):
                    existing[(model, str(instance.pk))] = instance
        return existing

    def _check_parents(self, row: Row) -> None:
        for column, parent, legacy_id in row.parents:
            parent_row = self.in_file.get((parent, legacy_id))
            if parent_row is not None:
                if parent_row.errors:
                    where = f"row {parent_row.number}" + (
                        f" of {parent_row.sheet}" if parent_row.sheet != row.sheet else ""
                    )
                    row.refuse(column, f"The {parent} '{legacy_id}' ({where}) is rejected.")
                elif parent == "victim":
                    self._victims()[parent_row.id] = Victim(
                        pk=parent_row.id, victim_type=parent_row.data.get("victim_type", "")
                    )
                continue
            parent_id = record_id(parent, legacy_id)
            stored = self.stored_parents.get((parent, parent_id))
            if stored is None:
                row.refuse(
                    column,
                    f"No {parent} has the legacy id '{legacy_id}', in this file or imported "
                    "before.",
                )
            elif stored[0]:
                row.refuse(column, f"The {parent} '{legacy_id}' was deleted.")
            elif parent == "victim":
                self._victims()[parent_id] = Victim(pk=parent_id, victim_type=stored[1] or "")

    def _victims(self) -> dict[str, Any]:
        """The related victims the victim adapter checks (a family member's must be direct)."""
        return self.context.parents.setdefault("victim", {})

    def _validate(self, row: Row, current: Any) -> None:
        adapter = registry[row.model]
        if current is not None and current.is_deleted:
            row.refuse(LEGACY_ID, "This record was deleted; an import does not bring it back.")
            return
        if current is None:
            data = {**adapter.defaults(self.context), **row.data}
        else:
            data = {**adapter.to_wire(current), **row.data}
        clean, errors = adapter.validate(data, self.context)
        for wire_field, messages in errors.items():
            if wire_field in row.unreadable:  # its reading error says why
                continue
            for message in messages:
                row.refuse(row.layout.column_of_field(wire_field), message)
        if errors or current is None:
            return
        hidden = adapter.hidden_fields(current, self.viewer)  # the engine ignores these
        server = adapter.to_wire(current)
        if all(clean[name] == server.get(name) for name in row.data if name not in hidden):
            row.state = "unchanged"
        elif current.created_by_device_id != self.device.pk:
            row.refuse(
                LEGACY_ID,
                "This record was imported by another account or created on a tablet: an import "
                "changes only the records its own account imported.",
            )
        else:
            row.state = "changed"


def _apply_order(row: Row) -> tuple[int, int]:
    """Accidents, casualties, their families, assistance: parents before the rows naming them."""
    if row.model == "accident":
        return (0, 0)
    if row.model == "victim":
        return (1, 0 if row.data.get("victim_type") == VictimType.DIRECT else 1)
    return (2, 0)


def _chunks(items: list[str], size: int = CHUNK_RECORDS) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
