"""Reads of the sync engine: the pull of changes a device may see (sync contract, Pull)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Count, Q, QuerySet

from fieldsync import changelog
from fieldsync.cursors import Cursor, ResyncRequired, decode
from fieldsync.models import Change, Conflict, ConflictStatus, InboxRecord, InboxStatus
from fieldsync.models.changelog import Audience
from fieldsync.registry import Viewer, registry


class ChangeRow(NamedTuple):
    """A change-log row as a pull reads it (no model instance per row)."""

    pk: int
    model: str
    record_id: str
    seq: int
    version: int
    deleted: bool
    visible: bool


def change_rows(query: QuerySet[Change]) -> list[ChangeRow]:
    return [ChangeRow(*row) for row in query.values_list(*ChangeRow._fields)]


@dataclass(frozen=True)
class PullPage:
    changes: list[dict[str, Any]]
    cursor: str
    has_more: bool


def changes_pull(*, viewer: Viewer, cursor_token: str | None, limit: int) -> PullPage:
    """One page of the changes `viewer` may see after the cursor, at their latest version.

    Raises InvalidCursor or ResyncRequired for a cursor that cannot be used.
    """
    epoch = changelog.server_epoch()
    if cursor_token:
        cursor = decode(cursor_token, epoch=epoch)
        if changelog.commit_nonce(cursor.seq) != cursor.nonce:
            raise ResyncRequired
    else:
        cursor = Cursor(epoch=epoch, seq=0, nonce="", phase="ref", horizon=changelog.latest_seq())
    rows, has_more, next_cursor = _page(viewer, cursor, limit)
    return PullPage(
        changes=present_changes(rows, viewer), cursor=next_cursor.encode(), has_more=has_more
    )


def audiences_of(viewer: Viewer) -> list[str]:
    if viewer.is_nra:
        return [Audience.PUBLIC, Audience.ALL]
    return [Audience.PUBLIC, viewer.organisation or ""]


def _page(viewer: Viewer, cursor: Cursor, limit: int) -> tuple[list[ChangeRow], bool, Cursor]:
    if cursor.phase == "ref":
        rows = change_rows(
            Change.objects.filter(audience=Audience.PUBLIC, seq__gt=cursor.seq).order_by("seq")[
                : limit + 1
            ]
        )
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1].seq
            return rows, True, _advance(cursor, last)
        ref_high = rows[-1].seq if rows else cursor.seq
        main = Cursor(
            epoch=cursor.epoch,
            seq=0,
            nonce="",
            phase="main",
            ref_high=ref_high,
            horizon=cursor.horizon,
        )
        if len(rows) == limit:
            return rows, True, main
        more_rows, has_more, next_cursor = _page(viewer, main, limit - len(rows))
        return rows + more_rows, has_more, next_cursor

    query = Change.objects.filter(audience__in=audiences_of(viewer), seq__gt=cursor.seq)
    if cursor.ref_high > cursor.seq:
        query = query.exclude(audience=Audience.PUBLIC, seq__lte=cursor.ref_high)
    if cursor.horizon > cursor.seq:
        # A first sync: what was gone before it started is no news to this device.
        query = query.exclude(Q(seq__lte=cursor.horizon) & (Q(deleted=True) | Q(visible=False)))
    rows = change_rows(query.order_by("seq")[: limit + 1]) if limit > 0 else []
    has_more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return rows, has_more, cursor
    return rows, has_more, _advance(cursor, rows[-1].seq)


def _advance(cursor: Cursor, seq: int) -> Cursor:
    nonce = changelog.commit_nonce(seq) or ""
    ref_high = cursor.ref_high if cursor.ref_high > seq else 0
    horizon = cursor.horizon if cursor.horizon > seq else 0
    return Cursor(
        epoch=cursor.epoch,
        seq=seq,
        nonce=nonce,
        phase=cursor.phase,
        ref_high=ref_high,
        horizon=horizon,
    )


def present_changes(rows: Sequence[ChangeRow], viewer: Viewer) -> list[dict[str, Any]]:
    """Rows as wire changes, with each live record's current data (a query per model)."""
    live: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.visible and (not row.deleted or registry[row.model].tombstone_fields):
            live[row.model].append(row.record_id)
    data: dict[tuple[str, str], tuple[int, bool, dict[str, Any]]] = {}
    for model, ids in live.items():
        adapter = registry[model]
        instances = list(adapter.presentation_queryset().filter(pk__any_of=ids))
        for instance, wire in zip(instances, adapter.present(instances, viewer), strict=True):
            deleted = bool(getattr(instance, "is_deleted", False))
            data[(model, str(instance.pk))] = (instance.version, deleted, wire)
    changes: list[dict[str, Any]] = []
    for row in rows:
        if not row.visible:
            changes.append(
                {
                    "model": row.model,
                    "id": row.record_id,
                    "op": "delete",
                    "version": row.version,
                    "reason": "out_of_scope",
                }
            )
            continue
        current = data.get((row.model, row.record_id))
        if row.deleted or current is None or current[1]:
            version = current[0] if current else row.version
            delete = {"model": row.model, "id": row.record_id, "op": "delete", "version": version}
            if current is not None:  # e.g. the record a merged duplicate now lives on in
                fields = registry[row.model].tombstone_fields
                delete |= {k: current[2][k] for k in fields if current[2].get(k) is not None}
            changes.append(delete)
            continue
        changes.append(
            {
                "model": row.model,
                "id": row.record_id,
                "op": "upsert",
                "version": current[0],
                "data": current[2],
            }
        )
    return changes


# -- the review queue ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ReviewCounts:
    """What still needs a person: records the engine refused or holds, and open conflicts."""

    rejected: int
    held: int
    conflicts: int

    @property
    def total(self) -> int:
        return self.rejected + self.held + self.conflicts


def review_queue_counts() -> ReviewCounts:
    """Counts of the review queue (two queries on indexed statuses). Records superseded by a later
    version, fixed or discarded are history, not work: they are not counted."""
    inbox = InboxRecord.objects.filter(
        status__in=(InboxStatus.REJECTED, InboxStatus.HELD)
    ).aggregate(
        rejected=Count("pk", filter=Q(status=InboxStatus.REJECTED)),
        held=Count("pk", filter=Q(status=InboxStatus.HELD)),
    )
    conflicts = Conflict.objects.filter(status=ConflictStatus.OPEN).count()
    return ReviewCounts(rejected=inbox["rejected"], held=inbox["held"], conflicts=conflicts)
