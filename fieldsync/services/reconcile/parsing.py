"""The envelope of each pushed record (model, id, op, base_version...), checked before any row is
read: a malformed record, an unknown model or an id repeated in the batch is refused here."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fieldsync.models import InboxStatus
from fieldsync.registry import Errors, registry
from fieldsync.services.reconcile.items import Item, Rejected

OPS = ("upsert", "delete")


def parse_item(item: Item, payload: Any) -> None:
    """Check the record's envelope (model, id, op, base_version...); raise Rejected if wrong."""
    if not isinstance(payload, dict):
        raise Rejected({"non_field_errors": ["A record must be a JSON object."]})
    model = payload.get("model")
    item.model = model if isinstance(model, str) else ""
    record_id = payload.get("id")
    item.record_id = record_id if isinstance(record_id, str) else ""
    adapter = registry.get(item.model)
    if adapter is None or adapter.reference:
        raise Rejected({"model": [f"Unknown model '{str(model)[:64]}'."]}, code="unknown_model")
    errors: Errors = {}
    try:
        item.record_id = str(uuid.UUID(str(record_id))) if isinstance(record_id, str) else ""
    except ValueError:
        item.record_id = ""
    if not item.record_id:
        errors["id"] = ["Must be a valid UUID."]
    wire = payload.get("watermelon")
    if isinstance(wire, dict):
        # A WatermelonDB device keeps the id as it made it: one it would not find again in its
        # pulls (upper case, no hyphens) would leave it with two copies of the record.
        if item.record_id and record_id != item.record_id:
            errors["id"] = ["Must be a UUID in lower case with hyphens (as pulls send ids)."]
        base = wire.get("base")
        item.base_fields = dict(base) if isinstance(base, dict) else {}
    op = payload.get("op")
    if op not in OPS:
        errors["op"] = ['Must be "upsert" or "delete".']
    else:
        item.op = op
    base = payload.get("base_version")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int) or base < 1):
        errors["base_version"] = ["Must be null or a positive integer."]
    else:
        item.base_version = base
    recorded_at = payload.get("recorded_at")
    if recorded_at is not None:
        parsed = _parse_recorded_at(recorded_at)
        if parsed is None:
            errors["recorded_at"] = ["Must be an ISO 8601 date-time with a time zone."]
        item.recorded_at = parsed
    data = payload.get("data", {} if op == "delete" else None)
    if not isinstance(data, dict):
        errors["data"] = ["Must be a JSON object of the record's fields."]
    else:
        unknown = sorted(
            k
            for k in data
            if k not in adapter.writable_fields and k not in adapter.read_only_fields and k != "id"
        )
        for name in unknown:
            errors[str(name)[:64]] = ["Unknown field."]
        if "id" in data and str(data["id"]).lower() != item.record_id:
            errors["id"] = ["Does not match the record's id."]
        item.data = {k: v for k, v in data.items() if k in adapter.writable_fields}
    if errors:
        raise Rejected(errors)


def _parse_recorded_at(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None or timezone.is_naive(parsed):
        return None
    return parsed


def parse_batch(items: Sequence[Item], *, now: datetime.datetime) -> tuple[list[Item], list[Item]]:
    """Parse a batch's records: those left to decide, and those settled already (in order)."""
    seen: set[str] = set()
    valid = []
    settled = []
    for item in items:
        if item.inbox.status == InboxStatus.REJECTED and item.inbox.result:
            item.result = item.inbox.result  # refused on receipt (see push._inbox_record)
            settled.append(item)
            continue
        try:
            parse_item(item, item.inbox.payload)
        except Rejected as rejected:
            item.refuse(rejected, now=now)
            settled.append(item)
            continue
        if item.record_id in seen:
            item.refuse(
                Rejected(
                    {"non_field_errors": ["This record id already appears earlier in the batch."]},
                    code="duplicate_in_batch",
                ),
                now=now,
            )
            settled.append(item)
            continue
        seen.add(item.record_id)
        valid.append(item)
    return valid, settled


def parse_released(
    items: Sequence[Item], *, now: datetime.datetime
) -> tuple[list[Item], list[Item]]:
    """Parse held records a parent released: those left to decide, and those refused."""
    valid = []
    refused = []
    for item in items:
        try:
            parse_item(item, item.inbox.payload)
        except Rejected as rejected:
            item.refuse(rejected, now=now)
            refused.append(item)
            continue
        valid.append(item)
    return valid, refused
