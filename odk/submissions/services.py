"""Receiving an OpenRosa submission: the instance XML kept verbatim first, its files kept as
attachments, its records reconciled through the engine's one write path (`batch_push`).

Identity (contract: openrosa.md): `meta/instanceID` names the submission. The same instance sent
again answers what it answered before and changes nothing; other content under the same id is a
409. A later POST of the same instance that brings more of its files (Collect splits a large
submission) pushes the records again with those files, on the versions the last push stored.
An edit (`meta/deprecatedID`) changes the records of the submission it replaces, on the
versions that submission stored: a three-way merge against anything NRA staff changed since.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, transaction

from fieldsync.attachments.files import FileRefused, attachment_store
from fieldsync.models import Device, RecordVersion, SyncBatch, User
from fieldsync.services.push import batch_push, envelope_digest
from odk.forms.build import form_definition
from odk.models import Submission
from odk.submissions.mapping import Mapped, accident_records, assistance_records, chosen_update
from odk.submissions.parse import Instance, InstanceInvalid, instance_parse

ODK_BATCHES = uuid.UUID("5b0e2f7a-93c1-4d8e-a6f4-1c2d3e4f5a6b")
ACCIDENT_FORM = "uxo_accident"
ASSISTANCE_FORM = "uxo_assistance"
FORMS_BY_ROLE = {
    "surveyor": (ACCIDENT_FORM, ASSISTANCE_FORM),
    "nra_staff": (ACCIDENT_FORM, ASSISTANCE_FORM),
    "partner": (ASSISTANCE_FORM,),
}


def forms_for(user: User) -> tuple[str, ...]:
    """The forms this account's role may fill (contract: Forms)."""
    return FORMS_BY_ROLE.get(user.role, ())


@dataclass
class Received:
    """What became of a submission: an HTTP status and what the answer names."""

    status: int
    problem: str = ""  # why nothing was stored (400, 403, 409)
    response: dict[str, Any] | None = None  # the engine's batch response (201)
    form_id: str = ""
    record_id: str = ""
    files_refused: list[str] = field(default_factory=list)
    files_missing: list[str] = field(default_factory=list)


def submission_receive(
    *, user: User, device: Device, xml: bytes, parts: Mapping[str, IO[bytes]]
) -> Received:
    """Store and reconcile one submission POST (instance XML and any of its files)."""
    try:
        instance = instance_parse(xml)
    except InstanceInvalid as invalid:
        return Received(400, problem=str(invalid))
    if form_definition(instance.form_id) is None:
        return Received(400, problem="not_served", form_id=instance.form_id)
    if instance.form_id not in forms_for(user):
        return Received(403, problem="forbidden", form_id=instance.form_id)
    refused_edit = _edit_refused(instance, user)
    if refused_edit is not None:
        return refused_edit
    received, refused = _files_keep(parts, user=user, device=device)
    submission, created = _submission_record(instance, device=device, xml=xml)
    if not created and (
        submission.xml_sha256 != hashlib.sha256(xml).hexdigest()
        or submission.device.user_id != user.pk
    ):
        return Received(409, problem="instance_reused", form_id=instance.form_id)
    files, grew = _files_merge(submission, received)
    outcome = Received(
        201, form_id=instance.form_id, record_id=submission.record_id, files_refused=refused
    )
    batch = submission.batch
    if batch is not None and batch.response is not None and not grew:
        outcome.response = batch.response  # a resend: the answer it had, nothing changed
        outcome.files_missing = _missing(instance, submission, files)
        return outcome
    mapped = _records(instance, submission, files)
    outcome.files_missing = sorted(mapped.files_named - set(mapped.files_known))
    outcome.response = _push(submission, mapped.records)
    return outcome


def _edit_refused(instance: Instance, user: User) -> Received | None:
    """An update must name a record; an edit may only replace this account's own submission of
    the same form (never inherit another account's records, versions or files)."""
    chosen = chosen_update(instance) if instance.form_id == ASSISTANCE_FORM else None
    if chosen is not None and not is_uuid(chosen[0]):
        return Received(400, problem="assistance_id is not the id of an assistance record.")
    if instance.deprecated_id is None:
        return None
    replaced = _submission(instance.deprecated_id)
    if replaced is not None and (
        replaced.device.user_id != user.pk or replaced.form_id != instance.form_id
    ):
        return Received(409, problem="edit_foreign", form_id=instance.form_id)
    return None


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _files_keep(
    parts: Mapping[str, IO[bytes]], *, user: User, device: Device
) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Each file part kept as an attachment: its name in the instance -> its reference."""
    kept: dict[str, dict[str, str]] = {}
    refused = []
    for name, content in parts.items():
        try:
            attachment = attachment_store(content=content, name=name, user=user, device=device)
        except FileRefused:
            refused.append(name)
            continue
        kept[name] = {
            "sha256": attachment.sha256,
            "name": name,
            "content_type": attachment.content_type,
        }
    return kept, refused


def _submission_record(
    instance: Instance, *, device: Device, xml: bytes
) -> tuple[Submission, bool]:
    """The instance stored verbatim before anything else (nothing is lost), once per id."""
    existing = _submission(instance.instance_id)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            created = Submission.objects.create(
                instance_id=instance.instance_id,
                form_id=instance.form_id,
                form_version=instance.version[:64],
                device=device,
                xml=xml.decode("utf-8", "replace").replace("\x00", "\ufffd"),
                xml_sha256=hashlib.sha256(xml).hexdigest(),
                deprecated_id=instance.deprecated_id,
                record_id=_main_record_id(instance),
            )
    except IntegrityError:  # the same instance, sent twice at once: the other request stored it
        found = _submission(instance.instance_id)
        assert found is not None  # noqa: S101  (the unique constraint just said it exists)
        return found, False
    return _submission(instance.instance_id) or created, True


def _submission(instance_id: uuid.UUID) -> Submission | None:
    return (
        Submission.objects.select_related("device", "batch").filter(instance_id=instance_id).first()
    )


def _main_record_id(instance: Instance) -> str:
    """The accident's (or assistance record's) id: an edit keeps the id of what it edits."""
    if instance.form_id == ASSISTANCE_FORM:
        chosen = chosen_update(instance)
        if chosen is not None:
            return chosen[0]
    if instance.deprecated_id is not None:
        replaced = Submission.objects.filter(instance_id=instance.deprecated_id).first()
        # An edit whose original never arrived: the original's id, should it arrive later.
        return replaced.record_id if replaced is not None else str(instance.deprecated_id)
    return str(instance.instance_id)


def _files_merge(
    submission: Submission, received: dict[str, dict[str, str]]
) -> tuple[dict[str, dict[str, str]], bool]:
    """Add this POST's files to those received for the submission before (one writer at a time)."""
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        files = dict(locked.files)
        grew = any(files.get(name) != reference for name, reference in received.items())
        if grew:
            files.update(received)
            locked.files = files
            locked.save(update_fields=["files"])
    submission.files = files
    return files, grew


def _versions(response: Mapping[str, Any] | None) -> dict[str, tuple[str, int]]:
    """Record id -> (model, version) of the records a batch response says are stored."""
    stored: dict[str, tuple[str, int]] = {}
    for result in (response or {}).get("results", []):
        if isinstance(result.get("version"), int) and result.get("status") != "rejected":
            stored[str(result["id"])] = (str(result["model"]), result["version"])
    return stored


def _records(
    instance: Instance, submission: Submission, files: Mapping[str, dict[str, str]]
) -> Mapped:
    """The sync records of the instance, on the versions the edit or the last push saw."""
    before: Mapping[str, Any] | None = None
    replaced = _submission(instance.deprecated_id) if instance.deprecated_id else None
    if submission.batch is not None:
        before = submission.batch.response
    elif replaced is not None and replaced.batch is not None:
        before = replaced.batch.response
    if replaced is not None:  # an edit sends only new files (Web Forms): the original's stay
        files = {**replaced.files, **files}
    stored = _versions(before)
    bases = {record_id: version for record_id, (_model, version) in stored.items()}
    if instance.form_id == ACCIDENT_FORM:
        # Collect's edit shows every answer the original had: an answer emptied is cleared.
        mapped = accident_records(
            instance,
            accident_id=submission.record_id,
            files=files,
            bases=bases,
            edit=instance.deprecated_id is not None,
        )
    else:
        chosen = chosen_update(instance)
        if chosen is not None and chosen[1] is not None and submission.record_id not in bases:
            bases[submission.record_id] = chosen[1]
        # The form does not show the chosen record's values: an unanswered question leaves its
        # field as it is, it never clears it.
        mapped = assistance_records(
            instance, record_id=submission.record_id, files=files, bases=bases, edit=False
        )
    mapped.files_known = set(files)
    sent = {record["id"] for record in mapped.records}
    for record_id, (model, version) in stored.items():
        if record_id not in sent and model != "accident":  # a victim or referral removed
            mapped.records.append(
                {"model": model, "id": record_id, "op": "delete", "base_version": version}
            )
    return mapped


def _missing(instance: Instance, submission: Submission, files: Mapping[str, Any]) -> list[str]:
    mapped = _records(instance, submission, files)
    return sorted(mapped.files_named - mapped.files_known)


def _push(submission: Submission, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Reconcile the records as one batch of the submission's device, named by their content."""
    device = submission.device
    digest = envelope_digest({"records": records})
    batch_id = uuid.uuid5(ODK_BATCHES, f"{submission.instance_id}:{digest}")
    envelope = {
        "batch_id": str(batch_id),
        "device_id": str(device.device_id),
        "schema_version": 1,
        "records": records,
    }
    pushed = batch_push(
        device=device, batch_id=batch_id, envelope=envelope, source=RecordVersion.Source.ODK
    )
    batch = SyncBatch.objects.get(device=device, batch_id=batch_id)
    Submission.objects.filter(pk=submission.pk).update(batch=batch)
    return pushed.body
