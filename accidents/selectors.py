"""Reads of the accidents app that other parts build on: which accidents count in figures, how
an accident's date and status are classified there, and what the accident side asks of victims.

The accident side never imports the victims app (victims belong to accidents, not the reverse):
where it needs victims (casualty counts, the records that follow an accident, duplicate
comparison) it asks the `AccidentVictims` the victims app registers in its `ready()`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, NamedTuple, Protocol

from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import ExtractMonth

from accidents.choices import AccidentStatus, DatePrecision
from accidents.models import Accident, OrdnanceType

COUNTED_STATUSES = (AccidentStatus.REPORTED, AccidentStatus.VERIFIED)  # rejected never counts


def month_of(accident: str = "") -> Case:
    """The accident's month, or null when only its year is known."""
    return Case(
        When(**{f"{accident}date_precision": DatePrecision.YEAR}, then=Value(None)),
        default=ExtractMonth(f"{accident}occurred_on"),
        output_field=models.PositiveSmallIntegerField(),
    )


def verified_of(accident: str = "") -> Case:
    return Case(
        When(**{f"{accident}status": AccidentStatus.VERIFIED}, then=Value(True)),
        default=Value(False),
        output_field=models.BooleanField(),
    )


def counted_accidents_q(prefix: str = "") -> Q:
    """The accidents that count in figures: not deleted, not rejected."""
    return Q(**{f"{prefix}is_deleted": False, f"{prefix}status__in": COUNTED_STATUSES})


def ordnance_mine_types() -> dict[str, str]:
    """{ordnance type code: mine type} of the types whose mine type is known (one query)."""
    return dict(OrdnanceType.objects.exclude(mine_type="").values_list("code", "mine_type"))


class VictimSummary(NamedTuple):
    """A victim as the accident side sees it: no name, nothing personal."""

    accident_id: str
    sex: str
    age_years: int | None
    outcome: str


class AccidentVictims(Protocol):
    """The victims of accidents, as the accident side may read them."""

    def casualty_counts(self, accident_ids: Sequence[Any]) -> dict[str, tuple[int, int]]:
        """(killed, injured) direct victims per accident id, in one query."""
        ...

    def victims_of(
        self, accident_ids: Collection[Any], *, direct_only: bool
    ) -> list[VictimSummary]:
        """The live victims of these accidents, ordered by sex and age."""
        ...

    def dependents(self, accident_ids: Collection[Any]) -> dict[str, set[str]]:
        """Ids of the records that hang from these accidents, per wire model (their victims,
        those victims' families, and the assistance of both)."""
        ...

    def victim_versions(self, accident_id: Any) -> list[tuple[str, int]]:
        """(id, version) of the accident's live victims, in id order: what a merge moves."""
        ...


class NoVictims:
    """The answer while no victims app has registered: accidents alone, with no victims."""

    def casualty_counts(self, accident_ids: Sequence[Any]) -> dict[str, tuple[int, int]]:
        return {}

    def victims_of(
        self, accident_ids: Collection[Any], *, direct_only: bool
    ) -> list[VictimSummary]:
        return []

    def dependents(self, accident_ids: Collection[Any]) -> dict[str, set[str]]:
        return {}

    def victim_versions(self, accident_id: Any) -> list[tuple[str, int]]:
        return []


_accident_victims: list[AccidentVictims] = [NoVictims()]


def accident_victims_register(selector: AccidentVictims) -> None:
    """Set the selector the accident side reads victims through (the victims app's `ready()`)."""
    _accident_victims[0] = selector


def accident_victims() -> AccidentVictims:
    """The registered victims selector."""
    return _accident_victims[0]


# -- the review queue and the map ------------------------------------------------------------------
def accidents_waiting_q() -> Q:
    """Reports waiting in the NRA's review queue."""
    return Q(status=AccidentStatus.REPORTED, is_deleted=False)


def accident_next_to_review(*, after: Accident) -> Accident | None:
    """The report after `after` in the queue as the list shows it (newest received first): the
    one received just before it, else the newest still waiting; never `after` itself."""
    waiting = Accident.objects.filter(accidents_waiting_q()).exclude(pk=after.pk)
    older = waiting.filter(
        Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, pk__lt=after.pk)
    )
    return (
        older.order_by("-created_at", "-pk").first()
        or waiting.order_by("-created_at", "-pk").first()
    )


def accidents_waiting_count() -> int:
    return Accident.objects.filter(accidents_waiting_q()).count()


class MapPoints(NamedTuple):
    """Accidents as points: [latitude, longitude, id, status] rows, how many matched, whether
    the rows stop short of them (the newest `limit` occurrences are kept)."""

    rows: list[list[Any]]
    total: int
    truncated: bool


def accident_map_points(
    *,
    year: int | None = None,
    province: str = "",
    device_category: str = "",
    limit: int,
) -> MapPoints:
    """Live accidents with coordinates (to 4 decimals, ~11 m: a map needs no more), newest
    occurrence first, at most `limit` of them."""
    accidents = Accident.objects.filter(
        is_deleted=False, latitude__isnull=False, longitude__isnull=False
    )
    if year is not None:
        accidents = accidents.filter(occurred_on__year=year)
    if province:
        accidents = accidents.filter(province_id=province)
    if device_category:
        accidents = accidents.filter(device_category=device_category)
    rows = [
        [round(float(lat or 0), 4), round(float(lng or 0), 4), str(pk), status]
        for lat, lng, pk, status in accidents.order_by("-occurred_on", "pk").values_list(
            "latitude", "longitude", "pk", "status"
        )[: limit + 1]
    ]
    if len(rows) <= limit:
        return MapPoints(rows=rows, total=len(rows), truncated=False)
    return MapPoints(rows=rows[:limit], total=accidents.count(), truncated=True)
