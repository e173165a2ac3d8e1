"""Possible duplicate accident reports: two surveyors reporting the same event.

A pair is flagged when both accidents lie in the same district, occurred within a few days of
each other, lie within about 2 km of each other when both have coordinates, and have similar
victims (as many direct victims, of the same sex and ages within 2 years). Flagging only stores
a `DuplicateCandidate`; NRA staff merge or mark distinct (`accidents.services`). Never merged
automatically.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from accidents.choices import AccidentStatus
from accidents.models import Accident, DuplicateCandidate
from accidents.selectors import accident_victims

WINDOW_DAYS = 3
MAX_DISTANCE_KM = 2.0
AGE_TOLERANCE = 2
EARTH_RADIUS_KM = 6371.0


@dataclass
class Report:
    """What the comparison needs of one accident."""

    id: str
    district: str
    occurred_on: datetime.date
    latitude: float | None
    longitude: float | None
    victims: list[tuple[str, int | None]] = field(default_factory=list)


def distance_km(a: Report, b: Report) -> float | None:
    """Great-circle distance between two reports, None unless both have coordinates."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))  # type: ignore[arg-type]
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def victims_similar(a: Report, b: Report) -> bool:
    """As many direct victims, pairwise of the same sex and ages within AGE_TOLERANCE.

    Unknown sex or age matches anything (a survivor's age is often a guess).
    """
    if len(a.victims) != len(b.victims):
        return False
    key = _victim_order
    for (sex_a, age_a), (sex_b, age_b) in zip(
        sorted(a.victims, key=key), sorted(b.victims, key=key), strict=True
    ):
        if "unknown" not in (sex_a, sex_b) and sex_a != sex_b:
            return False
        if age_a is not None and age_b is not None and abs(age_a - age_b) > AGE_TOLERANCE:
            return False
    return True


def _victim_order(victim: tuple[str, int | None]) -> tuple[str, int]:
    sex, age = victim
    return sex, -1 if age is None else age


def pair_score(a: Report, b: Report) -> tuple[Decimal, dict[str, Any]] | None:
    """How likely two reports are one event (0-1) and why; None when they are not a pair."""
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


def duplicate_candidates_flag(*, accident_ids: Iterable[str] | None = None) -> int:
    """Flag the possible duplicates of these accidents (of every accident when None).

    Idempotent and safe to run concurrently: a pair is stored once (unique constraint), and a
    pair staff already decided is never reopened. Deleted and rejected reports are left out.
    Returns how many pairs were proposed (already stored ones included).
    """
    reports = Accident.objects.filter(is_deleted=False).exclude(status=AccidentStatus.REJECTED)
    seeds: set[str] | None = None
    if accident_ids is not None:
        seeds = {str(i) for i in accident_ids}
        windows: dict[str, list[datetime.date]] = defaultdict(list)
        for district, occurred_on in reports.filter(pk__in=seeds).values_list(
            "district_id", "occurred_on"
        ):
            windows[district].append(occurred_on)
        if not windows:
            return 0
        near = Q()
        margin = datetime.timedelta(days=WINDOW_DAYS)
        for district, dates in windows.items():
            near |= Q(
                district_id=district, occurred_on__range=(min(dates) - margin, max(dates) + margin)
            )
        reports = reports.filter(near)
    loaded = {
        str(pk): Report(
            id=str(pk),
            district=district,
            occurred_on=occurred_on,
            latitude=None if latitude is None else float(latitude),
            longitude=None if longitude is None else float(longitude),
        )
        for pk, district, occurred_on, latitude, longitude in reports.values_list(
            "pk", "district_id", "occurred_on", "latitude", "longitude"
        )
    }
    for victim in accident_victims().victims_of(list(loaded), direct_only=True):
        report = loaded.get(victim.accident_id)
        if report is not None:
            report.victims.append((victim.sex, victim.age_years))
    candidates = [
        DuplicateCandidate(first_id=a.id, second_id=b.id, score=scored[0], reasons=scored[1])
        for a, b in _nearby_pairs(loaded.values(), seeds)
        if (scored := pair_score(a, b)) is not None
    ]
    DuplicateCandidate.objects.bulk_create(candidates, ignore_conflicts=True)
    return len(candidates)


def _nearby_pairs(
    reports: Iterable[Report], seeds: set[str] | None
) -> Iterable[tuple[Report, Report]]:
    """Pairs in one district within the date window, in id order, touching a seed if given."""
    by_district: dict[str, list[Report]] = defaultdict(list)
    for report in reports:
        by_district[report.district].append(report)
    for district_reports in by_district.values():
        district_reports.sort(key=lambda r: r.occurred_on)
        for index, a in enumerate(district_reports):
            for b in district_reports[index + 1 :]:
                if (b.occurred_on - a.occurred_on).days > WINDOW_DAYS:
                    break
                if seeds is not None and a.id not in seeds and b.id not in seeds:
                    continue
                yield (a, b) if a.id < b.id else (b, a)
