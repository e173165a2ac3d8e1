"""The WatermelonDB push: one batch of the sync engine (contract watermelondb.md, "Push").

Rows become v1 records: a created row is a new record, an updated row an edit of the columns in
its `_changed` made on the device's base, a deleted id a delete on that base. The base is the
record as of the device's last pull request (`WatermelonState.pull_base`), or the last version
this device stored itself where that is newer. Then `batch_push` stores, reconciles and answers
as it does for tablets; rejected rows are listed, and records the device does not hold as the
server does (conflicts, unchanged) are logged again so its next pull brings them back.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from fieldsync.changelog import ChangeSet
from fieldsync.models import (
    Conflict,
    ConflictKind,
    ConflictStatus,
    Device,
    InboxRecord,
    InboxStatus,
    RecordVersion,
    WatermelonState,
)
from fieldsync.services.push import batch_push, envelope_digest
from fieldsync.watermelon.changes import Row

#: Batch ids are derived from the content: the same push sent again is the same batch.
BATCH_NAMESPACE = uuid.UUID("5f0c1d2e-7a4b-4c39-9e61-2b8d7f3a9c10")
#: Outcomes after which the device may hold other values than the server: sent again.
RESEND = ("conflict", "unchanged")


@dataclass
class Plan:
    """The v1 records of a push, and what to send back to the device on its next pull."""

    records: list[dict[str, Any]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)  # the row of each record
    resend: set[tuple[str, str]] = field(default_factory=set)
    # Rows refused before, sent again unchanged while the first is still in review.
    refused: list[Row] = field(default_factory=list)
    pulled_at: int | None = None  # the device's base: its last pull request's last_pulled_at


def watermelon_push(*, device: Device, rows: list[Row]) -> dict[str, Any]:
    """Push `rows` as one batch; `{}` or `{"experimentalRejectedIds": {table: [ids]}}`."""
    plan = _plan(device, rows)
    rejected: dict[str, list[str]] = defaultdict(list)
    for row in plan.refused:
        rejected[row.table.name].append(row.record_id)
    if plan.records:
        envelope = {
            "device_id": str(device.device_id),
            "schema_version": settings.FIELDSYNC["SCHEMA_VERSION"],
            "records": plan.records,
        }
        # The same rows on the same base are the same batch: a repeat gets the stored answer.
        seed = f"{device.device_id}:{plan.pulled_at}:{envelope_digest(envelope)}"
        batch_id = uuid.uuid5(BATCH_NAMESPACE, seed)
        result = batch_push(
            device=device, batch_id=batch_id, envelope={"batch_id": str(batch_id), **envelope}
        )
        for row, outcome in zip(plan.rows, result.body["results"], strict=True):
            status = outcome.get("status")
            if status == "rejected":
                rejected[row.table.name].append(row.record_id)
            elif status in RESEND:
                plan.resend.add((row.table.adapter.wire_name, row.record_id))
    _resend(plan.resend)
    return {"experimentalRejectedIds": dict(rejected)} if rejected else {}


def _plan(device: Device, rows: list[Row]) -> Plan:
    existing = _existing(rows)
    edits = [r for r in rows if r.kind != "created" and _key(r) in existing]
    state = WatermelonState.objects.filter(device=device).first()
    pulled_at = state.pull_base if state is not None else None
    bases = _bases(device, pulled_at, edits, existing)
    last_sent = _last_sent(device, rows)
    repeated = _not_yet_pulled(pulled_at, last_sent)
    in_review = _open_conflicts(device, edits)
    plan = Plan(pulled_at=pulled_at)
    for row in rows:
        key = _key(row)
        record: dict[str, Any] = {
            "model": row.table.adapter.wire_name,
            "id": row.record_id,
            "watermelon": {"table": row.table.name, "status": row.kind},
        }
        if row.kind == "deleted":
            if key not in existing and not _is_uuid(row.record_id):
                continue  # an id the server cannot have stored: nothing to delete
            record |= {"op": "delete", "base_version": bases.get(key)}
            if ConflictKind.DELETE in in_review.get(key, {}).get("", ()):
                plan.resend.add(key)  # already in review: the same delete again adds nothing
                continue
        elif row.kind == "updated" and key in existing:
            data = row.table.wire_data(row.raw, row.changed)
            # What this device's earlier push stored, or left for review, it does not send
            # twice: the server's present value (perhaps another writer's since) comes back.
            already = repeated.get(key, {})
            reviewed = in_review.get(key, {})
            kept = {
                k: v
                for k, v in data.items()
                if not (k in already and already[k] == v) and v not in reviewed.get(k, ())
            }
            if kept != data:
                plan.resend.add(key)
            record |= {"op": "upsert", "base_version": bases[key], "data": kept}
            record["watermelon"]["changed"] = row.changed
        else:
            # A new record, or an edit of one the server does not have (a restore lost it, or it
            # is held): the whole row, as a creation.
            record |= {"op": "upsert", "base_version": None, "data": row.table.wire_data(row.raw)}
        earlier = last_sent.get(key)
        if earlier is not None and earlier.refused_as(record):
            plan.refused.append(row)  # answered as before: no second review item
            continue
        plan.records.append(record)
        plan.rows.append(row)
    return plan


def _key(row: Row) -> tuple[str, str]:
    return (row.table.adapter.wire_name, row.record_id)


def _by_model(rows: Iterable[Row]) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if _is_uuid(row.record_id):
            ids[row.table.adapter.wire_name].append(str(uuid.UUID(row.record_id)))
    return ids


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _existing(rows: list[Row]) -> dict[tuple[str, str], int]:
    """Records the server holds (tombstones included) among the rows': key -> current version."""
    found: dict[tuple[str, str], int] = {}
    tables = {row.table.adapter.wire_name: row.table for row in rows}
    for model, ids in _by_model(r for r in rows if not r.table.reference).items():
        manager = tables[model].adapter.model._default_manager
        for pk, version in manager.filter(pk__in=ids).values_list("pk", "version"):
            found[(model, str(pk))] = version
    return found


def _bases(
    device: Device, pulled_at: int | None, rows: list[Row], existing: dict[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    """The version each edit was made on: the record as of the device's last pull request, or
    the last version this device stored as it sent it, whichever is newer (1 when unknown)."""
    bases: dict[tuple[str, str], int] = {}
    for model, ids in _by_model(rows).items():
        if pulled_at is not None:
            as_of = (
                RecordVersion.objects.filter(model=model, record_id__in=ids)
                .filter(commit_seq__lte=pulled_at)
                .values("record_id")
                .annotate(version=Max("version"))
            )
            for row in as_of:
                bases[(model, row["record_id"])] = row["version"]
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
    return {key: min(bases.get(key, 1), existing[key]) for key in (_key(r) for r in rows)}


@dataclass(frozen=True)
class Sent:
    """The last record this device pushed for one id, as stored in the inbox."""

    pk: int
    payload: Any
    status: str
    stored_at: int | None  # commit_seq of the version it stored, if any

    def data(self) -> dict[str, Any] | None:
        data = self.payload.get("data") if isinstance(self.payload, dict) else None
        return data if isinstance(data, dict) else None

    def refused_as(self, record: dict[str, Any]) -> bool:
        """Refused, still awaiting review, and the same operation on the same values."""
        return (
            self.status == InboxStatus.REJECTED
            and isinstance(self.payload, dict)
            and self.payload.get("op") == record["op"]
            and self.data() == record.get("data")
        )


def _last_sent(device: Device, rows: list[Row]) -> dict[tuple[str, str], Sent]:
    last: dict[tuple[str, str], tuple[int, Any, str]] = {}
    for model, ids in _by_model(rows).items():
        sent = (
            InboxRecord.objects.filter(batch__device=device, model=model, record_id__in=ids)
            .order_by("record_id", "-pk")
            .values_list("record_id", "pk", "payload", "status")
        )
        for record_id, pk, payload, status in sent:
            last.setdefault((model, record_id), (pk, payload, status))
    stored = dict(
        RecordVersion.objects.filter(inbox_record_id__in=[pk for pk, _, _ in last.values()])
        .exclude(commit_seq=None)
        .values_list("inbox_record_id", "commit_seq")
    )
    return {
        key: Sent(pk, payload, status, stored.get(pk))
        for key, (pk, payload, status) in last.items()
    }


def _not_yet_pulled(
    pulled_at: int | None, last_sent: dict[tuple[str, str], Sent]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The fields this device's last push of each record stored after its last pull request:
    the device cannot have edited on top of anything newer, so the same values again are that
    push repeated (its answer was lost), never a new edit."""
    repeated: dict[tuple[str, str], dict[str, Any]] = {}
    for key, sent in last_sent.items():
        seq, data = sent.stored_at, sent.data()
        if seq is not None and (pulled_at is None or seq > pulled_at) and data is not None:
            repeated[key] = data
    return repeated


def _open_conflicts(device: Device, rows: list[Row]) -> dict[tuple[str, str], dict[str, list]]:
    """Values of this device already awaiting review: key -> field -> [values] ("" -> kinds)."""
    found: dict[tuple[str, str], dict[str, list]] = {}
    for model, ids in _by_model(rows).items():
        conflicts = Conflict.objects.filter(
            model=model, record_id__in=ids, device=device, status=ConflictStatus.OPEN
        ).values_list("record_id", "kind", "fields")
        for record_id, kind, fields in conflicts:
            values = found.setdefault((model, record_id), {})
            values.setdefault("", []).append(kind)
            for name, sides in (fields or {}).items():
                if isinstance(sides, dict):
                    values.setdefault(name, []).append(sides.get("tablet"))
    return found


def _resend(keys: set[tuple[str, str]]) -> None:
    """Log these records again: the device's next pull brings the server's copy back."""
    if not keys:
        return
    with transaction.atomic():
        changes = ChangeSet()
        for model, record_id in sorted(keys):
            if _is_uuid(record_id):
                changes.touch(model, [record_id])
        changes.flush()
