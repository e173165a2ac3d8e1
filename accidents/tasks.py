"""The Celery task that groups possible duplicate accident reports, and when it is enqueued.

`AccidentsConfig.ready()` subscribes `accidents_changed` to record changes, so a pushed or edited
accident (or a change to its victims) is compared with its neighbours right after the commit.
The task runs in a queue of its own (`CELERY_TASK_ROUTES`, docs/operations.md), so a long scan
never delays the figures' refresh.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction

from accidents.duplicates import duplicate_groups_flag
from fieldsync import hooks

logger = logging.getLogger(__name__)


@shared_task(
    name="accidents_duplicates_flag",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
)
def accidents_duplicates_flag(accident_ids: list[str] | None = None) -> dict[str, int]:
    """Group the possible duplicates of these accidents (all accidents when None).

    Idempotent: a report joins at most one open group and decided groups are never reopened,
    so a retry or a second copy changes nothing. Returns what the scan did (counts only).
    """
    return duplicate_groups_flag(accident_ids=accident_ids).as_dict()


def duplicates_flag_request(accident_ids: list[str] | None) -> None:
    """Enqueue the task; never fails the request that committed (the next change or a scan
    from the admin catches up)."""
    try:
        accidents_duplicates_flag.delay(accident_ids)
    except Exception as error:
        logger.warning("duplicate scan not scheduled (%s)", type(error).__name__)


def accidents_changed(changed: hooks.ChangedRecords) -> None:
    """Accidents whose own data or victims changed get compared again after the commit (a
    deleted one leaves its open group)."""
    ids: set[str] = set(changed.get("accident", {}))
    for before, after in changed.get("victim", {}).values():
        for side in (before, after):
            if side and side.get("accident"):
                ids.add(str(side["accident"]))
    if ids:
        accident_ids = sorted(ids)
        transaction.on_commit(lambda: duplicates_flag_request(accident_ids))
