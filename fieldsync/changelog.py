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

from fieldsync.models import Change, ServerIdentity, SyncCommit, SyncCounter
from fieldsync.models.changelog import Audience
from fieldsync.registry import registry


@dataclass
class _Entry:
    version: int
    deleted: bool
    audience: frozenset[str]
    full: bool  # False: only the audience is recomputed, the content did not change


@dataclass
class ChangeSet:
    """The records one transaction changed; flushed into the change log just before commit."""

    entries: dict[tuple[str, str], _Entry] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def add(self, wire_model: str, instances: Sequence[Any], *, full: bool = True) -> None:
        if not instances:
            return
        adapter = registry[wire_model]
        if adapter.reference:
            audiences = {str(i.pk): frozenset({Audience.PUBLIC}) for i in instances}
        else:
            audiences = adapter.audience(instances)
        for instance in instances:
            key = (wire_model, str(instance.pk))
            previous = self.entries.get(key)
            self.entries[key] = _Entry(
                version=instance.version,
                deleted=bool(getattr(instance, "is_deleted", False)),
                audience=audiences[str(instance.pk)],
                full=full or bool(previous and previous.full),
            )

    def models(self) -> set[str]:
        return {model for model, _ in self.entries}

    def flush(self) -> int:
        """Write the change log rows; the last write of the transaction. Returns rows written."""
        if not self.entries:
            return 0
        _add_dependents(self)
        existing = _existing_audiences(self.entries.keys())
        rows: list[Change] = []
        for (model, record_id), entry in sorted(self.entries.items()):
            reference = registry[model].reference
            wanted = set(entry.audience) if reference else set(entry.audience) | {Audience.ALL}
            before = existing.get((model, record_id), set())
            targets = wanted if entry.full else wanted - before
            for audience in sorted(targets):
                rows.append(Change(model=model, record_id=record_id, audience=audience,
                                   version=entry.version, deleted=entry.deleted, visible=True))
            for audience in sorted(before - wanted):
                rows.append(Change(model=model, record_id=record_id, audience=audience,
                                   version=entry.version, deleted=entry.deleted, visible=False))
        self.entries.clear()
        if not rows:
            return 0
        low, high = take_sequence(len(rows))
        for offset, row in enumerate(rows):
            row.seq = low + offset
        Change.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["model", "record_id", "audience"],
            update_fields=["seq", "version", "deleted", "visible"],
        )
        return len(rows)


def _add_dependents(changes: ChangeSet) -> None:
    """Records whose view depends on the changed ones (their audience or derived fields)."""
    by_model: dict[str, list[str]] = {}
    for model, record_id in list(changes.entries):
        if changes.entries[(model, record_id)].full:
            by_model.setdefault(model, []).append(record_id)
    for model, ids in by_model.items():
        adapter = registry[model]
        if adapter.reference:
            continue
        instances = list(adapter.queryset().filter(pk__in=ids))
        for dep_model, (dep_ids, data_changed) in adapter.dependents(instances).items():
            missing = {i for i in dep_ids if (dep_model, i) not in changes.entries}
            if not missing:
                continue
            dep_adapter = registry[dep_model]
            changes.add(dep_model, list(dep_adapter.queryset().filter(pk__in=missing)),
                        full=data_changed)


def _existing_audiences(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], set[str]]:
    ids_by_model: dict[str, list[str]] = {}
    for model, record_id in keys:
        ids_by_model.setdefault(model, []).append(record_id)
    found: dict[tuple[str, str], set[str]] = {}
    for model, ids in ids_by_model.items():
        rows = Change.objects.filter(model=model, record_id__in=ids, visible=True).values_list(
            "record_id", "audience"
        )
        for record_id, audience in rows:
            found.setdefault((model, record_id), set()).add(audience)
    return found


def take_sequence(count: int) -> tuple[int, int]:
    """Reserve `count` sequence numbers; the counter row stays locked until commit."""
    assert transaction.get_connection().in_atomic_block, "take_sequence needs a transaction"
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
