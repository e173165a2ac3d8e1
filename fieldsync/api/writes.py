"""Partner API writes: one record at a time, through the one write path (`batch_push`).

A write becomes a one-record batch of the user's server device (`partner-api`), so it gets
what a tablet's change gets: validation, versions, history and audit (`source=api`), conflicts,
the change log and the aggregation hook. What the API adds:

- **Refusals before any write** (400 invalid fields, 403 what the write rules forbid
  (`fieldsync.write_rules`), 404, 410 tombstone, 412 stale `If-Match`, 422 unknown parent,
  428 no `If-Match`):
  nothing is stored and an `Idempotency-Key` is not used up.
- **Optimistic concurrency, race-free**: the record's row is locked (`SELECT ... FOR UPDATE`),
  its version compared with `If-Match`, and the batch pushed with that version as its
  `base_version`, all in one transaction. No other writer (tablet, staff, API) can change the
  record between the comparison and the write, so a stale `If-Match` never writes anything and
  a current one never merges with an unseen change.
- **Idempotency**: with an `Idempotency-Key` the batch id (and, on create, the record id) is
  derived from the device and the key, so a retry is a batch replay: the stored outcome,
  nothing written twice; the same key with another body is the batch's `batch_id_reused`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from fieldsync import write_rules
from fieldsync.api.errors import APIError
from fieldsync.models import Device, SyncBatch, User
from fieldsync.registry import SyncAdapter, Viewer, WriteContext, registry
from fieldsync.services.devices import server_device
from fieldsync.services.push import PushResult, batch_push

DEVICE_NAME = "partner-api"
IDEMPOTENCY_NAMESPACE = uuid.UUID("0b6f3b8e-1c52-4f0e-8d7a-5e2d9c4a7f13")
#: Representation fields the server manages: ignored in a request body (a GET body can be PUT).
SERVER_MANAGED = frozenset({"id", "version", "deleted", "updated_at", "created_at"})
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_ETAG = re.compile(r'"([1-9][0-9]{0,9})"|([1-9][0-9]{0,9})')


@dataclass(frozen=True)
class Written:
    record: Any
    created: bool


def if_match_version(header: str | None) -> int:
    """The version an `If-Match` header names (428 without one, 400 if it names none)."""
    if header is None:
        raise APIError(
            428,
            "precondition_required",
            'Send If-Match with the ETag of the version you edited (e.g. If-Match: "3").',
        )
    match = _ETAG.fullmatch(header.strip())
    if match is None:
        raise APIError(
            400,
            "invalid",
            "Invalid input.",
            errors={"If-Match": ['Must be the ETag of one version, e.g. "3".']},
        )
    return int(match[1] or match[2])


def idempotency_key(header: str | None) -> str | None:
    if header is not None and not _IDEMPOTENCY_KEY.fullmatch(header):
        raise APIError(
            400,
            "invalid",
            "Invalid input.",
            errors={"Idempotency-Key": ["Must be 1 to 255 visible ASCII characters."]},
        )
    return header


def record_create(*, wire_name: str, user: User, body: Any, key: str | None) -> Written:
    """Create a record of `wire_name` the user may write (`write_rules`)."""
    adapter = registry[wire_name]
    viewer = Viewer.for_user(user)
    sent = _fields_sent(adapter, body)
    device = server_device(user=user, name=DEVICE_NAME)
    batch_id = _derived(device, key, "batch")
    record_id = _derived(device, key, "record")
    if not _is_replay(device, batch_id):
        context = _context(device, user)
        clean = _validated(adapter, {**adapter.defaults(context), **sent}, context)
        _check_may_write(adapter, viewer, clean)
        _check_parents(adapter, clean, viewer, before=None)
        _check_writers(adapter, viewer, clean)
    result = _push(device, batch_id, _record(wire_name, record_id, "upsert", None, sent))
    return _written(adapter, result, create=True)


def record_change(
    *,
    wire_name: str,
    user: User,
    record_id: str,
    body: Any,
    replace: bool,
    version: int,
    key: str | None,
) -> Written:
    """Change a record the user may write, before and after the change, if still at `version`.

    `replace`: fields left out take their defaults (PUT); otherwise they stay (PATCH).
    """
    adapter = registry[wire_name]
    viewer = Viewer.for_user(user)
    device = server_device(user=user, name=DEVICE_NAME)
    sent = _fields_sent(adapter, body)
    if replace:
        sent = {**adapter.defaults(_context(device, user)), **sent}
    batch_id = _derived(device, key, "batch")
    record = _record(wire_name, record_id, "upsert", version, sent)
    if _is_replay(device, batch_id):
        return _written(adapter, _push(device, batch_id, record), create=False)
    with transaction.atomic():
        current = _locked(adapter, record_id, viewer)
        before = adapter.to_wire(current)
        _check_stored(adapter, viewer, current)
        _check_version(current, version)
        context = _context(device, user)
        clean = _validated(adapter, sent if replace else {**before, **sent}, context)
        _forbid(write_rules.move_refusal(viewer, adapter, before, clean))
        _check_parents(adapter, clean, viewer, before=before)
        _check_writers(adapter, viewer, clean)
        result = _push(device, batch_id, record)
    return _written(adapter, result, create=False)


def record_delete(
    *, wire_name: str, user: User, record_id: str, version: int, key: str | None
) -> Written:
    """Delete (tombstone) a record the user may write, if it is still at `version`."""
    adapter = registry[wire_name]
    viewer = Viewer.for_user(user)
    device = server_device(user=user, name=DEVICE_NAME)
    batch_id = _derived(device, key, "batch")
    record = _record(wire_name, record_id, "delete", version, None)
    if _is_replay(device, batch_id):
        return _written(adapter, _push(device, batch_id, record), create=False)
    with transaction.atomic():
        current = _locked(adapter, record_id, viewer)
        _check_stored(adapter, viewer, current)
        _check_version(current, version)
        result = _push(device, batch_id, record)
    return _written(adapter, result, create=False)


# -- steps -------------------------------------------------------------------------------------
def _fields_sent(adapter: SyncAdapter, body: Any) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise APIError(
            400,
            "invalid",
            "Invalid input.",
            errors={"non_field_errors": ["The body must be a JSON object of the record's fields."]},
        )
    ignored = SERVER_MANAGED | set(adapter.read_only_fields)
    unknown = sorted(k for k in body if k not in adapter.writable_fields and k not in ignored)
    if unknown:
        raise APIError(
            400, "invalid", "Invalid input.", errors={k[:64]: ["Unknown field."] for k in unknown}
        )
    return {k: v for k, v in body.items() if k in adapter.writable_fields}


def _derived(device: Device, key: str | None, purpose: str) -> uuid.UUID:
    if key is None:
        return uuid.uuid4()
    return uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{device.pk}:{purpose}:{key}")


def _is_replay(device: Device, batch_id: uuid.UUID) -> bool:
    return SyncBatch.objects.filter(device=device, batch_id=batch_id).exists()


def _context(device: Device, user: User) -> WriteContext:
    return WriteContext(device=device, user=user, today=timezone.localdate())


def _validated(
    adapter: SyncAdapter, data: Mapping[str, Any], context: WriteContext
) -> dict[str, Any]:
    clean, errors = adapter.validate(data, context)
    if errors:
        raise APIError(400, "invalid", "Invalid input.", errors=errors)
    return clean


def _locked(adapter: SyncAdapter, record_id: str, viewer: Viewer) -> Any:
    """The live record, locked until the transaction ends, if the viewer sees it."""
    manager = adapter.model._default_manager
    current: Any = manager.select_for_update().filter(pk=record_id).first()
    if current is None or not adapter.scope(manager.filter(pk=record_id), viewer).exists():
        raise APIError(404, "not_found", "Not found.")
    if current.is_deleted:
        raise APIError(410, "deleted", "This record was deleted.", version=current.version)
    return current


def _check_version(current: Any, version: int) -> None:
    """`If-Match` against the locked row: no writer can move it before our batch is applied."""
    if current.version != version:
        error = APIError(
            412,
            "precondition_failed",
            f"The record is at version {current.version}, not {version}: read it again, "
            "apply your change to it, and send it with its ETag.",
            version=current.version,
        )
        error.headers["ETag"] = f'"{current.version}"'
        raise error


def _check_may_write(adapter: SyncAdapter, viewer: Viewer, clean: Mapping[str, Any]) -> None:
    """403 at once for a role that never writes this kind of record."""
    if not write_rules.may_write_model(viewer, adapter, clean):
        _forbid(write_rules.write_refusal(viewer, adapter, clean, lambda field: None))


def _check_stored(adapter: SyncAdapter, viewer: Viewer, current: Any) -> None:
    _forbid(write_rules.stored_refusal(viewer, adapter, current))


def _check_writers(adapter: SyncAdapter, viewer: Viewer, clean: Mapping[str, Any]) -> None:
    """The write rules on the record as it would be stored, its parents read from the database
    (the reconciler asks again in the push's transaction)."""
    models = {ref.field: ref.model for ref in adapter.parents}

    def parent(field: str) -> Any:
        value = clean.get(field)
        if value is None or field not in models:
            return None
        return registry[models[field]].queryset().filter(pk=value).first()

    _forbid(write_rules.write_refusal(viewer, adapter, clean, parent))


def _forbid(errors: Mapping[str, list[str]] | None) -> None:
    if errors:
        raise APIError(403, "forbidden", "You may not write this record.", errors=dict(errors))


def _check_parents(
    adapter: SyncAdapter, clean: Mapping[str, Any], viewer: Viewer, before: Mapping[str, Any] | None
) -> None:
    """Each record referred to must be one the viewer sees (422, nothing stored, otherwise)."""
    for ref in adapter.parents:
        value = clean.get(ref.field)
        if value is None or (before is not None and before.get(ref.field) == value):
            continue
        parent = registry[ref.model]
        if not parent.scope(parent.model._default_manager.filter(pk=value), viewer).exists():
            raise APIError(
                422,
                f"unknown_{ref.model}",
                f"There is no {ref.model} {value} that you can see.",
                errors={ref.field: [f"Unknown {ref.model}."]},
            )


def _record(
    wire_name: str, record_id: Any, op: str, version: int | None, data: dict[str, Any] | None
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "model": wire_name,
        "id": str(uuid.UUID(str(record_id))),
        "op": op,
        "base_version": version,
    }
    if data is not None:
        record["data"] = data
    return record


def _push(device: Device, batch_id: uuid.UUID, record: dict[str, Any]) -> PushResult:
    envelope = {
        "batch_id": str(batch_id),
        "device_id": str(device.device_id),
        "schema_version": 1,
        "records": [record],
    }
    return batch_push(device=device, batch_id=batch_id, envelope=envelope, source="api")


def _written(adapter: SyncAdapter, result: PushResult, *, create: bool) -> Written:
    """The record the write path stored, or the error its outcome means."""
    if result.http_status != 200:
        if result.body.get("code") == "batch_id_reused":
            raise APIError(
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was already used for a different request.",
            )
        raise APIError(result.http_status, str(result.body.get("code")), "The write failed.")
    outcome = result.body["results"][0]
    status = outcome["status"]
    if status in ("applied", "merged", "unchanged"):
        record = adapter.queryset().get(pk=outcome["id"])
        return Written(record=record, created=create and status == "applied")
    if status == "conflict":
        raise APIError(
            409,
            "conflict",
            "The record is locked (verified by the NRA) or was changed in a way that clashes; "
            "your values are kept for NRA review.",
            version=outcome.get("version"),
            conflict_fields=outcome.get("conflict_fields", []),
            data=outcome.get("data"),
        )
    if status == "held":
        waiting = outcome.get("waiting_for") or {}
        raise APIError(
            422,
            f"unknown_{waiting.get('model', 'record')}",
            f"The {waiting.get('model')} {waiting.get('id')} is not on the server yet; the "
            "record is held and will be applied when it arrives.",
            waiting_for=waiting,
        )
    errors = outcome.get("errors", {})
    if outcome.get("code") == "forbidden":
        raise APIError(403, "forbidden", "You may not write this record.", errors=errors)
    if outcome.get("code") == "id_conflict":
        raise APIError(409, "id_conflict", "A record with this id already exists.", errors=errors)
    raise APIError(400, "invalid", "Invalid input.", errors=errors)
