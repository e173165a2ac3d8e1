"""Possible duplicate accident reports (two surveyors reporting the same event), as groups.

Two reports are alike when both lie in the same district, occurred within a few days of each
other, lie within about 2 km of each other when both have coordinates, and have similar victims
(as many direct victims, of the same sex and ages within 2 years). The scan gathers alike reports
into groups (`DuplicateGroup`): one district at a time, in date order, each report is compared
with the first report of at most a few open groups and a few recent unmatched reports, so the
work and the memory grow with the number of reports, never with the number of pairs. A report
is in at most one open group; reports staff marked distinct are never grouped together again.
Never merged automatically: NRA staff merge or mark distinct (`victims.services`).
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from accidents.choices import AccidentStatus
from accidents.models import Accident, DuplicateGroup, DuplicateMember, DuplicateStatus
from accidents.selectors import accident_victims

WINDOW_DAYS = 3
MAX_DISTANCE_KM = 2.0
AGE_TOLERANCE = 2
EARTH_RADIUS_KM = 6371.0
MAX_COMPARISONS = 16  # per report: the work of a scan is linear in the reports it reads
RECENT_UNMATCHED = 8  # the unmatched reports a new one is compared with
MAX_GROUP_SIZE = 8  # what a reviewer can compare side by side
CHUNK = 500  # ids per query


@dataclass(slots=True)
class Report:
    """What the comparison needs of one accident."""

    id: str
    district: str
    occurred_on: datetime.date
    latitude: float | None
    longitude: float | None
    victims: list[tuple[str, int | None]] = field(default_factory=list)
    cluster: Cluster | None = None
    distinct: frozenset[int] = frozenset()  # groups staff decided distinct that it is in


@dataclass(slots=True, eq=False)
class Cluster:
    """An open group while the scan runs: new ones have no `group_id` until written."""

    first: Report
    size: int
    distinct: set[int]
    group_id: int | None = None
    added: list[Report] = field(default_factory=list)
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
        self.reasons = {
            "district": reasons["district"],
            "victims": reasons["victims"],
            "days_apart": max(self.reasons.get("days_apart", 0), reasons["days_apart"]),
            "distance_km": reasons["distance_km"],
        }


@dataclass
class ScanResult:
    """What a scan did: reports read, comparisons made, groups created, reports grouped."""

    reports: int = 0
    comparisons: int = 0
    groups_created: int = 0
    reports_grouped: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def distance_km(a: Report, b: Report) -> float | None:
    """Great-circle distance between two reports, None unless both have coordinates."""
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def victims_similar(a: Report, b: Report) -> bool:
    """As many direct victims, pairwise of the same sex and ages within AGE_TOLERANCE.

    Unknown sex or age matches anything (a survivor's age is often a guess). Each report's
    victims are sorted by sex and age.
    """
    if len(a.victims) != len(b.victims):
        return False
    for (sex_a, age_a), (sex_b, age_b) in zip(a.victims, b.victims, strict=True):
        if "unknown" not in (sex_a, sex_b) and sex_a != sex_b:
            return False
        if age_a is not None and age_b is not None and abs(age_a - age_b) > AGE_TOLERANCE:
            return False
    return True


def pair_score(a: Report, b: Report) -> tuple[Decimal, dict[str, Any]] | None:
    """How likely two reports are one event (0-1) and why; None when they are not alike."""
    if a.district != b.district:
        return None
    days = abs((a.occurred_on - b.occurred_on).days)
    if days > WINDOW_DAYS:
        return None
    distance = distance_km(a, b)
    if distance is not None and distance > MAX_DISTANCE_KM:
        return None
    if not victims_similar(a, b):
        return None
    score = 1.0 - 0.1 * days
    score -= 0.15 if distance is None else 0.1 * distance
    if not a.victims:
        score -= 0.1  # no victims recorded yet: less to go on
    reasons = {
        "district": a.district,
        "days_apart": days,
        "distance_km": None if distance is None else round(distance, 2),
        "victims": len(a.victims),
    }
    return Decimal(str(round(max(score, 0.0), 3))), reasons


def duplicate_groups_flag(*, accident_ids: Iterable[str] | None = None) -> ScanResult:
    """Group the possible duplicates of these accidents (of every accident when None).

    Reads one district at a time (memory bounded by the reports of one district in the dates
    scanned) and makes at most MAX_COMPARISONS comparisons per report. Idempotent and safe to
    run concurrently: a report joins at most one open group (unique constraint), and reports in
    a group staff decided are never grouped together again. Deleted and rejected reports are
    left out, and taken out of the open groups they were in.
    """
    live = Accident.objects.filter(is_deleted=False).exclude(status=AccidentStatus.REJECTED)
    result = ScanResult()
    seeds = None if accident_ids is None else sorted({str(i) for i in accident_ids})
    _open_groups_tidy(seeds)
    for district, reports in _districts(live, seeds):
        _scan_district(district, reports, result)
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
    windows: dict[str, list[datetime.date]] = defaultdict(list)
    for start in range(0, len(seeds), CHUNK):
        rows = live.filter(pk__in=seeds[start : start + CHUNK]).values_list(
            "district_id", "occurred_on"
        )
        for district, occurred_on in rows:
            windows[district].append(occurred_on)
    margin = datetime.timedelta(days=WINDOW_DAYS)
    for district, dates in sorted(windows.items()):
        near = Q()
        for day in sorted(set(dates)):
            near |= Q(occurred_on__range=(day - margin, day + margin))
        yield district, live.filter(near, district_id=district)


@transaction.atomic
def _scan_district(district: str, queryset: QuerySet[Accident], result: ScanResult) -> None:
    reports = [
        Report(
            id=str(pk),
            district=district,
            occurred_on=occurred_on,
            latitude=None if latitude is None else float(latitude),
            longitude=None if longitude is None else float(longitude),
        )
        for pk, occurred_on, latitude, longitude in queryset.order_by("occurred_on", "pk")
        .values_list("pk", "occurred_on", "latitude", "longitude")
        .iterator(chunk_size=2000)
    ]
    result.reports += len(reports)
    by_id = {report.id: report for report in reports}
    ids = list(by_id)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for victim in accident_victims().victims_of(chunk, direct_only=True):
            by_id[victim.accident_id].victims.append((victim.sex, victim.age_years))
        _memberships_load(chunk, by_id)
    clusters = _cluster(reports, result)
    _clusters_write(district, clusters, result)


def _memberships_load(ids: list[str], by_id: dict[str, Report]) -> None:
    """Mark the reports already in an open group, and the groups staff found distinct."""
    distinct: dict[str, set[int]] = defaultdict(set)
    rows = DuplicateMember.objects.filter(
        accident_id__in=ids, group__status=DuplicateStatus.DISTINCT
    ).values_list("accident_id", "group_id")
    for accident_id, group_id in rows:
        distinct[str(accident_id)].add(group_id)
    for accident_id, groups in distinct.items():
        by_id[accident_id].distinct = frozenset(groups)
    open_rows = (
        DuplicateMember.objects.filter(accident_id__in=ids, is_open=True)
        .values_list("accident_id", "group_id")
        .order_by()
    )
    group_ids = {group_id for _accident, group_id in open_rows}
    if not group_ids:
        return
    sizes = dict(
        DuplicateMember.objects.filter(group_id__in=group_ids, is_open=True)
        .order_by()
        .values_list("group_id")
        .annotate(size=Count("pk"))
    )
    member_distinct: dict[int, set[int]] = defaultdict(set)
    rows = DuplicateMember.objects.filter(
        group__status=DuplicateStatus.DISTINCT,
        accident_id__in=DuplicateMember.objects.filter(group_id__in=group_ids, is_open=True).values(
            "accident_id"
        ),
    ).values_list("accident_id", "group_id")
    accident_groups = dict(
        DuplicateMember.objects.filter(group_id__in=group_ids, is_open=True).values_list(
            "accident_id", "group_id"
        )
    )
    for accident_id, distinct_group in rows:
        member_distinct[accident_groups[accident_id]].add(distinct_group)
    clusters: dict[int, Cluster] = {}
    # The earliest loaded report of a group stands for it in comparisons.
    for accident_id, group_id in sorted(open_rows, key=lambda row: by_id[str(row[0])].occurred_on):
        report = by_id[str(accident_id)]
        if group_id not in clusters:
            clusters[group_id] = Cluster(
                first=report,
                size=sizes.get(group_id, 0),
                distinct=member_distinct[group_id],
                group_id=group_id,
            )
        report.cluster = clusters[group_id]


def _cluster(reports: list[Report], result: ScanResult) -> list[Cluster]:
    """Place each ungrouped report (in date order) in a group, with bounded comparisons."""
    active: deque[Cluster] = deque()  # open groups a report may still join, oldest first
    recent: deque[Report] = deque()  # unmatched reports, oldest first
    touched: list[Cluster] = []
    seen: set[int] = set()
    for report in reports:
        cutoff = report.occurred_on - datetime.timedelta(days=WINDOW_DAYS)
        while active and active[0].first.occurred_on < cutoff:
            active.popleft()
        while recent and recent[0].occurred_on < cutoff:
            recent.popleft()
        if report.cluster is not None:  # already in an open group
            if id(report.cluster) not in seen and report.cluster.size < MAX_GROUP_SIZE:
                seen.add(id(report.cluster))
                active.append(report.cluster)
            continue
        budget = MAX_COMPARISONS
        placed = False
        for cluster in reversed(active):
            if budget == 0:
                break
            if not cluster.accepts(report):
                continue
            budget -= 1
            scored = pair_score(cluster.first, report)
            if scored is not None:
                if not cluster.added:
                    touched.append(cluster)
                cluster.add(report, *scored)
                if cluster.size >= MAX_GROUP_SIZE:
                    active.remove(cluster)
                placed = True
                break
        if not placed:
            for other in list(reversed(recent))[: min(budget, RECENT_UNMATCHED)]:
                if other.distinct & report.distinct:
                    continue
                budget -= 1
                scored = pair_score(other, report)
                if scored is not None:
                    recent.remove(other)
                    cluster = Cluster(first=other, size=0, distinct=set())
                    cluster.add(other, *scored)
                    cluster.add(report, *scored)
                    touched.append(cluster)
                    active.append(cluster)
                    placed = True
                    break
        result.comparisons += MAX_COMPARISONS - budget
        if not placed:
            recent.append(report)
            if len(recent) > RECENT_UNMATCHED:
                recent.popleft()
    return touched


def _clusters_write(district: str, clusters: list[Cluster], result: ScanResult) -> None:
    """Store new groups and new members; a report another scan grouped meanwhile is skipped."""
    new = [cluster for cluster in clusters if cluster.group_id is None]
    groups = DuplicateGroup.objects.bulk_create(
        [
            DuplicateGroup(
                district_id=district,
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
        DuplicateMember(group_id=cluster.group_id, accident_id=report.id)
        for cluster in clusters
        for report in cluster.added
    ]
    DuplicateMember.objects.bulk_create(members, batch_size=CHUNK, ignore_conflicts=True)
    # A group that lost a member to a concurrent scan and has one report left is no group.
    lonely = (
        DuplicateGroup.objects.filter(pk__in=[g.pk for g in groups])
        .annotate(size=Count("members"))
        .filter(size__lt=2)
    )
    dropped = lonely.count()
    DuplicateGroup.objects.filter(pk__in=lonely.values("pk")).delete()
    result.groups_created += len(groups) - dropped
    result.reports_grouped += len(members)
    created = {group.pk for group in groups}
    for cluster in clusters:
        if cluster.group_id in created:
            continue
        DuplicateGroup.objects.filter(pk=cluster.group_id).update(
            last_occurred_on=max(r.occurred_on for r in [cluster.first, *cluster.added])
        )


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
    gone.update(is_open=False)
    small = (
        DuplicateGroup.objects.filter(pk__in=groups, status=DuplicateStatus.OPEN)
        .annotate(size=Count("members", filter=Q(members__is_open=True)))
        .filter(size__lt=2)
        .values_list("pk", flat=True)
    )
    small_ids = list(small)
    DuplicateGroup.objects.filter(pk__in=small_ids).update(status=DuplicateStatus.SUPERSEDED)
    DuplicateMember.objects.filter(group_id__in=small_ids).update(is_open=False)
