"""Whether two accident reports are alike: the same district, a few days and about 2 km apart
(when both have coordinates), and similar victims (as many direct victims, of the same sex and
ages within 2 years)."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accidents.duplicates.scan import Cluster

WINDOW_DAYS = 3
MAX_DISTANCE_KM = 2.0
AGE_TOLERANCE = 2
EARTH_RADIUS_KM = 6371.0


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
