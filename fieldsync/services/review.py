"""NRA review of what the sync engine could not settle alone: conflicts, held and rejected records.

Every change to record data goes through `batch_push` with the reviewer's server device
(`source=admin`), so versions, history, the change log, the aggregation hook and the audit are
exactly those of a sync. What the engine stored (conflicts, received records) is never erased:
a decision marks it resolved or discarded and says who, when and why.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldsync.models import (
    REVIEWABLE,
    Conflict,
    ConflictKind,
    ConflictStatus,
    InboxRecord,
    InboxStatus,
    RecordVersion,
    User,
)
from fieldsync.registry import Viewer, WriteContext, registry
from fieldsync.services.devices import server_device
from fieldsync.services.push import batch_push

ADMIN_DEVICE = "admin"
STORED = ("applied", "merged", "unchanged")  # push outcomes that leave the record as asked


class ReviewError(Exception):
    """A review decision that cannot be carried out; the message is for the reviewer.

    `errors` holds the per-field errors of a record the engine refused, when there are some.
    """

    def __init__(self, message: str, errors: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.errors = dict(errors or {})


@dataclass(frozen=True)
class StaffPush:
    batch_id: uuid.UUID
    results: list[dict[str, Any]]


def staff_push(*, user: User, records: Sequence[dict[str, Any]]) -> StaffPush:
    """Push records as NRA staff through the one write path (a batch of their admin device)."""
    if not user.is_nra:
        raise ReviewError(_("Only NRA staff accounts can review records."))
    device = server_device(user=user, name=ADMIN_DEVICE)
    batch_id = uuid.uuid4()
    envelope = {
        "batch_id": str(batch_id),
        "device_id": str(device.device_id),
        "schema_version": settings.FIELDSYNC["SCHEMA_VERSION"],
        "records": list(records),
    }
    pushed = batch_push(
        device=device, batch_id=batch_id, envelope=envelope, source=RecordVersion.Source.ADMIN
    )
    return StaffPush(batch_id=batch_id, results=list(pushed.body["results"]))


def _refused(result: Mapping[str, Any]) -> ReviewError:
    status = result.get("status")
    if status == "rejected":
        return ReviewError(_("The record was refused."), result.get("errors"))
    if status == "conflict":
        fields = ", ".join(result.get("conflict_fields") or [])
        return ReviewError(
            _("The record changed meanwhile (%(fields)s): reload the page and decide again.")
            % {"fields": fields or "-"}
        )
    return ReviewError(_("The record could not be applied (%(status)s).") % {"status": status})


# -- conflicts ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConflictField:
    """One clashing field, with the value of each side and the record's value now."""

    name: str
    base: Any
    server: Any
    tablet: Any
    current: Any
    personal: bool


def conflict_fields(*, conflict: Conflict) -> list[ConflictField]:
    """The conflict's fields side by side, with the current value (the record may have moved)."""
    adapter = registry[conflict.model]
    instance = adapter.queryset().filter(pk=conflict.record_id).first()
    current = adapter.to_wire(instance) if instance is not None else {}
    personal = _personal_fields(conflict.model)
    return [
        ConflictField(
            name=name,
            base=values.get("base"),
            server=values.get("server"),
            tablet=values.get("tablet"),
            current=current.get(name),
            personal=name in personal,
        )
        for name, values in sorted((conflict.fields or {}).items())
    ]


@transaction.atomic
def conflict_resolve(
    *,
    conflict_id: int,
    tablet_fields: Collection[str] = (),
    apply_delete: bool = False,
    by: User,
) -> Conflict:
    """Resolve a conflict field by field; the fields not named keep the server's value.

    The tablet values chosen are pushed as one edit of the current version, so they become a new
    version that tablets pull; keeping every server value stores nothing. `apply_delete` carries
    out a delete the tablet asked for. The conflict stays, marked resolved by `by`.
    """
    conflict = Conflict.objects.select_for_update().get(pk=conflict_id)
    if conflict.status != ConflictStatus.OPEN:
        raise ReviewError(_("This conflict was already resolved."))
    unknown = set(tablet_fields) - set(conflict.fields or {})
    if unknown:
        raise ReviewError(
            _("Not a field of this conflict: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    adapter = registry[conflict.model]
    instance = adapter.queryset().filter(pk=conflict.record_id).first()
    if instance is None:
        raise ReviewError(_("The record no longer exists."))
    record: dict[str, Any] | None = None
    if apply_delete:
        if conflict.kind not in (ConflictKind.DELETE, ConflictKind.LOCKED) or tablet_fields:
            raise ReviewError(_("Only a delete sent by the tablet can be applied."))
        if not instance.is_deleted:
            record = {"op": "delete"}
    elif tablet_fields:
        if instance.is_deleted:
            raise ReviewError(_("The record was deleted: only the server's values can be kept."))
        hidden = adapter.hidden_fields(instance, Viewer.for_user(by)) & set(tablet_fields)
        if hidden:
            raise ReviewError(_("You may not change victims' personal data."))
        data = {name: conflict.fields[name]["tablet"] for name in tablet_fields}
        record = {"op": "upsert", "data": data}
    if record is not None:
        record.update(model=conflict.model, id=conflict.record_id, base_version=instance.version)
        result = staff_push(user=by, records=[record]).results[0]
        if result["status"] not in STORED:
            raise _refused(result)
    conflict.status = ConflictStatus.RESOLVED
    conflict.resolved_at = timezone.now()
    conflict.resolved_by = by
    conflict.save(update_fields=["status", "resolved_at", "resolved_by"])
    return conflict


# -- held and rejected records -----------------------------------------------------------------
def inbox_record_data(*, inbox_record: InboxRecord) -> dict[str, Any] | None:
    """The record fields a reviewer may fix, or None when the payload is no record at all."""
    payload = inbox_record.payload
    if not isinstance(payload, dict) or payload.get("op", "upsert") != "upsert":
        return None
    data = payload.get("data")
    if not isinstance(data, dict) or registry.get(str(payload.get("model"))) is None:
        return None
    return dict(data)


def inbox_record_fix_initial(*, inbox_record: InboxRecord) -> dict[str, Any] | None:
    """What a fix starts from: the fields sent over the record as the server holds it, or, for a
    new record, over the defaults of its sender (what applying it would store for the rest)."""
    sent = inbox_record_data(inbox_record=inbox_record)
    if sent is None:
        return None
    adapter = registry[inbox_record.model or str(inbox_record.payload.get("model"))]
    record_id = str(inbox_record.payload.get("id"))
    try:
        current = adapter.queryset().filter(pk=uuid.UUID(record_id)).first()
    except ValueError:
        return sent
    if current is not None:
        base = adapter.to_wire(current)
    else:
        sender = inbox_record.batch.device
        context = WriteContext(
            device=sender,
            user=sender.user,
            today=timezone.localdate(inbox_record.batch.received_at),
        )
        base = adapter.defaults(context)
    writable = set(adapter.writable_fields)
    return {**{k: v for k, v in base.items() if k in writable}, **sent}


@transaction.atomic
def inbox_record_fix(*, inbox_record_id: int, data: Mapping[str, Any], by: User) -> InboxRecord:
    """Apply a held or rejected record with the fields `by` corrected: returns the new received
    record (of the reviewer's batch).

    The fixed record is pushed as a new batch of the reviewer's admin device, on the tablet's base
    version (or, for a record the server holds and the tablet sent as new, on the current one).
    A new record takes the defaults of its original sender (its organisation, the day received).
    The original is kept, marked superseded, its result pointing to the new batch (a fix the
    record already holds stores no change: the replacement is `unchanged`). Personal
    fields the reviewer may not see keep the tablet's values. If the engine refuses the fix,
    nothing is stored and ReviewError carries its errors.
    """
    original = (
        InboxRecord.objects.select_for_update(of=("self",))
        .select_related("batch__device__user")
        .get(pk=inbox_record_id)
    )
    if original.status not in REVIEWABLE:
        raise ReviewError(_("Only held or rejected records can be fixed."))
    sent = inbox_record_data(inbox_record=original)
    if sent is None:
        raise ReviewError(_("This payload is not a record that can be fixed; discard it."))
    payload = original.payload
    model, record_id = str(payload.get("model")), str(payload.get("id"))
    adapter = registry[model]
    try:
        record_id = str(uuid.UUID(record_id))
    except ValueError:
        raise ReviewError(
            _("This payload is not a record that can be fixed; discard it.")
        ) from None
    current = adapter.queryset().filter(pk=record_id).first()
    fixed = dict(data)
    hidden = adapter.hidden_fields(current or adapter.model(pk=record_id), Viewer.for_user(by))
    # What the reviewer was shown masked, they cannot have meant to change; the files a record
    # names come from the device that took them (the form shows them, never edits them).
    for name in (*hidden, *adapter.attachment_fields):
        fixed.pop(name, None)
        if name in sent:
            fixed[name] = sent[name]
    if current is None:  # a create: what the tablet left out defaults as for its sender
        sender = original.batch.device
        context = WriteContext(
            device=sender,
            user=sender.user,
            today=timezone.localdate(original.batch.received_at),
        )
        fixed = {**adapter.defaults(context), **fixed}
    base_version = payload.get("base_version")
    if base_version is None and current is not None:
        base_version = current.version
    record = {
        "model": model,
        "id": record_id,
        "op": "upsert",
        "base_version": base_version,
        "data": fixed,
    }
    if payload.get("recorded_at"):
        record["recorded_at"] = payload["recorded_at"]
    pushed = staff_push(user=by, records=[record])
    result = pushed.results[0]
    if result["status"] == "rejected":
        raise _refused(result)
    replacement = InboxRecord.objects.get(batch__batch_id=pushed.batch_id, position=0)
    _close(
        original,
        status=InboxStatus.SUPERSEDED,
        reason="fixed",
        by=by,
        extra={
            "fixed_in": {
                "batch_id": str(pushed.batch_id),
                "inbox_record": replacement.pk,
                "status": result["status"],
                "version": result.get("version"),
            }
        },
    )
    return replacement


@transaction.atomic
def inbox_record_discard(*, inbox_record_id: int, reason: str, by: User) -> InboxRecord:
    """Discard a held or rejected record with a reason: kept, never erased, never applied."""
    reason = reason.strip()
    if not reason:
        raise ReviewError(_("Say why the record is discarded."))
    if not by.is_nra:
        raise ReviewError(_("Only NRA staff accounts can review records."))
    original = InboxRecord.objects.select_for_update().get(pk=inbox_record_id)
    if original.status not in REVIEWABLE:
        raise ReviewError(_("Only held or rejected records can be discarded."))
    _close(original, reason=reason, by=by)
    return original


def _close(
    record: InboxRecord,
    *,
    reason: str,
    by: User,
    status: InboxStatus = InboxStatus.DISCARDED,
    extra: Mapping[str, Any] = {},
) -> None:
    now = timezone.now()
    record.result = {
        **(record.result or {}),
        "status": status.value,
        "previous_status": record.status,
        "reason": reason,
        "by": by.username,
        "at": now.isoformat(),
        **extra,
    }
    record.status = status
    record.resolved_at = now
    record.save(update_fields=["status", "result", "resolved_at"])


# -- history -------------------------------------------------------------------------------------
def record_history(*, model: str, record_id: str) -> QuerySet[RecordVersion]:
    """Every accepted change of one record, newest first, with who made it and from where."""
    return (
        RecordVersion.objects.filter(model=model, record_id=record_id)
        .select_related("user", "device__user")
        .order_by("-version")
    )


def _personal_fields(model: str) -> frozenset[str]:
    """The fields of `model` that a reader without the personal-data permission never sees."""
    adapter = registry[model]
    nobody = Viewer(user=None, role="", organisation=None, is_nra=True, sees_personal_data=False)
    return adapter.hidden_fields(adapter.model(), nobody)
