"""Sync push: receive a batch durably, then reconcile it (sync contract, Push).

Two transactions: the first stores the batch and every record exactly as sent (the durable
inbox), the second reconciles them and stores the response. A crash between the two loses
nothing: the tablet's retry finds the stored batch and reconciles it then.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from fieldsync.bulk import bulk_insert_rows
from fieldsync.changelog import ChangeSet
from fieldsync.models import Device, InboxRecord, InboxStatus, RecordVersion, SyncBatch
from fieldsync.services.reconcile import Item, Reconciler

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class PushResult:
    http_status: int
    body: dict[str, Any]


def envelope_digest(envelope: dict[str, Any]) -> str:
    """A digest of the batch's content, independent of key order and white space."""
    canonical = json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


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
    digest = envelope_digest(envelope)
    batch, created = _batch_receive(
        device=device, batch_id=batch_id, envelope=envelope, digest=digest
    )
    if not created and batch.body_sha256 != digest:
        return PushResult(
            409,
            {
                "code": "batch_id_reused",
                "detail": "This batch_id was already used for a batch with different content.",
            },
        )
    if batch.status == SyncBatch.Status.PROCESSED and batch.response is not None:
        return PushResult(200, batch.response)
    response = _with_retries(lambda: _batch_reconcile(batch_pk=batch.pk, source=source))
    Device.objects.filter(pk=device.pk).update(last_push_at=timezone.now())
    return PushResult(200, response)


def _batch_receive(
    *, device: Device, batch_id: uuid.UUID, envelope: dict[str, Any], digest: str
) -> tuple[SyncBatch, bool]:
    records = envelope["records"]
    with transaction.atomic():
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
            return SyncBatch.objects.get(device=device, batch_id=batch_id), False
        bulk_insert_rows(
            InboxRecord,
            [_inbox_record(batch, position, record) for position, record in enumerate(records)],
        )
    return batch, True


def _inbox_record(batch: SyncBatch, position: int, record: Any) -> dict[str, Any]:
    """The InboxRecord row (attname: value) of a record as sent."""
    kept = storable(record)
    inbox = {
        "batch_id": batch.pk,
        "position": position,
        "payload": kept,
        "model": _label(record, "model"),
        "record_id": _label(record, "id"),
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
            digest = envelope_digest(envelope)
            batch, created = _batch_receive(
                device=device, batch_id=batch_id, envelope=envelope, digest=digest
            )
            if not created and batch.body_sha256 != digest:
                raise BatchIdReused(batch_id)
            responses.append(_batch_reconcile(batch_pk=batch.pk, source=source, changes=changes))
        changes.flush()  # last write: holds the change counter until commit
    return responses


class BatchIdReused(Exception):
    """A batch id already used for other content."""


def _batch_reconcile(
    *, batch_pk: int, source: str, changes: ChangeSet | None = None
) -> dict[str, Any]:
    """Reconcile a received batch; its change-log rows go to `changes` when the caller flushes
    them later in the same transaction, else they are flushed here, last."""
    with transaction.atomic():
        batch = (
            SyncBatch.objects.select_for_update().select_related("device__user").get(pk=batch_pk)
        )
        if batch.status == SyncBatch.Status.PROCESSED and batch.response is not None:
            return batch.response
        device = batch.device
        items = [
            Item(inbox=record, device=device, user=device.user)
            for record in batch.records.order_by("position")
        ]
        reconciler = Reconciler(source=source, changes=changes)
        reconciler.run(items)
        reconciler.write()
        batch.response = {
            "batch_id": str(batch.batch_id),
            "results": [item.result for item in items],
        }
        batch.status = SyncBatch.Status.PROCESSED
        batch.processed_at = timezone.now()
        batch.save(update_fields=["response", "status", "processed_at"])
        if changes is None:
            reconciler.changes.flush()  # last write: holds the change counter until commit
    _log_outcome(batch, items)
    return batch.response


def _with_retries(work: Any) -> Any:
    """Run a transaction again when it lost a race (a concurrent create, a deadlock)."""
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


def _log_outcome(batch: SyncBatch, items: list[Item]) -> None:
    counts: dict[str, int] = {}
    for item in items:
        status = str(item.result["status"]) if item.result else "unknown"
        counts[status] = counts.get(status, 0) + 1
    # Only ids and counts: never record content (personal data must not reach logs).
    logger.info(
        "sync push batch=%s device=%s outcomes=%s", batch.batch_id, batch.device.device_id, counts
    )
