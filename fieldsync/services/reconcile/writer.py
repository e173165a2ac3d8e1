"""The writes of a reconciled transaction: a fixed number of bulk statements, whatever its size."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from fieldsync import hooks
from fieldsync.bulk import bulk_insert, bulk_update_rows
from fieldsync.changelog import ChangeSet
from fieldsync.models import REVIEWABLE, Conflict, InboxRecord, InboxStatus
from fieldsync.registry import SyncAdapter, registry
from fieldsync.services.reconcile.context import SenderContexts
from fieldsync.services.reconcile.items import Item, Record
from fieldsync.services.reconcile.store import RecordStore

PLAIN_OUTCOMES = (InboxStatus.APPLIED, InboxStatus.UNCHANGED)
#: Outcomes after which the server holds the record as its sender asked.
STORED_OUTCOMES = (InboxStatus.APPLIED, InboxStatus.MERGED, InboxStatus.UNCHANGED)


class OutcomeWriter:
    """Collects the versions, conflicts and discards decided, then writes them with the records'
    inserts and updates, the change log, and each received record's outcome."""

    def __init__(
        self,
        *,
        store: RecordStore,
        contexts: SenderContexts,
        changes: ChangeSet,
        source: str,
        now: datetime.datetime,
    ) -> None:
        self.store = store
        self.contexts = contexts
        self.changes = changes
        self.source = source
        self.now = now
        self.new_versions: list[dict[str, Any]] = []  # RecordVersion rows (attname: value)
        self.conflicts: list[Conflict] = []
        self.discard: dict[str, set[str]] = defaultdict(set)

    # -- collected while deciding -------------------------------------------------------------
    def add_version(
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

    def add_conflict(
        self, item: Item, *, kind: str, server_version: int, fields: dict[str, Any]
    ) -> None:
        self.conflicts.append(
            Conflict(
                model=item.model,
                record_id=item.record_id,
                kind=kind,
                base_version=item.base_version,
                server_version=server_version,
                fields=fields,
                inbox_record_id=item.inbox.pk,
                device=item.device,
            )
        )

    def discard_held(self, item: Item) -> None:
        """A record deleted before its parent arrived must not come back when it does."""
        self.discard[item.model].add(item.record_id)

    # -- the writes ---------------------------------------------------------------------------
    def write(self, decided: Sequence[Item]) -> dict[str, set[str]]:
        """Write every decision in bulk; the change log flush stays the caller's last write."""
        store = self.store
        changed: dict[str, set[str]] = defaultdict(set)
        changed_records: dict[str, dict[str, tuple[hooks.WireData | None, hooks.WireData | None]]]
        changed_records = {}
        for model in registry.order({k[0] for k in (*store.created, *store.dirty)}):
            adapter = registry[model]
            new = [i for k, i in store.created.items() if k[0] == model]
            wires: dict[str, hooks.WireData] = {}  # of the new records, as inserted
            if new:
                adapter.before_insert(new, self.contexts.any_context())
                bulk_insert(adapter.model, new)
                wires = self._refresh_server_fields(adapter, new)
            updated: list[Record] = [
                store.current[k] for k in store.dirty if k[0] == model and k not in store.created
            ]
            if updated:
                fields = set().union(*(store.dirty[(model, str(i.pk))] for i in updated))
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
                    store.before.get((model, str(i.pk))),
                    None if i.is_deleted else wires.get(str(i.pk)) or adapter.to_wire(i),
                )
                for i in touched
            }
        self._write_discards()
        self.changes.versions.extend(self.new_versions)  # inserted by the flush, stamped
        bulk_insert(Conflict, self.conflicts)
        self._fill_result_data(decided)
        self._write_outcomes(decided)
        self._supersede_reviewable(decided)
        hooks.records_changed(changed_records)
        return changed

    def _write_discards(self) -> None:
        for model, ids in self.discard.items():
            InboxRecord.objects.filter(
                status=InboxStatus.HELD, model=model, record_id__any_of=ids
            ).exclude(pk__any_of=self.store.released).update(
                status=InboxStatus.DISCARDED,
                resolved_at=self.now,
                result={"status": "discarded", "reason": "deleted by the device"},
            )

    def _refresh_server_fields(
        self, adapter: SyncAdapter, instances: Sequence[Record]
    ) -> dict[str, hooks.WireData]:
        """Server-assigned fields (e.g. an accident's reference) reach the creation's history;
        returns the inserted records' wire data."""
        by_id = {str(i.pk): adapter.to_wire(i) for i in instances}
        for row in self.new_versions:
            wire = by_id.get(row["record_id"]) if row["model"] == adapter.wire_name else None
            if wire is not None:
                for name in adapter.read_only_fields:
                    if name in wire:
                        row["data"][name] = wire[name]
        return by_id

    def _write_outcomes(self, decided: Sequence[Item]) -> None:
        """Each received record's outcome. Plain successes of this batch share one statement per
        status (their result is in the batch's stored response); the others keep their own."""
        released = self.store.released
        plain: dict[str, list[int]] = defaultdict(list)
        detailed = []
        for item in decided:
            status = item.inbox.status
            if status in PLAIN_OUTCOMES and item.inbox.pk not in released:
                plain[status].append(item.inbox.pk)
            else:
                detailed.append(item.inbox)
        for status, pks in plain.items():
            InboxRecord.objects.filter(pk__any_of=pks).update(
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

    def _supersede_reviewable(self, decided: Sequence[Item]) -> None:
        """Held and rejected records of earlier transactions leave the review queue when a record
        of the same id is now stored as sent (re-sent fixed, fixed by staff, deleted): one
        statement per model. Their payload and errors stay, for the history."""
        stored: dict[str, set[str]] = defaultdict(set)
        for item in decided:
            if item.inbox.status in STORED_OUTCOMES and item.record_id:
                stored[item.model].add(item.record_id)
        this_run = [item.inbox.pk for item in decided]
        for model, ids in stored.items():
            InboxRecord.objects.filter(
                status__in=REVIEWABLE, model=model, record_id__any_of=ids
            ).exclude(pk__any_of=this_run).update(
                status=InboxStatus.SUPERSEDED,
                resolved_at=self.now,
                waiting_for_model="",
                waiting_for_id="",
            )

    def _fill_result_data(self, decided: Sequence[Item]) -> None:
        """`data` of merged and conflicting results: the server copy as the sender may see it."""
        wanted: dict[tuple[str, int], list[Item]] = defaultdict(list)
        for item in decided:
            if item.needs_data and item.result is not None:
                wanted[(item.model, item.device.pk)].append(item)
        for (model, _device), items in wanted.items():
            adapter = registry[model]
            viewer = self.contexts.viewer(items[0])
            ids = [i.record_id for i in items]
            instances = list(adapter.presentation_queryset().filter(pk__any_of=ids))
            presented = dict(
                zip((str(i.pk) for i in instances), adapter.present(instances, viewer), strict=True)
            )
            for item in items:
                if item.result is not None:
                    item.result["data"] = presented.get(item.record_id)
        for item in decided:
            item.inbox.result = item.result
