"""The stored rows a transaction reconciles against: fetched (and locked) in bulk, then kept in
memory with the edits decided on them until they are written."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from fieldsync.changelog import ChangeSet
from fieldsync.models import InboxRecord, InboxStatus, RecordVersion
from fieldsync.registry import SyncAdapter, registry
from fieldsync.services.reconcile.context import SenderContexts
from fieldsync.services.reconcile.items import Item, Key, Record

_MISSING = object()
#: What a decision reads of a record's versions.
HISTORY_FIELDS = ("record_id", "version", "data", "device_id", "op", "base_version")


class RecordStore:
    """The records of one transaction: loads and locks them, their parents, audiences and
    history, a query per model, and the held records a round releases; holds the edits."""

    def __init__(self, contexts: SenderContexts, changes: ChangeSet) -> None:
        self.contexts = contexts
        self.changes = changes  # holds the versions earlier batches of the transaction stored
        self.current: dict[Key, Record | None] = {}
        self.locked_keys: set[Key] = set()
        self.created: dict[Key, Record] = {}
        self.dirty: dict[Key, set[str]] = {}
        self.history: dict[Key, list[dict[str, Any]]] = {}
        self.history_loaded: set[Key] = set()
        self.audiences: dict[Key, frozenset[str]] = {}
        self.released: set[int] = set()
        self.before: dict[Key, dict[str, Any] | None] = {}  # wire data before this transaction

    # -- loading ------------------------------------------------------------------------------
    def load(self, items: Sequence[Item]) -> None:
        """Lock the records these items change and fetch their parents, a query per model."""
        by_model: dict[str, set[str]] = defaultdict(set)
        for item in items:
            if item.key not in self.current:
                by_model[item.model].add(item.record_id)
        for model in sorted(by_model):
            adapter = registry[model]
            # A fixed lock order keeps concurrent pushes deadlock-free.
            ids = sorted(by_model[model])
            rows = adapter.queryset().select_for_update(of=("self",)).filter(pk__any_of=ids)
            found = {str(row.pk): row for row in rows.order_by("pk")}
            for record_id in ids:
                self.current[(model, record_id)] = found.get(record_id)
                self.locked_keys.add((model, record_id))
        parents: dict[str, set[str]] = defaultdict(set)
        for item in items:
            for ref in registry[item.model].parents:
                value = self.parent_id(item, ref.field)
                if value and (ref.model, value) not in self.current:
                    parents[ref.model].add(value)
        for model, parent_ids in parents.items():
            found = {str(r.pk): r for r in registry[model].queryset().filter(pk__any_of=parent_ids)}
            for record_id in parent_ids:
                self.current[(model, record_id)] = found.get(record_id)
        self._load_audiences(items)
        self._load_history(items)
        contexts = self.contexts
        for item in items:
            contexts.context(item).lookups = contexts.lookups
        for model in {item.model for item in items}:
            registry[model].load_lookups(
                [item.data for item in items if item.model == model], contexts.context(items[0])
            )

    def parent_id(self, item: Item, field_name: str) -> str | None:
        value: Any = item.data.get(field_name, _MISSING)
        if value is _MISSING:
            current = self.current.get(item.key)
            if current is None:
                return None
            value = getattr(current, f"{field_name}_id", None)
        if value is None:
            return None
        try:
            return str(uuid.UUID(str(value)))
        except ValueError:
            return None

    def _load_audiences(self, items: Sequence[Item]) -> None:
        """Audiences of existing records and parents, for the scope check of non-NRA senders."""
        if all(item.user.is_nra for item in items):
            return
        by_model: dict[str, list[Record]] = defaultdict(list)
        for key, instance in self.current.items():
            if instance is not None and key not in self.audiences and key not in self.created:
                by_model[key[0]].append(instance)
        for model, instances in by_model.items():
            for record_id, audience in registry[model].audience(instances).items():
                self.audiences[(model, record_id)] = audience

    def _load_history(self, items: Sequence[Item]) -> None:
        keys = {
            item.key
            for item in items
            if self.current.get(item.key) is not None and item.key not in self.history_loaded
        }
        by_model: dict[str, list[str]] = defaultdict(list)
        for model, record_id in keys:
            by_model[model].append(record_id)
        for model, ids in by_model.items():
            rows = RecordVersion.objects.filter(model=model, record_id__any_of=ids).values(
                *HISTORY_FIELDS
            )
            for row in rows:
                self.history.setdefault((model, row["record_id"]), []).append(dict(row))
        for row in self.changes.pending_versions(keys):
            self.history.setdefault((row["model"], row["record_id"]), []).append(
                {name: row[name] for name in HISTORY_FIELDS}
            )
        self.history_loaded |= keys

    def lock_released(self, items: Iterable[Item]) -> list[Item]:
        """Held records waiting for what this round applied: they go into the next round."""
        applied: dict[str, set[str]] = defaultdict(set)
        for item in items:
            if item.result and item.result["status"] in (InboxStatus.APPLIED, InboxStatus.MERGED):
                applied[item.model].add(item.record_id)
        released: list[Item] = []
        for model, ids in applied.items():
            rows = (
                InboxRecord.objects.select_for_update(of=("self",))
                .filter(
                    status=InboxStatus.HELD, waiting_for_model=model, waiting_for_id__any_of=ids
                )
                .select_related("batch__device__user")
                .order_by("pk")
            )
            for row in rows:
                if row.pk in self.released:
                    continue
                self.released.add(row.pk)
                released.append(
                    Item(inbox=row, device=row.batch.device, user=row.batch.device.user)
                )
        return released

    # -- edits --------------------------------------------------------------------------------
    def add_created(self, item: Item, instance: Record) -> None:
        """A record this transaction creates: it is current from now on, inserted at the end."""
        self.current[item.key] = instance
        self.created[item.key] = instance
        self.before.setdefault(item.key, None)
        self.history_loaded.add(item.key)

    def add_edit(self, item: Item, *, before: dict[str, Any], fields: Iterable[str]) -> None:
        """An existing record this transaction changes: its `fields` are updated at the end."""
        self.before.setdefault(item.key, before)
        self.dirty.setdefault(item.key, set()).update(fields)

    def add_history(self, item: Item, op: str, version: int, data: dict[str, Any]) -> None:
        """A version this transaction stores, seen by the later decisions of the transaction."""
        self.history.setdefault(item.key, []).append(
            {
                "record_id": item.record_id,
                "version": version,
                "data": data,
                "device_id": item.device.pk,
                "op": op,
                "base_version": item.base_version,
            }
        )

    def attach_parents(self, adapter: SyncAdapter, instance: Record) -> None:
        """Point a record at the parents this transaction holds (perhaps not yet inserted), so
        that reading them (is it locked? who sees it?) asks nothing of the database."""
        for ref in adapter.parents:
            parent_id = getattr(instance, f"{ref.field}_id", None)
            parent = self.current.get((ref.model, str(parent_id))) if parent_id else None
            if parent is not None:
                setattr(instance, ref.field, parent)
