"""The import of a confirmed file, in the background (a large file takes a minute or more), and
the daily expiry of the files never imported."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from exchange.imports import import_file_apply, import_files_expire
from exchange.models import ImportFile
from fieldsync.models import User


@shared_task(
    name="import_file_apply",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def import_file_apply_task(import_file_id: int, user_id: int) -> str:
    """Import a confirmed file as the user who confirmed it; returns its status.

    Safe to retry and to run twice: the import is one transaction, and a file already imported
    is left as it is.
    """
    import_file = ImportFile.objects.filter(pk=import_file_id).first()
    if import_file is None:
        return "missing"
    user = User.objects.get(pk=user_id)
    return str(import_file_apply(import_file=import_file, user=user).status)


@shared_task(
    name="import_files_expire",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def import_files_expire_task() -> int:
    """Drop the content of the files never imported within the retention period (daily from
    beat); returns how many expired. Safe to retry and to run at any time: a file expires once.
    """
    return import_files_expire()
