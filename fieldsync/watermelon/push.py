"""The WatermelonDB push: one batch of the sync engine (contract watermelondb.md, "Push").

Rows become v1 records: a created row is a new record, an updated row an edit of the columns in
its `_changed`, a deleted id a delete. Edits and deletes are made on the device's base (see
`history`): the version as of its last pull request, with the fields it pushed itself since.
Values of a push the device has not pulled past are that push repeated, and are not merged
twice. Then `batch_push` stores, reconciles and answers as it does for tablets; rejected rows are
listed, and records the device may hold otherwise than the server (conflicts, unchanged,
repeats) are logged again so its next pull brings them back.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fieldsync.changelog import ChangeSet, latest_seq
from fieldsync.models import (
    ConflictKind,
    Device,
    InboxRecord,
    InboxStatus,
    SyncBatch,
    WatermelonState,
)
from fieldsync.models.watermelon import ISSUED_KEPT
from fieldsync.services.push import batch_push, envelope_digest, storable
from fieldsync.watermelon.changes import Row
from fieldsync.watermelon.history import Key, Past, device_past, is_uuid, key_of

#: Batch ids are derived from the content: the same push sent again is the same batch.
BATCH_NAMESPACE = uuid.UUID("5f0c1d2e-7a4b-4c39-9e61-2b8d7f3a9c10")
#: Outcomes after which the device may hold other values than the server: sent again.
RESEND = ("conflict", "unchanged")


@dataclass
class Plan:
    """The v1 records of a push, and what to send back to the device on its next pull."""

    past: Past
    records: list[dict[str, Any]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)  # the row of each record
    resend: set[Key] = field(default_factory=set)


def watermelon_push(*, device: Device, rows: list[Row]) -> dict[str, Any]:
    """Push `rows` as one batch; `{}` or `{"experimentalRejectedIds": {table: [ids]}}`."""
    plan = _plan(device, rows)
    rejected: dict[str, list[str]] = defaultdict(list)
    if plan.records:
        envelope = {
            "device_id": str(device.device_id),
            "schema_version": settings.FIELDSYNC["SCHEMA_VERSION"],
            "records": plan.records,
        }
        # The same rows on the same base are the same batch: a repeat gets the stored answer.
        seed = f"{device.device_id}:{plan.past.pulled_at}:{envelope_digest(envelope)}"
        batch_id = uuid.uuid5(BATCH_NAMESPACE, seed)
        result = batch_push(
            device=device, batch_id=batch_id, envelope={"batch_id": str(batch_id), **envelope}
        )
        again = []
        for row, record, outcome in zip(
            plan.rows, plan.records, result.body["results"], strict=True
        ):
            status = outcome.get("status")
            if status == "rejected":
                rejected[row.table.name].append(row.record_id)
                again.append((key_of(row), record))
            elif status in RESEND:
                plan.resend.add(key_of(row))
        _supersede_refused(plan.past, again)
        _resend(plan.resend)
        _remember(device, batch_id)
    else:
        _resend(plan.resend)
    return {"experimentalRejectedIds": dict(rejected)} if rejected else {}


def _plan(device: Device, rows: list[Row]) -> Plan:
    past = device_past(device, rows)
    plan = Plan(past=past)
    for row in rows:
        key = key_of(row)
        record: dict[str, Any] = {
            "model": row.table.adapter.wire_name,
            "id": row.record_id,
            "watermelon": {"table": row.table.name, "status": row.kind},
        }
        if row.kind == "deleted":
            if key not in past.current and not row.table.reference and not is_uuid(row.record_id):
                continue  # an id the server cannot have stored: nothing to delete
            record |= {"op": "delete", "base_version": past.bases.get(key)}
            if past.in_review(key, "", ConflictKind.DELETE, repeat_only=True):
                plan.resend.add(key)  # the same delete again, already in review: nothing new
                continue
        elif row.kind == "updated" and key in past.current:
            data = row.table.wire_data(row.raw, row.changed)
            repeated = past.repeated(key)
            kept = {
                name: value
                for name, value in data.items()
                if not (name in repeated and repeated[name] == value)
                and not past.in_review(key, name, value, repeat_only=True)
            }
            if kept != data:
                plan.resend.add(key)  # what it repeats comes back as the server has it now
            own = past.own.get(key, {})
            record |= {"op": "upsert", "base_version": past.bases[key], "data": kept}
            record["watermelon"] |= {
                "changed": row.changed,
                "base": {name: own[name] for name in kept if name in own},
            }
        else:
            # A new record, or an edit of one the server does not have (a restore lost it, or it
            # is held): the whole row, as a creation.
            record |= {"op": "upsert", "base_version": None, "data": row.table.wire_data(row.raw)}
        plan.records.append(record)
        plan.rows.append(row)
    return plan


def _supersede_refused(past: Past, again: list[tuple[Key, dict[str, Any]]]) -> None:
    """A row refused again exactly as before (WatermelonDB sends rejected rows on every sync)
    leaves one item in the review queue: the newest; the earlier ones become history."""
    earlier = []
    for key, record in again:
        sent = past.sent.get(key)
        if (
            sent is not None
            and sent.status == InboxStatus.REJECTED
            and isinstance(sent.payload, dict)
            and sent.payload.get("op") == record["op"]
            and sent.data() == storable(record.get("data", {}))
        ):
            earlier.append(sent.pk)
    if earlier:
        InboxRecord.objects.filter(pk__in=earlier, status=InboxStatus.REJECTED).update(
            status=InboxStatus.SUPERSEDED, resolved_at=timezone.now()
        )


def _resend(keys: set[Key]) -> None:
    """Log these records again: the device's next pull brings the server's copy back."""
    if not keys:
        return
    with transaction.atomic():
        changes = ChangeSet()
        for model, record_id in sorted(keys):
            if is_uuid(record_id):
                changes.touch(model, [record_id])
        changes.flush()


def _remember(device: Device, batch_id: uuid.UUID) -> None:
    """Where this push stands in the change sequence: a later pull request past it means the
    device has seen what the server made of it."""
    batch = SyncBatch.objects.filter(device=device, batch_id=batch_id).values_list("pk", flat=True)
    batch_pk = batch.first()
    with transaction.atomic():
        state, _ = WatermelonState.objects.select_for_update().get_or_create(device=device)
        pushes = [entry for entry in state.pushes if int(entry[0]) != batch_pk]
        state.pushes = [*pushes, [batch_pk, latest_seq()]][-ISSUED_KEPT:]
        state.save(update_fields=["pushes"])
