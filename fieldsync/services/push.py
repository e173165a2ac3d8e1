"""Sync push: receive a batch durably, then reconcile it (sync contract, Push).

One transaction per batch: the batch and every record exactly as sent (the durable inbox) are
written first, then reconciled under a savepoint, and the response is stored. If reconciling
fails (after its retries), the savepoint is rolled back and the inbox is still committed: the
tablet's retry finds the stored batch and reconciles it then; nothing sent is lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from fieldsync.bulk import bulk_insert_rows
from fieldsync.changelog import ChangeSet
from fieldsync.models import Device, InboxRecord, InboxStatus, RecordVersion, SyncBatch
from fieldsync.services.reconcile import InboxRow, Item, Reconciler

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class PushResult:
    http_status: int
    body: dict[str, Any]


def envelope_digest(envelope: dict[str, Any]) -> str:
    """A digest of the batch's content, independent of key order and white space."""
    return _digest(_canonical(envelope))


def _canonical(envelope: dict[str, Any]) -> str:
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


#: Received rows of a batch (`{attname: value}` of InboxRecord, with their primary key).
InboxRows = list[dict[str, Any]]


def batch_push(
    *,
    device: Device,
    batch_id: uuid.UUID,
    envelope: dict[str, Any],
    source: str = RecordVersion.Source.SYNC,
) -> PushResult:
    """Store the batch as sent, reconcile it once, and answer replays with the stored response.

    Every writer of syncable records goes through here: tablets (`source=sync`) and, with a
    server-side device (`devices.server_device`), the partner API, imports and staff tools.
    """
    canonical = _canonical(envelope)
    digest = _digest(canonical)
    stored = SyncBatch.objects.filter(device=device, batch_id=batch_id).first()
    if stored is not None:  # a replay (the tablet's retry): no transaction needed
        answered = _answered(stored, digest)
        if answered is not None:
            return answered
    failure: Exception | None = None
    with transaction.atomic():
        batch, received = _batch_receive(
            device=device, batch_id=batch_id, envelope=envelope, canonical=canonical
        )
        answered = _answered(batch, digest) if received is None else None
        if answered is not None:
            return answered
        try:
            response = _with_retries(
                lambda: _batch_reconcile(batch=batch, device=device, rows=received, source=source)
            )
        except Exception as error:  # the savepoint is rolled back; the inbox is committed below
            failure = error
    if failure is not None:
        raise failure
    return PushResult(200, response)


def _answered(batch: SyncBatch, digest: str) -> PushResult | None:
    """The answer to a batch id received before: its stored response, or 409 for other content
    (None: received, not yet reconciled)."""
    if batch.body_sha256 != digest:
        return PushResult(
            409,
            {
                "code": "batch_id_reused",
                "detail": "This batch_id was already used for a batch with different content.",
            },
        )
    if batch.status == SyncBatch.Status.PROCESSED and batch.response is not None:
        return PushResult(200, batch.response)
    return None


def _batch_receive(
    *, device: Device, batch_id: uuid.UUID, envelope: dict[str, Any], canonical: str
) -> tuple[SyncBatch, InboxRows | None]:
    """The batch row and its inbox (`canonical`: the envelope's canonical JSON), written in the
    caller's transaction; the inbox rows as written (None when the batch was received before:
    its rows are read when needed)."""
    records = envelope["records"]
    digest, clean = _digest(canonical), _storable_text(canonical)
    try:
        with transaction.atomic():
            batch = SyncBatch.objects.create(
                device=device,
                batch_id=batch_id,
                body_sha256=digest,
                schema_version=envelope["schema_version"],
                record_count=len(records),
            )
    except IntegrityError:
        existing = SyncBatch.objects.select_for_update().get(device=device, batch_id=batch_id)
        return existing, None
    rows = [
        _inbox_record(batch, position, record, clean) for position, record in enumerate(records)
    ]
    bulk_insert_rows(InboxRecord, rows)
    keys = dict(batch.records.values_list("position", "pk"))
    for row in rows:
        row["id"] = keys[row["position"]]
    return batch, rows


def _storable_text(canonical: str) -> bool:
    """No text of the batch needs `storable` (most batches: then no record is walked)."""
    return "\\u0000" not in canonical and not SURROGATES.search(canonical)


def _inbox_record(batch: SyncBatch, position: int, record: Any, clean: bool) -> dict[str, Any]:
    """The InboxRecord row (attname: value) of a record as sent."""
    kept = record if clean else storable(record)
    inbox = {
        "batch_id": batch.pk,
        "position": position,
        "payload": kept,
        "model": _label(record, "model"),
        "record_id": _label(record, "id"),
        "status": InboxStatus.PENDING,
    }
    if kept != record:  # no database text column takes NUL: kept readable, refused
        inbox["status"] = InboxStatus.REJECTED
        inbox["result"] = {
            "model": inbox["model"],
            "id": inbox["record_id"],
            "status": "rejected",
            "code": "invalid",
            "errors": {
                "non_field_errors": ["Text may not contain NUL characters or unpaired surrogates."]
            },
        }
    return inbox


def batches_push_atomically(
    *, device: Device, envelopes: list[dict[str, Any]], source: str
) -> list[dict[str, Any]]:
    """Receive and reconcile several batches in ONE transaction: all or nothing (a file import).

    Each envelope is stored and answered like a pushed batch (a batch already processed answers
    its stored response, so importing a file again changes nothing), but nothing is visible to
    anyone until every batch is in, and the change log is written once, at the end.
    """
    changes = ChangeSet()
    responses = []
    with transaction.atomic():
        for envelope in envelopes:
            batch_id = uuid.UUID(str(envelope["batch_id"]))
            canonical = _canonical(envelope)
            batch, received = _batch_receive(
                device=device, batch_id=batch_id, envelope=envelope, canonical=canonical
            )
            if received is None and batch.body_sha256 != _digest(canonical):
                raise BatchIdReused(batch_id)
            responses.append(
                _batch_reconcile(
                    batch=batch, device=device, rows=received, source=source, changes=changes
                )
            )
        changes.flush()  # last write: holds the change counter until commit
    return responses


class BatchIdReused(Exception):
    """A batch id already used for other content."""


def _batch_reconcile(
    *,
    batch: SyncBatch,
    device: Device,
    rows: InboxRows | None,
    source: str,
    changes: ChangeSet | None = None,
) -> dict[str, Any]:
    """Reconcile a received batch in a savepoint; its change-log rows go to `changes` when the
    caller flushes them later in the same transaction, else they are flushed here, last."""
    with transaction.atomic():
        if batch.status == SyncBatch.Status.PROCESSED and batch.response is not None:
            return batch.response
        items = _items(batch, device, rows)
        reconciler = Reconciler(source=source, changes=changes)
        reconciler.run(items)
        reconciler.write()
        response = {"batch_id": str(batch.batch_id), "results": [item.result for item in items]}
        now = timezone.now()
        SyncBatch.objects.filter(pk=batch.pk).update(
            response=response, status=SyncBatch.Status.PROCESSED, processed_at=now
        )
        if changes is None:
            Device.objects.filter(pk=device.pk).update(last_push_at=now)
            reconciler.changes.flush()  # last write: holds the change counter until commit
    batch.response, batch.status, batch.processed_at = response, SyncBatch.Status.PROCESSED, now
    _log_outcome(batch, device, items)
    return response


def _items(batch: SyncBatch, device: Device, rows: InboxRows | None) -> list[Item]:
    """The batch's records to reconcile: as just written (fresh instances for every attempt),
    or read back when the batch was received before."""
    records: Sequence[InboxRecord | InboxRow]
    if rows is None:
        records = list(batch.records.order_by("position"))
    else:
        records = [
            InboxRow(
                id=row["id"],
                payload=row["payload"],
                status=row["status"],
                result=row.get("result"),
                model=row["model"],
                record_id=row["record_id"],
            )
            for row in rows
        ]
    user = device.user
    return [Item(inbox=record, device=device, user=user) for record in records]


def _with_retries(work: Callable[[], Any]) -> Any:
    """Run a savepoint again when it lost a race (a concurrent create, a deadlock)."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return work()
        except (IntegrityError, OperationalError) as error:
            if attempt == MAX_ATTEMPTS or not _retryable(error):
                raise
            logger.info("sync push retry %s after %s", attempt, type(error).__name__)
            time.sleep(random.uniform(0.005, 0.03) * attempt)  # noqa: S311  (jitter, not secrets)
    raise AssertionError("unreachable")


def _retryable(error: Exception) -> bool:
    if isinstance(error, IntegrityError):
        return True
    text = str(error).lower()
    return any(
        s in text
        for s in (
            "deadlock",
            "could not serialize",
            "database is locked",
            "lock timeout",
            "canceling statement due to lock",
        )
    )


UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")
SURROGATES = re.compile("[\ud800-\udfff]")


def storable(record: Any) -> Any:
    """The record as sent, but what no database text takes (NUL, unpaired UTF-16 surrogates)
    replaced by U+FFFD."""
    if isinstance(record, str):
        return UNSTORABLE_TEXT.sub("\ufffd", record) if UNSTORABLE_TEXT.search(record) else record
    if isinstance(record, dict):
        return {storable(k): storable(v) for k, v in record.items()}
    if isinstance(record, list):
        return [storable(v) for v in record]
    return record


def _label(record: Any, key: str) -> str:
    value = record.get(key) if isinstance(record, dict) else None
    return UNSTORABLE_TEXT.sub("\ufffd", value[:64]) if isinstance(value, str) else ""


def _log_outcome(batch: SyncBatch, device: Device, items: list[Item]) -> None:
    counts: dict[str, int] = {}
    for item in items:
        status = str(item.result["status"]) if item.result else "unknown"
        counts[status] = counts.get(status, 0) + 1
    # Only ids and counts: never record content (personal data must not reach logs).
    logger.info(
        "sync push batch=%s device=%s outcomes=%s", batch.batch_id, device.device_id, counts
    )
