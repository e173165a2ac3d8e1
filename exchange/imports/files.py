"""Import files (admin and command): a stored upload, checked, then applied once, in the
background or in place, or discarded; its content dropped once it is imported, discarded or
left unimported too long (expired); and the account imports are recorded under when no person
is named."""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from exchange.imports.applying import import_plan_apply
from exchange.imports.base import Progress, no_progress
from exchange.imports.plan import ImportPlan, import_plan
from exchange.imports.report import ImportRejected
from exchange.models import CLOSED_STATUSES, ImportFile, ImportStatus
from fieldsync.models import Role, User

SYSTEM_USERNAME = "records-import"


def import_file_store(
    *, content: bytes, file_name: str, kind: str | None, user: User
) -> ImportFile:
    """Keep an uploaded file until it is checked and confirmed."""
    return ImportFile.objects.create(
        file_name=file_name[:255],
        kind=kind or "",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        uploaded_by=user,
    )


def import_file_check(*, import_file: ImportFile, progress: Progress = no_progress) -> ImportPlan:
    """The dry run of a stored file: its report is saved with it; nothing else is written."""
    if import_file.status in CLOSED_STATUSES:
        raise ValueError("An imported, discarded or expired file keeps no content to check.")
    plan = _plan_of(import_file, import_file.uploaded_by, progress)
    import_file.report = plan.report.as_json()
    import_file.status = ImportStatus.VALID if plan.report.ok else ImportStatus.INVALID
    import_file.save(update_fields=["report", "status"])
    return plan


def import_file_apply(
    *, import_file: ImportFile, user: User, progress: Progress = no_progress
) -> ImportFile:
    """Check a stored file again and, without rejected rows, import all of it as `user`.

    One transaction, holding the file's row: a second confirmation waits, then finds it
    imported. If the engine refuses any record, nothing is imported and the file is `failed`.
    """
    with transaction.atomic():
        locked = ImportFile.objects.select_for_update().get(pk=import_file.pk)
        if locked.status in CLOSED_STATUSES:  # imported, or its content is gone
            return locked
        plan = _plan_of(locked, user, progress)
        report = plan.report
        if not report.ok:
            locked.status = ImportStatus.INVALID
        else:
            try:
                with transaction.atomic():
                    report.outcomes = import_plan_apply(plan=plan, user=user, progress=progress)
            except ImportRejected as rejected:
                report.errors = rejected.errors
                locked.status = ImportStatus.FAILED
            else:
                locked.status = ImportStatus.APPLIED
                locked.applied_at = timezone.now()
                locked.applied_by = user
                locked.content = b""  # the records hold the data now (and it is personal)
                locked.content_dropped_at = locked.applied_at
        locked.report = report.as_json()
        locked.save(
            update_fields=[
                "status",
                "report",
                "applied_at",
                "applied_by",
                "content",
                "content_dropped_at",
            ]
        )
        return locked


def import_file_queue(*, import_file: ImportFile, user: User) -> bool:
    """Ask for the file's import in the background, after this transaction commits; False
    when it is imported already or being imported right now."""
    from exchange.tasks import import_file_apply_task  # the task calls this module

    with transaction.atomic():
        locked = (
            ImportFile.objects.select_for_update(skip_locked=True)  # locked: being imported
            .filter(pk=import_file.pk)
            .exclude(status__in=CLOSED_STATUSES)
            .first()
        )
        if locked is None:
            return False
        locked.status = ImportStatus.QUEUED
        locked.save(update_fields=["status"])
        transaction.on_commit(lambda: import_file_apply_task.delay(locked.pk, user.pk))
    return True


def import_file_discard(*, import_file: ImportFile, user: User) -> bool:
    """Throw away a file not imported: its content is dropped, what it was is kept (name, size,
    sha256, report, who discarded it and when). False when it is imported or closed already.

    Waits for an import of the file under way (its row is locked), then finds it imported.
    """
    with transaction.atomic():
        locked = ImportFile.objects.select_for_update().get(pk=import_file.pk)
        if locked.status in CLOSED_STATUSES:
            return False
        locked.status = ImportStatus.DISCARDED
        locked.discarded_by = user
        locked.content = b""
        locked.content_dropped_at = timezone.now()
        locked.save(update_fields=["status", "discarded_by", "content", "content_dropped_at"])
    return True


def import_files_expire(*, now: datetime.datetime | None = None) -> int:
    """Drop the content of the files uploaded more than `FIELDSYNC["IMPORT_FILE_RETENTION_DAYS"]`
    ago and never imported (checked, failed, or waiting in a queue that never ran): they become
    `expired`, with what they were kept. Returns how many; a second run finds none.

    A file being imported right now is left alone (its row is locked): the import closes it.
    """
    now = now or timezone.now()
    days = int(settings.FIELDSYNC["IMPORT_FILE_RETENTION_DAYS"])
    with transaction.atomic():
        expired = list(
            ImportFile.objects.select_for_update(skip_locked=True)
            .filter(created_at__lt=now - datetime.timedelta(days=days))
            .exclude(status__in=CLOSED_STATUSES)
            .values_list("pk", flat=True)
        )
        return ImportFile.objects.filter(pk__in=expired).update(
            status=ImportStatus.EXPIRED, content=b"", content_dropped_at=now
        )


def _plan_of(import_file: ImportFile, user: User, progress: Progress) -> ImportPlan:
    return import_plan(
        content=bytes(import_file.content),
        file_name=import_file.file_name,
        kind=import_file.kind or None,
        user=user,
        progress=progress,
    )


def system_user() -> User:
    """The NRA account imports are recorded under when no person is named (it cannot log in)."""
    from fieldsync.models import Organisation

    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"role": Role.NRA_STAFF, "organisation": Organisation.objects.get(pk="NRA")},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
