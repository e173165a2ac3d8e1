"""Celery tasks of the victims app: keeping the figures current."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError

from figures import slices

RETRYABLE = (OperationalError, InterfaceError)


@shared_task(
    name="statistics_refresh",
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
)
def statistics_refresh() -> int:
    """Recompute the slices marked dirty (after changes, and every minute from beat).

    Takes no arguments: the work is the dirty rows in the database, so a retry or a second
    copy of the task recomputes what is still owed and nothing else.
    """
    cache.delete(slices.REFRESH_KEY)  # changes committed from now on schedule a new refresh
    return slices.statistics_refresh()


@shared_task(
    name="statistics_rebuild",
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=3,
)
def statistics_rebuild() -> int:
    """Recompute every figure from the records (nightly from beat); safe to run at any time."""
    return slices.statistics_rebuild()
