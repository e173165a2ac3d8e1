"""The outcome of each pushed record: applied, unchanged, merged, in conflict, held or rejected.

Decisions are made in memory against the rows the store holds; what they produce (new rows,
edited rows, versions, conflicts) is handed to the store and the writer, never written here.
"""

from __future__ import annotations

import datetime
from typing import Any

from fieldsync.changelog import ChangeSet
from fieldsync.models import ConflictKind, InboxStatus, RecordVersion
from fieldsync.registry import SyncAdapter, registry
from fieldsync.services.reconcile.context import SenderContexts
from fieldsync.services.reconcile.items import Item, Record, Rejected
from fieldsync.services.reconcile.store import RecordStore
from fieldsync.services.reconcile.validation import RecordValidator
from fieldsync.services.reconcile.writer import OutcomeWriter

_MISSING = object()


class Decider:
    """Applies the sync contract's rules to one record at a time: the three-way merge of an edit,
    creations, deletions, and conflicts with the server's copy."""

    def __init__(
        self,
        *,
        store: RecordStore,
        validator: RecordValidator,
        writer: OutcomeWriter,
        contexts: SenderContexts,
        changes: ChangeSet,
        source: str,
        now: datetime.datetime,
    ) -> None:
        self.store = store
        self.validator = validator
        self.writer = writer
        self.contexts = contexts
        self.changes = changes
        self.source = source
        self.now = now

    def decide(self, item: Item) -> None:
        """Settle `item` (its result and inbox row); a refusal is an outcome, never raised."""
        adapter = registry[item.model]
        current = self.store.current.get(item.key)
        try:
            if current is not None and not item.user.is_nra:
                self.validator.check_stored(item, item.key)
            if item.op == "delete":
                self._decide_delete(item, adapter, current)
            else:
                self._decide_upsert(item, adapter, current)
        except Rejected as rejected:
            item.refuse(rejected, now=self.now)

    # -- upserts ------------------------------------------------------------------------------
    def _decide_upsert(self, item: Item, adapter: SyncAdapter, current: Record | None) -> None:
        context = self.contexts.context(item)
        if current is None:
            self._create(item, adapter, {**adapter.defaults(context), **item.data})
            return
        hidden = adapter.hidden_fields(current, self.contexts.viewer(item))
        if hidden:  # what a sender was never shown, it cannot have meant to change
            item.data = {k: v for k, v in item.data.items() if k not in hidden}
        server = adapter.to_wire(current)
        validated = self.validator.validated
        if current.is_deleted:
            clean = validated(item, adapter, {**server, **item.data}, check_parents=False)
            sent = {f: clean[f] for f in item.data}
            self._conflict(
                item,
                current,
                ConflictKind.DELETED,
                server,
                None,
                sent,
                [f for f in sent if sent[f] != server.get(f)],
            )
            return
        if item.base_version is None:
            clean = validated(item, adapter, {**server, **item.data}, check_parents=False)
            if all(clean[f] == server.get(f) for f in item.data):
                item.finish(InboxStatus.UNCHANGED, current.version, now=self.now)
                return
            if current.created_by_device_id != item.device.pk:
                raise Rejected(
                    {"non_field_errors": ["A record with this id was created by another device."]},
                    code="id_conflict",
                )
            base = self._last_version_sent_by(item)
        else:
            base = self._snapshot(item, item.base_version, current)
            if item.base_fields:
                base = {**(base or {}), **item.base_fields}
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
        clean = self.validator.validated(item, adapter, {**server, **item.data})
        if not item.user.is_nra:
            self.validator.check_moves(item, adapter, server, clean)
        sent = {f: clean[f] for f in item.data}
        if self._locked(adapter, current):
            clashes = [f for f in sent if sent[f] != server.get(f)]
            if clashes:
                self._conflict(item, current, ConflictKind.LOCKED, server, base, sent, clashes)
            else:
                item.finish(InboxStatus.UNCHANGED, current.version, now=self.now)
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
            item.finish(InboxStatus.UNCHANGED, current.version, now=self.now)
            return
        final = {**server, **applied}
        if final != clean:
            final = self.validator.validated(item, adapter, final)
        if applied:
            self._apply(item, adapter, current, server, final, op="update")
        if clashes:
            self._conflict(item, current, ConflictKind.FIELDS, server, base, sent, clashes)
        elif base is not None and any(
            server.get(k) != base.get(k)
            for k in server
            if k in final and k in adapter.writable_fields
        ):
            item.finish(InboxStatus.MERGED, current.version, now=self.now, with_data=True)
        else:
            item.finish(InboxStatus.APPLIED, current.version, now=self.now)

    def _create(self, item: Item, adapter: SyncAdapter, data: dict[str, Any]) -> None:
        clean = self.validator.validated(item, adapter, data)
        context = self.contexts.context(item)
        instance = adapter.build(item.record_id, clean, context)
        self.store.attach_parents(adapter, instance)
        instance.version = 1
        instance.created_by_device = item.device
        self.store.add_created(item, instance)
        wire = adapter.to_wire(instance)
        self._record_version(item, "create", 1, wire, {})  # `data` is the whole creation
        item.finish(InboxStatus.APPLIED, 1, now=self.now)

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
        touched = adapter.assign(current, final)
        self.store.attach_parents(adapter, current)
        for ref in adapter.parents:  # the parent it left shows other counts or audience now
            old_parent = server.get(ref.field)
            if old_parent and old_parent != final.get(ref.field):
                self.changes.touch(ref.model, [old_parent])
        current.version += 1
        self.store.add_edit(item, before=server, fields=touched)
        wire = adapter.to_wire(current)
        changes = {k: [server.get(k), wire.get(k)] for k in wire if wire.get(k) != server.get(k)}
        self._record_version(item, op, current.version, wire, changes)

    # -- deletes ------------------------------------------------------------------------------
    def _decide_delete(self, item: Item, adapter: SyncAdapter, current: Record | None) -> None:
        if current is None:
            item.finish(InboxStatus.UNCHANGED, None, now=self.now)
            self.writer.discard_held(item)
            return
        version = current.version
        if current.is_deleted:
            item.finish(InboxStatus.UNCHANGED, version, now=self.now)
            return
        server = adapter.to_wire(current)
        if self._locked(adapter, current):
            self._conflict(item, current, ConflictKind.LOCKED, server, None, {}, [])
            return
        base_version = item.base_version
        if base_version is None:
            sent_by_device = [
                v["version"]
                for v in self.store.history.get(item.key, [])
                if v["device_id"] == item.device.pk
            ]
            base_version = max(sent_by_device, default=None)
        if base_version is None or base_version < version:
            self._conflict(item, current, ConflictKind.DELETE, server, None, {}, [])
            return
        current.is_deleted = True
        current.deleted_at = self.now
        current.version += 1
        self.store.add_edit(item, before=server, fields=("is_deleted", "deleted_at"))
        self._record_version(
            item,
            "delete",
            current.version,
            adapter.to_wire(current),
            {"deleted": [False, True]},
        )
        item.finish(InboxStatus.APPLIED, current.version, now=self.now)

    # -- the rules' inputs --------------------------------------------------------------------
    def _locked(self, adapter: SyncAdapter, current: Record) -> bool:
        """Verified records take no edits from the field; NRA staff in admin locked them, and
        their review (resolving a conflict, merging a duplicate) still writes through here."""
        return self.source != RecordVersion.Source.ADMIN and adapter.is_locked(current)

    def _snapshot(self, item: Item, version: int, current: Record) -> dict[str, Any] | None:
        """The record as it was at `version` (None when that base is not known here).

        A version stored from another device's edit of a then unknown id is no base for this
        device: its number may stand for other content on this tablet.
        """
        history = self.store.history.get(item.key, [])
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
        history = self.store.history.get(item.key, [])
        mine = [row for row in history if row["device_id"] == item.device.pk]
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
        self.writer.add_version(item, op, version, data, changes)
        self.store.add_history(item, op, version, data)

    def _conflict(
        self,
        item: Item,
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
            self.writer.add_conflict(item, kind=kind, server_version=current.version, fields=fields)
        item.finish(
            InboxStatus.CONFLICT,
            current.version,
            now=self.now,
            with_data=True,
            extra={"conflict_fields": clashes},
        )
        if current.is_deleted and item.result is not None:
            item.result["deleted"] = True


def _from_orphan_edit(row: dict[str, Any]) -> bool:
    """A version created from an edit of an id the server did not know (base unknown)."""
    return row["op"] == "create" and row["base_version"] is not None
