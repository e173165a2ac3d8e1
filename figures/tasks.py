"""Celery tasks of the victims app: keeping the figures current."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from figures import slices
from figures.disclosure.published import published_warm

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
    recomputed = slices.statistics_refresh()
    if recomputed and _shared_cache() and not settings.CELERY_TASK_ALWAYS_EAGER:
        statistics_disclosure_warm.delay()
    return recomputed


@shared_task(name="statistics_disclosure_warm", autoretry_for=RETRYABLE, max_retries=3)
def statistics_disclosure_warm() -> int:
    """Compute the disclosure-controlled figures of the years recomputed in the last ten
    minutes into the shared cache, so a partner's first request after a change does not wait
    for the secondary suppression. Returns the number of years."""
    return published_warm(since=timezone.now() - datetime.timedelta(minutes=10))


def _shared_cache() -> bool:
    """Worth warming only where web processes read what workers write (not a per-process one)."""
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


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
