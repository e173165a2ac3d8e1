"""What the server knows of a WatermelonDB device's past, read in bulk for one push: the
versions its edits were made on, what it pushed before, and its values awaiting review.

WatermelonDB sends no base version; the device's edits were made on the state its last pull
request left it in (`WatermelonState.pull_base`) plus what it pushed itself since. A push that
happened after that pull request is one the device has not pulled past: the same values again
are that push repeated (its answer was lost), never a new edit.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max

from fieldsync.models import (
    Conflict,
    ConflictStatus,
    Device,
    InboxRecord,
    RecordVersion,
    WatermelonState,
)
from fieldsync.watermelon.changes import Row

Key = tuple[str, str]


@dataclass(frozen=True)
class Sent:
    """The last record this device pushed for one id, as the inbox keeps it."""

    pk: int
    batch_pk: int
    payload: Any
    status: str

    def data(self) -> dict[str, Any]:
        data = self.payload.get("data") if isinstance(self.payload, dict) else None
        return data if isinstance(data, dict) else {}


@dataclass
class Past:
    """Everything one push needs to know of the device's history, by record."""

    pulled_at: int | None  # the last pull request's last_pulled_at (None: a first sync)
    since_base: set[int]  # batches pushed after that pull request
    current: dict[Key, int] = field(default_factory=dict)  # records the server has: version
    bases: dict[Key, int] = field(default_factory=dict)  # base version of each edit
    own: dict[Key, dict[str, Any]] = field(default_factory=dict)  # fields pushed since base
    sent: dict[Key, Sent] = field(default_factory=dict)
    # Open conflicts of this device: field -> [(batch, value the device sent)]; "" -> kinds.
    review: dict[Key, dict[str, list[tuple[int | None, Any]]]] = field(default_factory=dict)

    def repeated(self, key: Key) -> dict[str, Any]:
        """Values of this device's last push of the record, if it has not pulled past it."""
        sent = self.sent.get(key)
        return sent.data() if sent is not None and sent.batch_pk in self.since_base else {}

    def in_review(self, key: Key, name: str, value: Any, *, repeat_only: bool) -> bool:
        """`value` of field `name` already awaits review (`repeat_only`: from a push the device
        has not pulled past, i.e. the same push again)."""
        return any(
            sent == value and (not repeat_only or batch in self.since_base)
            for batch, sent in self.review.get(key, {}).get(name, [])
        )


def device_past(device: Device, rows: list[Row]) -> Past:
    state = WatermelonState.objects.filter(device=device).first()
    pulled_at = state.pull_base if state is not None else None
    since = {
        int(batch)
        for batch, seq in (state.pushes if state is not None else [])
        if pulled_at is None or int(seq) > pulled_at
    }
    past = Past(pulled_at=pulled_at, since_base=since)
    past.current = _existing(rows)
    edits = [r for r in rows if r.kind != "created" and key_of(r) in past.current]
    _bases(past, device, edits)
    _own_fields(past, device, edits)
    _last_sent(past, device, rows)
    _open_conflicts(past, device, edits)
    return past


def key_of(row: Row) -> Key:
    return (row.table.adapter.wire_name, row.record_id)


def is_uuid(value: str) -> bool:
    """A UUID as pulls send ids: lower case, with hyphens."""
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def by_model(rows: Iterable[Row]) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if not row.table.reference and is_uuid(row.record_id):
            ids[row.table.adapter.wire_name].append(row.record_id)
    return ids


def _existing(rows: list[Row]) -> dict[Key, int]:
    """Records the server holds (tombstones included) among the rows': current versions."""
    found: dict[Key, int] = {}
    adapters = {row.table.adapter.wire_name: row.table.adapter for row in rows}
    for model, ids in by_model(rows).items():
        manager = adapters[model].model._default_manager
        for pk, version in manager.filter(pk__in=ids).values_list("pk", "version"):
            found[(model, str(pk))] = version
    return found


def _bases(past: Past, device: Device, rows: list[Row]) -> None:
    """The version each edit was made on: the record as of the device's last pull request, or
    the last version this device stored as it sent it (no one else's change merged in),
    whichever is newer; 1 when neither is known."""
    bases: dict[Key, int] = {}
    for model, ids in by_model(rows).items():
        if past.pulled_at is not None:
            as_of = (
                RecordVersion.objects.filter(model=model, record_id__in=ids)
                .filter(commit_seq__lte=past.pulled_at)
                .values("record_id")
                .annotate(version=Max("version"))
            )
            for found in as_of:
                bases[(model, found["record_id"])] = found["version"]
        own = RecordVersion.objects.filter(model=model, record_id__in=ids, device=device).values(
            "record_id", "version", "base_version", "op"
        )
        for version in own:
            plain = version["base_version"] == version["version"] - 1 or (
                version["op"] == "create" and version["base_version"] is None
            )
            key = (model, version["record_id"])
            if plain and version["version"] > bases.get(key, 0):
                bases[key] = version["version"]
    for row in rows:
        key = key_of(row)
        past.bases[key] = min(bases.get(key, 1), past.current[key])


def _own_fields(past: Past, device: Device, rows: list[Row]) -> None:
    """The fields this device pushed since its last pull request, as it holds them: the value
    the server stored, or the device's own where it clashed (it keeps that until it pulls).
    Its edits since were made on these values, whoever else wrote the record meanwhile."""
    for model, ids in by_model(rows).items():
        versions = RecordVersion.objects.filter(model=model, record_id__in=ids, device=device)
        if past.pulled_at is not None:
            versions = versions.filter(commit_seq__gt=past.pulled_at)
        found = list(
            versions.order_by("version").values_list(
                "record_id", "data", "inbox_record_id", "inbox_record__payload"
            )
        )
        clashed: dict[int, set[str]] = defaultdict(set)
        for inbox, fields in Conflict.objects.filter(
            inbox_record_id__in=[inbox for _, _, inbox, _ in found if inbox is not None]
        ).values_list("inbox_record_id", "fields"):
            clashed[inbox].update(fields or {})
        for record_id, data, inbox, payload in found:
            sent = payload.get("data") if isinstance(payload, dict) else None
            if isinstance(sent, dict) and isinstance(data, dict):
                own = past.own.setdefault((model, record_id), {})
                for name, value in sent.items():
                    if name in clashed[inbox]:
                        own[name] = value
                    elif name in data:
                        own[name] = data[name]


def _last_sent(past: Past, device: Device, rows: list[Row]) -> None:
    for model, ids in by_model(rows).items():
        last = (
            InboxRecord.objects.filter(batch__device=device, model=model, record_id__in=ids)
            .values("record_id")
            .annotate(last=Max("pk"))
            .values_list("last", flat=True)
        )
        for record_id, pk, batch_pk, payload, status in InboxRecord.objects.filter(
            pk__in=list(last)
        ).values_list("record_id", "pk", "batch_id", "payload", "status"):
            past.sent[(model, record_id)] = Sent(pk, batch_pk, payload, status)


def _open_conflicts(past: Past, device: Device, rows: list[Row]) -> None:
    for model, ids in by_model(rows).items():
        conflicts = Conflict.objects.filter(
            model=model, record_id__in=ids, device=device, status=ConflictStatus.OPEN
        ).values_list("record_id", "kind", "fields", "inbox_record__batch__id")
        for record_id, kind, fields, batch in conflicts:
            values = past.review.setdefault((model, record_id), {})
            values.setdefault("", []).append((batch, kind))
            for name, sides in (fields or {}).items():
                if isinstance(sides, dict):
                    values.setdefault(name, []).append((batch, sides.get("tablet")))
