"""Keep the figures current: mark the slices a change touches, recompute just those.

1. `slices_mark_changed` is subscribed to `fieldsync.hooks.records_changed`: inside the changing
   transaction it stores a `DirtySlice` row for the old and the new slice of every record whose
   counted fields changed (so the work owed survives a broker or worker that is down), and asks
   for a refresh once the transaction commits.
2. `statistics_refresh_request` (on commit): without a broker, refreshes at once, so the figures
   are current when the push returns; with one, enqueues the refresh task unless one is already
   due (a cache key as debounce: a burst of pushes costs one refresh).
3. `statistics_refresh` recomputes every slice marked when it starts, one transaction per slice
   under the slice's row lock, so two workers at once still give exact figures.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.functions import ExtractYear
from django.utils import timezone

from accidents.models import Accident, AccidentFigure
from fieldsync import hooks
from figures.compute import (
    accident_figures_replace,
    assistance_figures_replace,
    casualty_figures_replace,
)
from figures.models import DirtySlice, StatisticsSlice
from victims.models import AssistanceFigure, CasualtyFigure, Victim

logger = logging.getLogger(__name__)

Slice = tuple[int, str]  # (year the accident occurred, its province code)

# With a broker: a refresh runs this long after the first change it owes, and no other is
# enqueued meanwhile. The key lives a little less than the delay, so a change committed while
# the refresh is starting always schedules another (never lost, at worst one refresh more).
REFRESH_DELAY_SECONDS = 8
REFRESH_KEY = "statistics:refresh-scheduled"
REFRESH_KEY_SECONDS = 7
# A refresh owing at least this many slices, and at least a quarter of all, rebuilds every
# figure in one set-based pass instead.
REBUILD_FROM_SLICES = 50
REBUILD_FROM_SHARE = 4
REBUILD_WORK_MEM = "64MB"  # PostgreSQL's per-sort memory for the rebuild's transaction

# The wire fields that decide which figures a record counts in; other edits change no figure.
COUNTED_FIELDS: Mapping[str, tuple[str, ...]] = {
    "accident": (
        "occurred_on",
        "date_precision",
        "province",
        "district",
        "classification",
        "device_category",
        "ordnance_type",
        "activity",
        "status",
    ),
    "victim": (
        "victim_type",
        "accident",
        "related_victim",
        "outcome",
        "sex",
        "age_group",
        "civilian_status",
        "injuries",
    ),
    "assistance": (
        "victim",
        "pillar",
        "service_type",
        "provider_organisation",
        "status",
        "started_on",
        "completed_on",
    ),
}


# -- marking (inside the changing transaction) --------------------------------------------------
def slices_mark_changed(changed: hooks.ChangedRecords) -> None:
    """Store the slices `changed` touches as dirty, and ask for a refresh after the commit."""
    slices = slices_of_changes(changed)
    if not slices:
        return
    DirtySlice.objects.bulk_create(
        [DirtySlice(year=year, province=province) for year, province in sorted(slices)]
    )
    transaction.on_commit(statistics_refresh_request)


def slices_of_changes(changed: hooks.ChangedRecords) -> set[Slice]:
    """The old and new slices of the changed records, in at most two queries."""
    slices: set[Slice] = set()
    accident_ids: set[str] = set()
    victim_ids: set[str] = set()
    changed_accidents = changed.get("accident", {})
    for wire in _counted_states(changed_accidents, "accident"):
        slices.add(_accident_slice(wire["occurred_on"], wire["province"]))
    for wire in _counted_states(changed.get("victim", {}), "victim"):
        if wire.get("accident"):
            accident_ids.add(wire["accident"])
        elif wire.get("related_victim"):
            victim_ids.add(wire["related_victim"])
    for wire in _counted_states(changed.get("assistance", {}), "assistance"):
        victim_ids.add(wire["victim"])
    if victim_ids:
        rows = Victim.objects.filter(pk__any_of=victim_ids).values_list(
            "accident__occurred_on",
            "accident__province_id",
            "related_victim__accident__occurred_on",
            "related_victim__accident__province_id",
        )
        for occurred_on, province, related_occurred_on, related_province in rows:
            if occurred_on is not None:
                slices.add(_accident_slice(occurred_on, province))
            elif related_occurred_on is not None:
                slices.add(_accident_slice(related_occurred_on, related_province))
    for accident_id in accident_ids & set(changed_accidents):  # known from its wire data
        before, after = changed_accidents[accident_id]
        state = after or before
        if state is not None:
            slices.add(_accident_slice(state["occurred_on"], state["province"]))
    accident_ids -= set(changed_accidents)
    if accident_ids:
        for occurred_on, province in Accident.objects.filter(pk__any_of=accident_ids).values_list(
            "occurred_on", "province_id"
        ):
            slices.add(_accident_slice(occurred_on, province))
    return slices


def _counted_states(
    records: Mapping[str, tuple[hooks.WireData | None, hooks.WireData | None]], model: str
) -> Iterable[hooks.WireData]:
    """The before and after states of the records whose change can move a figure."""
    fields = COUNTED_FIELDS[model]
    for before, after in records.values():
        if (
            before is not None
            and after is not None
            and all(before.get(name) == after.get(name) for name in fields)
        ):
            continue
        if before is not None:
            yield before
        if after is not None:
            yield after


def _accident_slice(occurred_on: Any, province: str) -> Slice:
    return int(str(occurred_on)[:4]), province


# -- scheduling (after the commit) ---------------------------------------------------------------
def statistics_refresh_request() -> None:
    """Refresh now (no broker) or soon (broker); never fails the request that committed.

    Whatever goes wrong here, the dirty rows are committed: the next change, the beat sweep or
    `rebuild_statistics` picks them up.
    """
    from figures.tasks import statistics_refresh  # the task module imports this one

    try:
        if statistics_refresh.app.conf.task_always_eager:
            statistics_refresh.apply()
        elif cache.add(REFRESH_KEY, 1, timeout=REFRESH_KEY_SECONDS):
            try:
                statistics_refresh.apply_async(
                    countdown=REFRESH_DELAY_SECONDS,
                    retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
                )
            except Exception:
                cache.delete(REFRESH_KEY)  # let the next change try the broker again
                raise
    except Exception as error:
        logger.warning(
            "statistics refresh not scheduled (%s); dirty slices stay for the next one",
            type(error).__name__,
        )


# -- recomputing ----------------------------------------------------------------------------------
def statistics_refresh() -> int:
    """Recompute every slice marked dirty when it starts; returns how many were recomputed.

    Rows marked later are left for the next refresh, so a steady stream of changes cannot keep
    one refresh running forever.
    """
    last = DirtySlice.objects.aggregate(last=Max("pk"))["last"]
    if last is None:
        return 0
    claimed = (
        DirtySlice.objects.filter(pk__lte=last)
        .order_by()
        .values_list("year", "province")
        .distinct()
    )
    claimed_slices = sorted(claimed)
    if len(claimed_slices) >= max(
        REBUILD_FROM_SLICES, StatisticsSlice.objects.count() // REBUILD_FROM_SHARE
    ):
        # A file import or a bulk fix: recounting everything at once costs less than one GROUP
        # BY per slice (the figures are the same either way; the property tests compare them).
        return statistics_rebuild()
    recomputed = 0
    for year, province in claimed_slices:
        recomputed += slice_recompute(year=year, province=province, up_to=last)
    logger.info("statistics refresh: %s slices recomputed", recomputed)
    return recomputed


@transaction.atomic
def statistics_rebuild(*, progress: Callable[[Iterable[str]], Iterable[str]] = iter) -> int:
    """Recompute every figure from the records; returns the number of slices.

    Set-based: one GROUP BY per figure table over the whole tables (not one per slice), in one
    transaction that holds every slice's lock, so no refresh interleaves with it.
    """
    if connection.vendor == "postgresql":  # sorts and hashes of whole tables stay in memory
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'")
    last = DirtySlice.objects.aggregate(last=Max("pk"))["last"]
    slices = statistics_slices_all()
    StatisticsSlice.objects.bulk_create(
        [StatisticsSlice(year=year, province=province) for year, province in slices],
        ignore_conflicts=True,
    )
    list(StatisticsSlice.objects.select_for_update().order_by("year", "province").values("pk"))
    if last is not None:
        DirtySlice.objects.filter(pk__lte=last).delete()  # before reading: see slice_recompute
    steps = {
        "accident figures": accident_figures_replace,
        "casualty figures": casualty_figures_replace,
        "assistance figures": assistance_figures_replace,
    }
    for name in progress(list(steps)):
        steps[name]()
    StatisticsSlice.objects.update(recomputed_at=timezone.now())
    logger.info("statistics rebuild: %s slices recomputed", len(slices))
    return len(slices)


def statistics_slices_all() -> list[Slice]:
    slices: set[Slice] = set()
    slices.update(
        Accident.objects.order_by()
        .values_list(ExtractYear("occurred_on"), "province_id")
        .distinct()
    )
    for model in (AccidentFigure, CasualtyFigure, StatisticsSlice, DirtySlice):
        slices.update(model.objects.order_by().values_list("year", "province").distinct())
    slices.update(
        AssistanceFigure.objects.order_by().values_list("accident_year", "province").distinct()
    )
    return sorted(slices)


@transaction.atomic
def slice_recompute(*, year: int, province: str, up_to: int | None, force: bool = False) -> bool:
    """Recompute one slice's figures under its lock; False when another worker already did.

    The claimed dirty rows are deleted *before* the records are read: on PostgreSQL each
    statement sees what was committed when it began, so every change whose row this deletes is
    visible to the counts that follow; a change committing later keeps its row for next time.
    """
    StatisticsSlice.objects.bulk_create(
        [StatisticsSlice(year=year, province=province)], ignore_conflicts=True
    )
    lock = StatisticsSlice.objects.select_for_update().get(year=year, province=province)
    claimed = DirtySlice.objects.filter(year=year, province=province)
    if up_to is not None:
        claimed = claimed.filter(pk__lte=up_to)
    cleared, _ = claimed.delete()
    if not cleared and not force:
        return False
    accident_figures_replace(year=year, province=province)
    casualty_figures_replace(year=year, province=province)
    assistance_figures_replace(year=year, province=province)
    lock.recomputed_at = timezone.now()
    lock.save(update_fields=["recomputed_at"])
    return True
