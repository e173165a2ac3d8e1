"""Celery tasks of the sync engine: the hourly removal of expired attachment uploads."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from fieldsync.attachments.uploads import uploads_expire


@shared_task(
    name="attachments_expire",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def attachments_expire() -> int:
    """Remove the tus uploads past their expiry and their chunks (hourly from beat); returns how
    many. Safe to retry and to run at any time: an upload is removed once, files stay."""
    return uploads_expire()
