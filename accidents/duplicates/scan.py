"""The duplicate scan: alike reports gathered into groups, in bounded memory and work.

One district at a time, the reports are read in date order, CHUNK at a time, and each is
compared with the first report of at most a few open groups and a few recent unmatched reports
(at most MAX_COMPARISONS comparisons). Only that window is kept between chunks, so memory does
not grow with the number of reports, and work grows linearly, never with the number of pairs.
"""

from __future__ import annotations

import datetime
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Greatest

from accidents.choices import AccidentStatus
from accidents.duplicates.similarity import WINDOW_DAYS, Report, pair_score
from accidents.models import Accident, DuplicateGroup, DuplicateMember, DuplicateStatus
from accidents.selectors import accident_victims

MAX_COMPARISONS = 16  # per report
RECENT_UNMATCHED = 8  # the unmatched reports a new one is compared with
MAX_GROUP_SIZE = 8  # what a reviewer can compare side by side
MAX_ACTIVE = 4 * MAX_COMPARISONS  # open groups kept in the window (older ones are never reached)
CHUNK = 500  # reports read at a time, and ids per query


@dataclass(slots=True, eq=False)
class Cluster:
    """An open group while the scan runs: a new one has no `group_id` until written."""

    first: Report  # stands for the group in comparisons
    size: int
    distinct: set[int]
    group_id: int | None = None
    added: list[Report] = field(default_factory=list)  # not written yet
    score: Decimal = Decimal(1)
    reasons: dict[str, Any] = field(default_factory=dict)

    def accepts(self, report: Report) -> bool:
        return self.size < MAX_GROUP_SIZE and not (self.distinct & report.distinct)

    def add(self, report: Report, score: Decimal, reasons: dict[str, Any]) -> None:
        report.cluster = self
        self.added.append(report)
        self.size += 1
        self.distinct |= report.distinct
        self.score = min(self.score, score)
        days = max(self.reasons.get("days_apart", 0), reasons["days_apart"])
        self.reasons = {**reasons, "days_apart": days}


@dataclass
class ScanResult:
    """What a scan did: reports read, comparisons made, groups created, reports grouped."""

    reports: int = 0
    comparisons: int = 0
    groups_created: int = 0
    reports_grouped: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def duplicate_groups_flag(*, accident_ids: Iterable[str] | None = None) -> ScanResult:
    """Group the possible duplicates of these accidents (of every accident when None).

    Idempotent and safe to run concurrently: a report joins at most one open group (unique
    constraint), and reports of a group staff decided distinct are never grouped together
    again. Deleted and rejected reports are left out, and taken out of their open groups.
    """
    live = Accident.objects.filter(is_deleted=False).exclude(status=AccidentStatus.REJECTED)
    result = ScanResult()
    seeds = None if accident_ids is None else sorted({str(i) for i in accident_ids})
    _open_groups_tidy(seeds)
    for district, reports in _districts(live, seeds):
        DistrictScan(district, result).run(reports)
    return result


def _districts(
    live: QuerySet[Accident], seeds: list[str] | None
) -> Iterator[tuple[str, QuerySet[Accident]]]:
    """Each district's reports to scan: all of them, or those near the seeds' dates."""
    if seeds is None:
        districts = live.order_by().values_list("district_id", flat=True).distinct()
        for district in sorted(districts):
            yield district, live.filter(district_id=district)
        return
    windows: dict[str, set[datetime.date]] = defaultdict(set)
    for start in range(0, len(seeds), CHUNK):
        rows = live.filter(pk__in=seeds[start : start + CHUNK]).values_list(
            "district_id", "occurred_on"
        )
        for district, occurred_on in rows:
            windows[district].add(occurred_on)
    margin = datetime.timedelta(days=WINDOW_DAYS)
    for district, dates in sorted(windows.items()):
        near = Q()
        for day in sorted(dates):
            near |= Q(occurred_on__range=(day - margin, day + margin))
        yield district, live.filter(near, district_id=district)


class DistrictScan:
    """The reports of one district in date order, and the window of groups they may join."""

    def __init__(self, district: str, result: ScanResult) -> None:
        self.district = district
        self.result = result
        self.active: deque[Cluster] = deque()  # open groups a report may still join
        self.recent: deque[Report] = deque()  # unmatched reports, oldest first
        self.known: dict[int, Cluster] = {}  # stored open groups met in the window
        self.touched: list[Cluster] = []  # with members not written yet

    def run(self, queryset: QuerySet[Accident]) -> None:
        rows = queryset.order_by("occurred_on", "pk").values_list(
            "pk", "occurred_on", "latitude", "longitude"
        )
        after: Q | None = None
        while True:
            page = list((rows.filter(after) if after else rows)[:CHUNK])
            if not page:
                return
            pk, day = page[-1][0], page[-1][1]
            after = Q(occurred_on__gt=day) | Q(occurred_on=day, pk__gt=pk)
            with transaction.atomic():
                self._chunk(page)

    def _chunk(self, page: list[tuple[Any, ...]]) -> None:
        reports = [
            Report(
                id=str(pk),
                district=self.district,
                occurred_on=occurred_on,
                latitude=None if latitude is None else float(latitude),
                longitude=None if longitude is None else float(longitude),
            )
            for pk, occurred_on, latitude, longitude in page
        ]
        self.result.reports += len(reports)
        by_id = {report.id: report for report in reports}
        for victim in accident_victims().victims_of(list(by_id), direct_only=True):
            by_id[victim.accident_id].victims.append((victim.sex, victim.age_years))
        self._memberships_load(by_id)
        for report in reports:
            self._place(report)
        self._write()

    def _memberships_load(self, by_id: dict[str, Report]) -> None:
        """Mark the reports already in an open group, and the groups staff found distinct."""
        ids = list(by_id)
        distinct = DuplicateMember.objects.filter(
            accident_id__in=ids, group__status=DuplicateStatus.DISTINCT
        ).values_list("accident_id", "group_id")
        for accident_id, group_id in distinct:
            report = by_id[str(accident_id)]
            report.distinct = report.distinct | {group_id}
        open_rows = list(
            DuplicateMember.objects.filter(accident_id__in=ids, is_open=True).values_list(
                "accident_id", "group_id"
            )
        )
        new_ids = {group_id for _a, group_id in open_rows} - set(self.known)
        sizes: dict[int, int] = {}
        barred: dict[int, set[int]] = defaultdict(set)
        if new_ids:
            sizes = dict(
                DuplicateMember.objects.filter(group_id__in=new_ids, is_open=True)
                .order_by()
                .values_list("group_id")
                .annotate(size=Count("pk"))
            )
            members = DuplicateMember.objects.filter(group_id__in=new_ids, is_open=True)
            rows = DuplicateMember.objects.filter(
                group__status=DuplicateStatus.DISTINCT,
                accident_id__in=members.values("accident_id"),
            ).values_list("accident_id", "group_id")
            group_of = dict(members.values_list("accident_id", "group_id"))
            for accident_id, distinct_group in rows:
                barred[group_of[accident_id]].add(distinct_group)
        for accident_id, group_id in sorted(open_rows, key=lambda r: by_id[str(r[0])].occurred_on):
            report = by_id[str(accident_id)]
            if group_id not in self.known:
                self.known[group_id] = Cluster(
                    first=report,
                    size=sizes.get(group_id, 0),
                    distinct=barred[group_id],
                    group_id=group_id,
                )
            report.cluster = self.known[group_id]
        # Stored groups may be joined by any report of the chunk, even one dated before them.
        fresh = [self.known[g] for g in new_ids if self.known[g].size < MAX_GROUP_SIZE]
        if fresh:
            window = sorted([*self.active, *fresh], key=lambda c: c.first.occurred_on)
            self.active = deque(window[-MAX_ACTIVE:])

    def _place(self, report: Report) -> None:
        """Put an ungrouped report in a group, with at most MAX_COMPARISONS comparisons."""
        cutoff = report.occurred_on - datetime.timedelta(days=WINDOW_DAYS)
        while self.active and self.active[0].first.occurred_on < cutoff:
            self.active.popleft()  # oldest first: stored groups are sorted in when read
        while self.recent and self.recent[0].occurred_on < cutoff:
            self.recent.popleft()
        if report.cluster is not None:  # already in an open group
            return
        budget = MAX_COMPARISONS
        for cluster in reversed(self.active):
            if budget == 0:
                break
            if not cluster.accepts(report):
                continue
            budget -= 1
            scored = pair_score(cluster.first, report)
            if scored is not None:
                self._join(cluster, report, scored)
                self.result.comparisons += MAX_COMPARISONS - budget
                return
        for other in list(reversed(self.recent))[: min(budget, RECENT_UNMATCHED)]:
            if other.distinct & report.distinct:
                continue
            budget -= 1
            scored = pair_score(other, report)
            if scored is not None:
                self.recent.remove(other)
                cluster = Cluster(first=other, size=0, distinct=set())
                self._join(cluster, other, scored)
                self._join(cluster, report, scored)
                self._activate(cluster)
                self.result.comparisons += MAX_COMPARISONS - budget
                return
        self.result.comparisons += MAX_COMPARISONS - budget
        self.recent.append(report)
        if len(self.recent) > RECENT_UNMATCHED:
            self.recent.popleft()

    def _join(
        self, cluster: Cluster, report: Report, scored: tuple[Decimal, dict[str, Any]]
    ) -> None:
        if not cluster.added:
            self.touched.append(cluster)
        cluster.add(report, *scored)
        if cluster.size >= MAX_GROUP_SIZE and cluster in self.active:
            self.active.remove(cluster)

    def _activate(self, cluster: Cluster) -> None:
        self.active.append(cluster)
        if len(self.active) > MAX_ACTIVE:
            self.active.popleft()

    def _write(self) -> None:
        """Store new groups and new members; a report another scan grouped meanwhile is
        skipped (the one-open-group constraint), and a group it leaves alone is dropped."""
        new = [cluster for cluster in self.touched if cluster.group_id is None]
        groups = DuplicateGroup.objects.bulk_create(
            [
                DuplicateGroup(
                    district_id=self.district,
                    first_occurred_on=min(r.occurred_on for r in cluster.added),
                    last_occurred_on=max(r.occurred_on for r in cluster.added),
                    score=cluster.score,
                    reasons=cluster.reasons,
                )
                for cluster in new
            ]
        )
        for cluster, group in zip(new, groups, strict=True):
            cluster.group_id = group.pk
        members = [
            DuplicateMember(group_id=group_id, accident_id=report.id)
            for cluster in self.touched
            if (group_id := cluster.group_id) is not None
            for report in cluster.added
        ]
        DuplicateMember.objects.bulk_create(members, ignore_conflicts=True)
        lonely = (
            DuplicateGroup.objects.filter(pk__in=[g.pk for g in groups])
            .annotate(size=Count("members"))
            .filter(size__lt=2)
            .values_list("pk", flat=True)
        )
        dropped = list(lonely)
        DuplicateGroup.objects.filter(pk__in=dropped).delete()
        self.result.groups_created += len(groups) - len(dropped)
        self.result.reports_grouped += len(members)
        created = {group.pk for group in groups}
        for cluster in self.touched:
            if cluster.group_id is not None and cluster.group_id not in created:
                last = max(r.occurred_on for r in cluster.added)
                DuplicateGroup.objects.filter(pk=cluster.group_id).update(
                    last_occurred_on=Greatest("last_occurred_on", Value(last))
                )
            cluster.added = []
        self.touched = []
        # Only the window's groups are kept: a group met again later is read again.
        self.known = {c.group_id: c for c in self.active if c.group_id is not None}


def _open_groups_tidy(seeds: list[str] | None) -> None:
    """Take deleted and rejected reports out of open groups; a group left with one report is
    superseded."""
    gone = DuplicateMember.objects.filter(is_open=True).filter(
        Q(accident__is_deleted=True) | Q(accident__status=AccidentStatus.REJECTED)
    )
    if seeds is not None:
        gone = gone.filter(accident_id__in=seeds)
    groups = set(gone.values_list("group_id", flat=True))
    if not groups:
        return
    DuplicateMember.objects.filter(pk__in=list(gone.values_list("pk", flat=True))).update(
        is_open=False
    )
    small = list(
        DuplicateGroup.objects.filter(pk__in=groups, status=DuplicateStatus.OPEN)
        .annotate(size=Count("members", filter=Q(members__is_open=True)))
        .filter(size__lt=2)
        .values_list("pk", flat=True)
    )
    DuplicateGroup.objects.filter(pk__in=small).update(status=DuplicateStatus.SUPERSEDED)
    DuplicateMember.objects.filter(group_id__in=small).update(is_open=False)
