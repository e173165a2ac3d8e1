"""The change log: which record changed, for whom, in commit order.

Every service that changes syncable records collects the changes in a `ChangeSet` and calls
`flush()` as the last write of its transaction. The flush takes sequence numbers from the single
`SyncCounter` row, whose lock is held until commit: numbers therefore become visible in commit
order, and a pull that has seen seq N can never later miss a change numbered below N.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from fieldsync.bulk import bulk_insert_rows, bulk_upsert_rows
from fieldsync.models import Change, RecordVersion, ServerIdentity, SyncCommit, SyncCounter
from fieldsync.models.changelog import Audience
from fieldsync.registry import registry


@dataclass
class ChangeSet:
    """The records one transaction changed; flushed into the change log just before commit.

    Audiences are worked out at flush time, after every write of the transaction, so that a
    record sees the rows that were inserted beside it (a victim and its new assistance).
    """

    # (wire model, record id) -> True when the content changed, False when only who sees it may
    entries: dict[tuple[str, str], bool] = field(default_factory=dict)
    # Instances the caller already holds, current as of the flush: saves reloading them.
    instances: dict[tuple[str, str], Any] = field(default_factory=dict)
    # Records this transaction inserted: nothing logged or stored before refers to them.
    created: set[tuple[str, str]] = field(default_factory=set)
    # RecordVersion rows (attname: value) of this transaction, inserted by the flush stamped
    # with its commit's highest sequence number (one COPY, no UPDATE after it).
    versions: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def add(
        self, wire_model: str, instances: Sequence[Any], *, full: bool = True, created: bool = False
    ) -> None:
        """Log `instances` (`created`: inserted by this transaction)."""
        for instance in instances:
            key = (wire_model, str(instance.pk))
            self.instances[key] = instance
            if created:
                self.created.add(key)
        self.touch(wire_model, [str(i.pk) for i in instances], full=full)

    def touch(self, wire_model: str, record_ids: Iterable[str], *, full: bool = True) -> None:
        for record_id in record_ids:
            key = (wire_model, str(record_id))
            self.entries[key] = full or self.entries.get(key, False)

    def pending_versions(self, keys: set[tuple[str, str]]) -> list[dict[str, Any]]:
        """The versions of these records this transaction holds for the flush."""
        return [row for row in self.versions if (row["model"], row["record_id"]) in keys]

    def flush(self) -> int:
        """Write the change log rows; the last write of the transaction. Returns rows written."""
        if not self.entries:
            self._insert_versions(None)
            return 0
        current = _load_with_dependents(self.entries, self.instances, self.created)
        existing = _existing_audiences(key for key in current if key not in self.created)
        rows: list[dict[str, Any]] = []
        for (model, record_id), (instance, audience) in sorted(current.items()):
            reference = registry[model].reference
            full = self.entries[(model, record_id)]
            wanted = set(audience) if reference else set(audience) | {Audience.ALL}
            before = existing.get((model, record_id), set())
            targets = wanted if full else wanted - before
            version = instance.version
            deleted = bool(getattr(instance, "is_deleted", False))
            # Who sees it now gets the change; who saw it and no longer does is told to drop it.
            news = [(key, True) for key in sorted(targets)]
            news += [(key, False) for key in sorted(before - wanted)]
            rows.extend(
                {
                    "model": model,
                    "record_id": record_id,
                    "audience": key,
                    "version": version,
                    "deleted": deleted,
                    "visible": visible,
                }
                for key, visible in news
            )
        changed_ids: dict[str, list[str]] = {}
        for (model, record_id), full in self.entries.items():
            if full and not registry[model].reference:
                changed_ids.setdefault(model, []).append(record_id)
        self.entries.clear()
        self.instances.clear()
        self.created.clear()
        if not rows:
            self._insert_versions(None)
            return 0
        low, high = take_sequence(len(rows))
        for offset, row in enumerate(rows):
            row["seq"] = low + offset
        carried = {(v["model"], v["record_id"]) for v in self.versions}
        self._insert_versions(high)
        _stamp_versions(
            {
                model: [i for i in ids if (model, i) not in carried]
                for model, ids in changed_ids.items()
            },
            high,
        )
        bulk_upsert_rows(
            Change,
            rows,
            unique_fields=["model", "record_id", "audience"],
            update_fields=["seq", "version", "deleted", "visible"],
        )
        return len(rows)

    def _insert_versions(self, commit_seq: int | None) -> None:
        for row in self.versions:
            row["commit_seq"] = commit_seq
        bulk_insert_rows(RecordVersion, self.versions)
        self.versions = []


def _stamp_versions(ids_by_model: dict[str, list[str]], high: int) -> None:
    """Mark the versions this transaction stored itself (not through `versions`) with its
    commit's highest sequence number, so that "the record as of seq N" can be read back (a
    WatermelonDB device's base)."""
    for model, ids in ids_by_model.items():
        for start in range(0, len(ids), STAMP_CHUNK):
            RecordVersion.objects.filter(
                model=model, record_id__in=ids[start : start + STAMP_CHUNK], commit_seq=None
            ).update(commit_seq=high)


STAMP_CHUNK = 900  # under SQLite's limit of bound variables, with room for the other filters


def _load_with_dependents(
    entries: dict[tuple[str, str], bool],
    held: dict[tuple[str, str], Any],
    created: set[tuple[str, str]],
) -> dict[tuple[str, str], tuple[Any, frozenset[str]]]:
    """The changed records and those whose view depends on them, with their audiences now."""
    loaded: dict[tuple[str, str], tuple[Any, frozenset[str]]] = {}
    pending = dict(entries)
    while pending:
        by_model: dict[str, list[str]] = {}
        for model, record_id in pending:
            by_model.setdefault(model, []).append(record_id)
        next_pending: dict[tuple[str, str], bool] = {}
        for model, ids in by_model.items():
            adapter = registry[model]
            instances = [held[(model, i)] for i in ids if (model, i) in held]
            missing = [i for i in ids if (model, i) not in held]
            if missing:
                instances += list(adapter.queryset().filter(pk__any_of=missing))
            if adapter.reference:
                audiences = {str(i.pk): frozenset({Audience.PUBLIC}) for i in instances}
            else:
                audiences = adapter.audience(instances)
            for instance in instances:
                loaded[(model, str(instance.pk))] = (instance, audiences[str(instance.pk)])
            if adapter.reference:
                continue
            content_changed = [i for i in instances if pending[(model, str(i.pk))]]
            new = [i for i in content_changed if (model, str(i.pk)) in created]
            old = [i for i in content_changed if (model, str(i.pk)) not in created]
            found = [
                *adapter.dependents(old).items(),
                *adapter.dependents_of_created(new).items(),
            ]
            for dep_model, (dep_ids, data_changed) in found:
                for dep_id in dep_ids:
                    key = (dep_model, str(dep_id))
                    if key in loaded or key in pending:
                        if data_changed and key in entries:
                            entries[key] = True
                        continue
                    entries[key] = data_changed or entries.get(key, False)
                    next_pending[key] = data_changed
        pending = next_pending
    return loaded


def _existing_audiences(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], set[str]]:
    ids_by_model: dict[str, list[str]] = {}
    for model, record_id in keys:
        ids_by_model.setdefault(model, []).append(record_id)
    found: dict[tuple[str, str], set[str]] = {}
    for model, ids in ids_by_model.items():
        rows = Change.objects.filter(model=model, record_id__any_of=ids, visible=True).values_list(
            "record_id", "audience"
        )
        for record_id, audience in rows:
            found.setdefault((model, record_id), set()).add(audience)
    return found


def take_sequence(count: int) -> tuple[int, int]:
    """Reserve `count` sequence numbers; the counter row stays locked until commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_sequence must run inside the transaction it numbers")
    table = SyncCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET value = value + %s WHERE id = 1 RETURNING value",  # noqa: S608
            [count],
        )
        row = cursor.fetchone()
        if row is None:
            SyncCounter.objects.bulk_create([SyncCounter(id=1, value=0)], ignore_conflicts=True)
            cursor.execute(
                f"UPDATE {table} SET value = value + %s WHERE id = 1 RETURNING value",  # noqa: S608
                [count],
            )
            row = cursor.fetchone()
    high = int(row[0])
    low = high - count + 1
    SyncCommit.objects.create(seq_high=high, seq_low=low, nonce=secrets.token_hex(8))
    return low, high


def server_epoch() -> str:
    """This installation's identity (created on first use)."""
    identity = ServerIdentity.objects.filter(pk=1).first()
    if identity is None:
        ServerIdentity.objects.bulk_create([ServerIdentity(pk=1)], ignore_conflicts=True)
        identity = ServerIdentity.objects.get(pk=1)
    return identity.epoch.hex


def commit_nonce(seq: int) -> str | None:
    """The nonce of the commit that handed out `seq` (None if no such commit exists)."""
    if seq == 0:
        return ""
    commit = SyncCommit.objects.filter(seq_high__gte=seq).order_by("seq_high").first()
    if commit is None or commit.seq_low > seq:
        return None
    return commit.nonce


def latest_seq() -> int:
    commit = SyncCommit.objects.order_by("-seq_high").first()
    return commit.seq_high if commit else 0
