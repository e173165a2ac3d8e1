"""Reconciliation of pushed records against the server's copy (sync contract, Push).

The `Reconciler` decides every record of a batch in memory, against rows it fetched (and
locked) in bulk, then writes everything with a fixed number of bulk statements. Records held
back for a missing parent are picked up again here as soon as that parent is applied, whoever
sent it.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fieldsync import hooks
from fieldsync.bulk import bulk_insert, bulk_insert_rows, bulk_update_rows
from fieldsync.changelog import ChangeSet
from fieldsync.models import (
    Conflict,
    ConflictKind,
    Device,
    InboxRecord,
    InboxStatus,
    RecordVersion,
    User,
)
from fieldsync.registry import Errors, SyncAdapter, Viewer, WriteContext, registry

Key = tuple[str, str]  # (wire model, record id)
Record = Any  # an instance of a registered SyncRecord model
_MISSING = object()
OPS = ("upsert", "delete")
PLAIN_OUTCOMES = (InboxStatus.APPLIED, InboxStatus.UNCHANGED)


@dataclass
class Item:
    """One pushed record on its way through reconciliation."""

    inbox: InboxRecord
    device: Device
    user: User
    model: str = ""
    record_id: str = ""
    op: str = "upsert"
    base_version: int | None = None
    recorded_at: datetime.datetime | None = None
    data: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    needs_data: bool = False

    @property
    def key(self) -> Key:
        return (self.model, self.record_id)


class Rejected(Exception):
    def __init__(self, errors: Errors, code: str = "invalid") -> None:
        super().__init__(code)
        self.errors = errors
        self.code = code


def parse_item(item: Item, payload: Any) -> None:
    """Check the record's envelope (model, id, op, base_version...); raise Rejected if wrong."""
    if not isinstance(payload, dict):
        raise Rejected({"non_field_errors": ["A record must be a JSON object."]})
    model = payload.get("model")
    item.model = model if isinstance(model, str) else ""
    record_id = payload.get("id")
    item.record_id = record_id if isinstance(record_id, str) else ""
    adapter = registry.get(item.model)
    if adapter is None or adapter.reference:
        raise Rejected({"model": [f"Unknown model '{str(model)[:64]}'."]}, code="unknown_model")
    errors: Errors = {}
    try:
        item.record_id = str(uuid.UUID(str(record_id))) if isinstance(record_id, str) else ""
    except ValueError:
        item.record_id = ""
    if not item.record_id:
        errors["id"] = ["Must be a valid UUID."]
    op = payload.get("op")
    if op not in OPS:
        errors["op"] = ['Must be "upsert" or "delete".']
    else:
        item.op = op
    base = payload.get("base_version")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int) or base < 1):
        errors["base_version"] = ["Must be null or a positive integer."]
    else:
        item.base_version = base
    recorded_at = payload.get("recorded_at")
    if recorded_at is not None:
        parsed = _parse_recorded_at(recorded_at)
        if parsed is None:
            errors["recorded_at"] = ["Must be an ISO 8601 date-time with a time zone."]
        item.recorded_at = parsed
    data = payload.get("data", {} if op == "delete" else None)
    if not isinstance(data, dict):
        errors["data"] = ["Must be a JSON object of the record's fields."]
    else:
        unknown = sorted(
            k
            for k in data
            if k not in adapter.writable_fields and k not in adapter.read_only_fields and k != "id"
        )
        for name in unknown:
            errors[str(name)[:64]] = ["Unknown field."]
        if "id" in data and str(data["id"]).lower() != item.record_id:
            errors["id"] = ["Does not match the record's id."]
        item.data = {k: v for k, v in data.items() if k in adapter.writable_fields}
    if errors:
        raise Rejected(errors)


def _parse_recorded_at(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None or timezone.is_naive(parsed):
        return None
    return parsed


class Reconciler:
    """Decides pushed records in memory, then writes them in bulk (one instance per transaction)."""

    def __init__(
        self, *, source: str = RecordVersion.Source.SYNC, changes: ChangeSet | None = None
    ) -> None:
        self.source = source
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.lookups: dict[str, Any] = {}
        self.contexts: dict[int, WriteContext] = {}
        self.current: dict[Key, Record | None] = {}
        self.locked_keys: set[Key] = set()
        self.created: dict[Key, Record] = {}
        self.dirty: dict[Key, set[str]] = {}
        self.history: dict[Key, list[dict[str, Any]]] = {}
        self.history_loaded: set[Key] = set()
        self.new_versions: list[dict[str, Any]] = []  # RecordVersion rows (attname: value)
        self.conflicts: list[Conflict] = []
        self.decided: list[Item] = []
        self.audiences: dict[Key, frozenset[str]] = {}
        self.released: set[int] = set()
        self.viewers: dict[int, Viewer] = {}
        self.before: dict[Key, dict[str, Any] | None] = {}  # wire data before this transaction
        self.discard: dict[str, set[str]] = defaultdict(set)
        self.changes = changes if changes is not None else ChangeSet()

    # -- entry point --------------------------------------------------------------------------
    def run(self, items: Sequence[Item]) -> None:
        """Decide `items`, then every held record their outcome releases, round after round."""
        pending = self._parse_all(items)
        while pending:
            self._load(pending)
            for item in self._in_dependency_order(pending):
                self._decide(item)
                self.decided.append(item)
            pending = self._release_held(pending)

    def write(self) -> dict[str, set[str]]:
        """Write every decision in bulk; the change log flush stays the caller's last write."""
        changed: dict[str, set[str]] = defaultdict(set)
        changed_records: dict[str, dict[str, tuple[hooks.WireData | None, hooks.WireData | None]]]
        changed_records = {}
        for model in registry.order({k[0] for k in (*self.created, *self.dirty)}):
            adapter = registry[model]
            new = [i for k, i in self.created.items() if k[0] == model]
            if new:
                adapter.before_insert(new, self._context_for_any())
                bulk_insert(adapter.model, new)
                self._refresh_server_fields(adapter, new)
            updated: list[Record] = [
                self.current[k] for k in self.dirty if k[0] == model and k not in self.created
            ]
            if updated:
                fields = set().union(*(self.dirty[(model, str(i.pk))] for i in updated))
                fields |= {"version", "updated_at", "is_deleted", "deleted_at"}
                for instance in updated:
                    instance.updated_at = self.now
                bulk_update_rows(adapter.model, updated, sorted(fields))
            touched = [*new, *updated]
            self.changes.add(model, new, created=True)
            self.changes.add(model, updated)
            changed[model].update(str(i.pk) for i in touched)
            changed_records[model] = {
                str(i.pk): (
                    self.before.get((model, str(i.pk))),
                    None if i.is_deleted else adapter.to_wire(i),
                )
                for i in touched
            }
        self._write_discards()
        bulk_insert_rows(RecordVersion, self.new_versions)
        bulk_insert(Conflict, self.conflicts)
        self._fill_result_data()
        self._write_outcomes()
        hooks.records_changed(changed_records)
        return changed

    # -- parsing and loading -----------------------------------------------------------------
    def _parse_all(self, items: Sequence[Item]) -> list[Item]:
        seen: set[str] = set()
        valid = []
        for item in items:
            if item.inbox.status == InboxStatus.REJECTED and item.inbox.result:
                item.result = item.inbox.result  # refused on receipt (see push._inbox_record)
                self.decided.append(item)
                continue
            try:
                parse_item(item, item.inbox.payload)
            except Rejected as rejected:
                self._reject(item, rejected)
                self.decided.append(item)
                continue
            if item.record_id in seen:
                self._reject(
                    item,
                    Rejected(
                        {
                            "non_field_errors": [
                                "This record id already appears earlier in the batch."
                            ]
                        },
                        code="duplicate_in_batch",
                    ),
                )
                self.decided.append(item)
                continue
            seen.add(item.record_id)
            valid.append(item)
        return valid

    def _load(self, items: Sequence[Item]) -> None:
        """Lock the records these items change and fetch their parents, a query per model."""
        by_model: dict[str, set[str]] = defaultdict(set)
        for item in items:
            if item.key not in self.current:
                by_model[item.model].add(item.record_id)
        for model in sorted(by_model):
            adapter = registry[model]
            # A fixed lock order keeps concurrent pushes deadlock-free.
            ids = sorted(by_model[model])
            rows = adapter.queryset().select_for_update(of=("self",)).filter(pk__in=ids)
            found = {str(row.pk): row for row in rows.order_by("pk")}
            for record_id in ids:
                self.current[(model, record_id)] = found.get(record_id)
                self.locked_keys.add((model, record_id))
        parents: dict[str, set[str]] = defaultdict(set)
        for item in items:
            for ref in registry[item.model].parents:
                value = self._parent_id(item, ref.field)
                if value and (ref.model, value) not in self.current:
                    parents[ref.model].add(value)
        for model, parent_ids in parents.items():
            found = {str(r.pk): r for r in registry[model].queryset().filter(pk__in=parent_ids)}
            for record_id in parent_ids:
                self.current[(model, record_id)] = found.get(record_id)
        self._load_audiences(items)
        self._load_history(items)
        for item in items:
            self._context(item).lookups = self.lookups
        for model in {item.model for item in items}:
            registry[model].load_lookups(
                [item.data for item in items if item.model == model], self._context(items[0])
            )

    def _parent_id(self, item: Item, field_name: str) -> str | None:
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
            rows = RecordVersion.objects.filter(model=model, record_id__in=ids).values(
                "record_id", "version", "data", "device_id", "op", "base_version"
            )
            for row in rows:
                self.history.setdefault((model, row["record_id"]), []).append(dict(row))
        self.history_loaded |= keys

    def _context(self, item: Item) -> WriteContext:
        context = self.contexts.get(item.device.pk)
        if context is None:
            context = WriteContext(
                device=item.device, user=item.user, today=self.today, lookups=self.lookups
            )
            self.contexts[item.device.pk] = context
        return context

    def _viewer(self, item: Item) -> Viewer:
        viewer = self.viewers.get(item.user.pk)
        if viewer is None:
            viewer = self.viewers[item.user.pk] = Viewer.for_user(item.user)
        return viewer

    def _context_for_any(self) -> WriteContext:
        return next(iter(self.contexts.values()))

    def _in_dependency_order(self, items: Sequence[Item]) -> list[Item]:
        """Parents first: by model order, then records that refer to others in the same round."""
        model_rank = {m: i for i, m in enumerate(registry.order({i.model for i in items}))}
        by_key = {item.key: item for item in items}
        depth: dict[Key, int] = {}

        def depth_of(item: Item, trail: frozenset[Key]) -> int:
            if item.key in depth:
                return depth[item.key]
            result = 0
            for ref in registry[item.model].parents:
                parent_key = (ref.model, self._parent_id(item, ref.field) or "")
                parent = by_key.get(parent_key)
                if parent is not None and parent_key not in trail:
                    result = max(result, depth_of(parent, trail | {item.key}) + 1)
            depth[item.key] = result
            return result

        return sorted(items, key=lambda i: (model_rank[i.model], depth_of(i, frozenset())))

    # -- decisions ----------------------------------------------------------------------------
    def _decide(self, item: Item) -> None:
        adapter = registry[item.model]
        current = self.current.get(item.key)
        try:
            if current is not None and not item.user.is_nra:
                self._check_scope(item, item.key)
            if item.op == "delete":
                self._decide_delete(item, adapter, current)
            else:
                self._decide_upsert(item, adapter, current)
        except Rejected as rejected:
            self._reject(item, rejected)

    def _check_scope(self, item: Item, key: Key) -> None:
        if key in self.created:
            return
        audience = self.audiences.get(key, frozenset())
        if item.user.organisation_id not in audience:
            raise Rejected(
                {"non_field_errors": ["This record belongs to another organisation."]},
                code="forbidden",
            )

    def _decide_upsert(self, item: Item, adapter: SyncAdapter, current: Record | None) -> None:
        context = self._context(item)
        if current is None:
            self._create(item, adapter, {**adapter.defaults(context), **item.data})
            return
        hidden = adapter.hidden_fields(current, self._viewer(item))
        if hidden:  # what a sender was never shown, it cannot have meant to change
            item.data = {k: v for k, v in item.data.items() if k not in hidden}
        server = adapter.to_wire(current)
        if current.is_deleted:
            clean = self._validated(item, adapter, {**server, **item.data}, check_parents=False)
            sent = {f: clean[f] for f in item.data}
            self._conflict(
                item,
                adapter,
                current,
                ConflictKind.DELETED,
                server,
                None,
                sent,
                [f for f in sent if sent[f] != server.get(f)],
            )
            return
        if item.base_version is None:
            clean = self._validated(item, adapter, {**server, **item.data}, check_parents=False)
            if all(clean[f] == server.get(f) for f in item.data):
                self._finish(item, InboxStatus.UNCHANGED, current.version)
                return
            if current.created_by_device_id != item.device.pk:
                raise Rejected(
                    {"non_field_errors": ["A record with this id was created by another device."]},
                    code="id_conflict",
                )
            base = self._last_version_sent_by(item)
        else:
            base = self._snapshot(item, item.base_version, current)
        self._edit(item, adapter, current, server, base)

    def _edit(
        self,
        item: Item,
        adapter: SyncAdapter,
        current: Record,
        server: dict[str, Any],
        base: dict[str, Any] | None,
    ) -> None:
        """Three-way merge of the tablet's fields against the version it started from."""
        clean = self._validated(item, adapter, {**server, **item.data})
        sent = {f: clean[f] for f in item.data}
        if self._locked(adapter, current):
            clashes = [f for f in sent if sent[f] != server.get(f)]
            if clashes:
                self._conflict(
                    item, adapter, current, ConflictKind.LOCKED, server, base, sent, clashes
                )
            else:
                self._finish(item, InboxStatus.UNCHANGED, current.version)
            return
        applied: dict[str, Any] = {}
        clashes = []
        for name, value in sent.items():
            server_value = server.get(name)
            if value == server_value:
                continue
            base_value = base.get(name, _MISSING) if base is not None else _MISSING
            if base_value == server_value:
                applied[name] = value
            elif base_value != value:
                clashes.append(name)
            # else: only the server changed this field since the tablet's base: keep it.
        if not applied and not clashes:
            self._finish(item, InboxStatus.UNCHANGED, current.version)
            return
        final = {**server, **applied}
        if final != clean:
            final = self._validated(item, adapter, final)
        if applied:
            self._apply(item, adapter, current, server, final, op="update")
        if clashes:
            self._conflict(item, adapter, current, ConflictKind.FIELDS, server, base, sent, clashes)
        elif base is not None and any(
            server.get(k) != base.get(k)
            for k in server
            if k in final and k in adapter.writable_fields
        ):
            self._finish(item, InboxStatus.MERGED, current.version, with_data=True)
        else:
            self._finish(item, InboxStatus.APPLIED, current.version)

    def _create(self, item: Item, adapter: SyncAdapter, data: dict[str, Any]) -> None:
        clean = self._validated(item, adapter, data)
        context = self._context(item)
        instance = adapter.build(item.record_id, clean, context)
        self._attach_parents(adapter, instance)
        instance.version = 1
        instance.created_by_device = item.device
        self.current[item.key] = instance
        self.created[item.key] = instance
        self.before.setdefault(item.key, None)
        self.history_loaded.add(item.key)
        wire = adapter.to_wire(instance)
        self._record_version(item, "create", 1, wire, {})  # `data` is the whole creation
        self._finish(item, InboxStatus.APPLIED, 1)

    def _apply(
        self,
        item: Item,
        adapter: SyncAdapter,
        current: Record,
        server: dict[str, Any],
        final: dict[str, Any],
        *,
        op: str,
    ) -> None:
        self.before.setdefault(item.key, server)
        touched = adapter.assign(current, final)
        self._attach_parents(adapter, current)
        for ref in adapter.parents:  # the parent it left shows other counts or audience now
            old_parent = server.get(ref.field)
            if old_parent and old_parent != final.get(ref.field):
                self.changes.touch(ref.model, [old_parent])
        current.version += 1
        self.dirty.setdefault(item.key, set()).update(touched)
        wire = adapter.to_wire(current)
        changes = {k: [server.get(k), wire.get(k)] for k in wire if wire.get(k) != server.get(k)}
        self._record_version(item, op, current.version, wire, changes)

    def _decide_delete(self, item: Item, adapter: SyncAdapter, current: Record | None) -> None:
        if current is None:
            self._finish(item, InboxStatus.UNCHANGED, None)
            self._discard_held(item)
            return
        version = current.version
        if current.is_deleted:
            self._finish(item, InboxStatus.UNCHANGED, version)
            return
        server = adapter.to_wire(current)
        if self._locked(adapter, current):
            self._conflict(item, adapter, current, ConflictKind.LOCKED, server, None, {}, [])
            return
        base_version = item.base_version
        if base_version is None:
            sent_by_device = [
                v["version"]
                for v in self.history.get(item.key, [])
                if v["device_id"] == item.device.pk
            ]
            base_version = max(sent_by_device, default=None)
        if base_version is None or base_version < version:
            self._conflict(item, adapter, current, ConflictKind.DELETE, server, None, {}, [])
            return
        self.before.setdefault(item.key, server)
        current.is_deleted = True
        current.deleted_at = self.now
        current.version += 1
        self.dirty.setdefault(item.key, set()).update({"is_deleted", "deleted_at"})
        self._record_version(
            item,
            "delete",
            current.version,
            adapter.to_wire(current),
            {"deleted": [False, True]},
        )
        self._finish(item, InboxStatus.APPLIED, current.version)

    def _attach_parents(self, adapter: SyncAdapter, instance: Record) -> None:
        """Point a record at the parents this transaction holds (perhaps not yet inserted), so
        that reading them (is it locked? who sees it?) asks nothing of the database."""
        for ref in adapter.parents:
            parent_id = getattr(instance, f"{ref.field}_id", None)
            parent = self.current.get((ref.model, str(parent_id))) if parent_id else None
            if parent is not None:
                setattr(instance, ref.field, parent)

    def _locked(self, adapter: SyncAdapter, current: Record) -> bool:
        """Verified records take no edits from the field; NRA staff in admin locked them, and
        their review (resolving a conflict, merging a duplicate) still writes through here."""
        return self.source != RecordVersion.Source.ADMIN and adapter.is_locked(current)

    def _validated(
        self, item: Item, adapter: SyncAdapter, data: dict[str, Any], *, check_parents: bool = True
    ) -> dict[str, Any]:
        """Validate a full record; resolve its parents first (held if one is not here yet)."""
        context = self._context(item)
        missing: tuple[str, str] | None = None
        deleted: Errors = {}
        for ref in adapter.parents:
            value = data.get(ref.field)
            try:
                parent_id = str(uuid.UUID(str(value))) if value is not None else None
            except ValueError:
                continue
            if parent_id is None:
                continue
            if parent_id == item.record_id:
                raise Rejected({ref.field: ["A record cannot refer to itself."]})
            parent = self.current.get((ref.model, parent_id))
            if parent is None:
                missing = missing or (ref.model, parent_id)
                continue
            if parent.is_deleted:
                deleted[ref.field] = [f"The {ref.model} {parent_id} was deleted."]
                continue
            if not item.user.is_nra:
                self._check_scope(item, (ref.model, parent_id))
            context.parents.setdefault(ref.model, {})[parent_id] = parent
        clean, errors = adapter.validate(data, context)
        errors = {**errors, **deleted} if check_parents else errors
        if errors:
            raise Rejected(errors)
        if missing is not None and check_parents:
            raise _Held(*missing)
        return clean

    def _snapshot(self, item: Item, version: int, current: Record) -> dict[str, Any] | None:
        """The record as it was at `version` (None when that base is not known here).

        A version stored from another device's edit of a then unknown id is no base for this
        device: its number may stand for other content on this tablet.
        """
        history = self.history.get(item.key, [])
        row = next((r for r in history if r["version"] == version), None)
        if row is not None and _from_orphan_edit(row) and row["device_id"] != item.device.pk:
            return None
        if version >= current.version:
            return registry[item.model].to_wire(current)
        return dict(row["data"]) if row is not None else None

    def _last_version_sent_by(self, item: Item) -> dict[str, Any] | None:
        """A lost acknowledgement: the create is an edit of the last version this device sent.

        If this device's last change was an edit, the create is older than it (batches arrived
        out of order): no base then, so every differing field goes to review.
        """
        mine = [row for row in self.history.get(item.key, []) if row["device_id"] == item.device.pk]
        if not mine:
            return None
        last = max(mine, key=lambda row: row["version"])
        if last["base_version"] is not None:
            return None
        return dict(last["data"])

    # -- outcomes -----------------------------------------------------------------------------
    def _record_version(
        self, item: Item, op: str, version: int, data: dict[str, Any], changes: dict[str, Any]
    ) -> None:
        self.new_versions.append(
            {
                "model": item.model,
                "record_id": item.record_id,
                "version": version,
                "op": op,
                "data": data,
                "changes": changes,
                "source": self.source,
                "device_id": item.device.pk,
                "user_id": item.user.pk if item.user is not None else None,
                "inbox_record_id": item.inbox.pk,
                "recorded_at": item.recorded_at,
                "base_version": item.base_version,
            }
        )
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

    def _conflict(
        self,
        item: Item,
        adapter: SyncAdapter,
        current: Record,
        kind: str,
        server: dict[str, Any],
        base: dict[str, Any] | None,
        sent: dict[str, Any],
        clashes: list[str],
    ) -> None:
        fields = {
            name: {
                "base": (base or {}).get(name),
                "server": server.get(name),
                "tablet": sent.get(name),
            }
            for name in clashes
        }
        if clashes or kind in (ConflictKind.DELETE, ConflictKind.LOCKED):
            self.conflicts.append(
                Conflict(
                    model=item.model,
                    record_id=item.record_id,
                    kind=kind,
                    base_version=item.base_version,
                    server_version=current.version,
                    fields=fields,
                    inbox_record=item.inbox,
                    device=item.device,
                )
            )
        self._finish(
            item,
            InboxStatus.CONFLICT,
            current.version,
            with_data=True,
            extra={"conflict_fields": clashes},
        )
        if current.is_deleted and item.result is not None:
            item.result["deleted"] = True

    def _finish(
        self,
        item: Item,
        status: str,
        version: int | None,
        *,
        with_data: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> None:
        item.result = {
            "model": item.model,
            "id": item.record_id,
            "status": status,
            "version": version,
            **(extra or {}),
        }
        item.needs_data = with_data
        item.inbox.status = status
        item.inbox.waiting_for_model = ""
        item.inbox.waiting_for_id = ""
        item.inbox.resolved_at = self.now
        item.inbox.model = item.model
        item.inbox.record_id = item.record_id

    def _reject(self, item: Item, rejected: Rejected) -> None:
        if isinstance(rejected, _Held):
            item.result = {
                "model": item.model,
                "id": item.record_id,
                "status": InboxStatus.HELD,
                "waiting_for": {"model": rejected.model, "id": rejected.record_id},
            }
            item.inbox.status = InboxStatus.HELD
            item.inbox.waiting_for_model = rejected.model
            item.inbox.waiting_for_id = rejected.record_id
            item.inbox.resolved_at = None
        else:
            item.result = {
                "model": item.model,
                "id": item.record_id,
                "status": "rejected",
                "code": rejected.code,
                "errors": rejected.errors,
            }
            item.inbox.status = InboxStatus.REJECTED
            item.inbox.resolved_at = self.now
        item.inbox.model = item.model[:64]
        item.inbox.record_id = item.record_id[:64]

    def _discard_held(self, item: Item) -> None:
        """A record deleted before its parent arrived must not come back when it does."""
        self.discard[item.model].add(item.record_id)

    def _write_discards(self) -> None:
        for model, ids in self.discard.items():
            InboxRecord.objects.filter(
                status=InboxStatus.HELD, model=model, record_id__in=ids
            ).exclude(pk__in=self.released).update(
                status=InboxStatus.DISCARDED,
                resolved_at=self.now,
                result={"status": "discarded", "reason": "deleted by the device"},
            )

    def _release_held(self, items: Iterable[Item]) -> list[Item]:
        """Held records waiting for what this round applied: they go into the next round."""
        applied: dict[str, set[str]] = defaultdict(set)
        for item in items:
            if item.result and item.result["status"] in (InboxStatus.APPLIED, InboxStatus.MERGED):
                applied[item.model].add(item.record_id)
        released: list[Item] = []
        for model, ids in applied.items():
            rows = (
                InboxRecord.objects.select_for_update(of=("self",))
                .filter(status=InboxStatus.HELD, waiting_for_model=model, waiting_for_id__in=ids)
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
        if not released:
            return []
        return self._parse_all_released(released)

    def _parse_all_released(self, items: list[Item]) -> list[Item]:
        valid = []
        for item in items:
            try:
                parse_item(item, item.inbox.payload)
            except Rejected as rejected:
                self._reject(item, rejected)
                self.decided.append(item)
                continue
            valid.append(item)
        return valid

    # -- after the writes ---------------------------------------------------------------------
    def _refresh_server_fields(self, adapter: SyncAdapter, instances: Sequence[Record]) -> None:
        """Server-assigned fields (e.g. an accident's reference) reach the creation's history."""
        by_id = {str(i.pk): adapter.to_wire(i) for i in instances}
        for row in self.new_versions:
            wire = by_id.get(row["record_id"]) if row["model"] == adapter.wire_name else None
            if wire is not None:
                for name in adapter.read_only_fields:
                    if name in wire:
                        row["data"][name] = wire[name]

    def _write_outcomes(self) -> None:
        """Each received record's outcome. Plain successes of this batch share one statement per
        status (their result is in the batch's stored response); the others keep their own."""
        plain: dict[str, list[int]] = defaultdict(list)
        detailed = []
        for item in self.decided:
            status = item.inbox.status
            if status in PLAIN_OUTCOMES and item.inbox.pk not in self.released:
                plain[status].append(item.inbox.pk)
            else:
                detailed.append(item.inbox)
        for status, pks in plain.items():
            InboxRecord.objects.filter(pk__in=pks).update(
                status=status, resolved_at=self.now, waiting_for_model="", waiting_for_id=""
            )
        bulk_update_rows(
            InboxRecord,
            detailed,
            [
                "status",
                "result",
                "waiting_for_model",
                "waiting_for_id",
                "resolved_at",
                "model",
                "record_id",
            ],
        )

    def _fill_result_data(self) -> None:
        """`data` of merged and conflicting results: the server copy as the sender may see it."""
        wanted: dict[tuple[str, int], list[Item]] = defaultdict(list)
        for item in self.decided:
            if item.needs_data and item.result is not None:
                wanted[(item.model, item.device.pk)].append(item)
        for (model, _device), items in wanted.items():
            adapter = registry[model]
            viewer = self._viewer(items[0])
            ids = [i.record_id for i in items]
            instances = list(adapter.presentation_queryset().filter(pk__in=ids))
            presented = dict(
                zip((str(i.pk) for i in instances), adapter.present(instances, viewer), strict=True)
            )
            for item in items:
                if item.result is not None:
                    item.result["data"] = presented.get(item.record_id)
        for item in self.decided:
            item.inbox.result = item.result


def _from_orphan_edit(row: dict[str, Any]) -> bool:
    """A version created from an edit of an id the server did not know (base unknown)."""
    return row["op"] == "create" and row["base_version"] is not None


class _Held(Rejected):
    def __init__(self, model: str, record_id: str) -> None:
        super().__init__({}, code="held")
        self.model = model
        self.record_id = record_id
