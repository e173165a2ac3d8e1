"""Which record names which file: `AttachmentRef` rows follow every write of a record."""

from __future__ import annotations

import uuid
from typing import Any

from fieldsync.hooks import ChangedRecords, WireData
from fieldsync.models import AttachmentRef
from fieldsync.registry import registry


def references_of(data: WireData | None, fields: tuple[str, ...]) -> set[tuple[str, str]]:
    """(field, sha256) of every file a record's wire data names."""
    if not data:
        return set()
    found: set[tuple[str, str]] = set()
    for field in fields:
        for item in data.get(field) or ():
            found.add((field, item["sha256"]))
    return found


def attachment_refs_update(changed: ChangedRecords) -> None:
    """Keep the references of the changed records (subscribed to `records_changed`).

    Only records whose attachment fields changed are touched: two queries per model and batch.
    A deleted record (a tombstone) names no file any more, so it no longer opens a download.
    """
    for model, records in changed.items():
        adapter = registry.get(model)
        if adapter is None or not adapter.attachment_fields:
            continue
        fields = adapter.attachment_fields
        moved: dict[str, set[tuple[str, str]]] = {}
        for record_id, (before, after) in records.items():
            now = references_of(after, fields)
            if references_of(before, fields) != now:
                moved[record_id] = now
        if not moved:
            continue
        AttachmentRef.objects.filter(model=model, record_id__in=list(moved)).delete()
        rows: list[Any] = [
            AttachmentRef(model=model, record_id=uuid.UUID(record_id), field=field, sha256=sha)
            for record_id, refs in moved.items()
            for field, sha in sorted(refs)
        ]
        AttachmentRef.objects.bulk_create(rows, ignore_conflicts=True)
