"""Recompute the casualty and assistance figures of one slice from the records (one GROUP BY each).

The caller holds the slice's lock (`slices.slice_recompute`); each function deletes the slice's
rows and inserts fresh ones.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Coalesce, ExtractYear

from accidents.aggregates import (
    counted_accidents_q,
    in_slice_q,
    month_of,
    verified_of,
)
from accidents.choices import AccidentStatus
from fieldsync.bulk import bulk_insert
from victims.aggregates.models import AssistanceFigure, AssistanceGrouping, CasualtyFigure
from victims.choices import VictimType
from victims.models import Assistance, Victim


def casualty_figures_replace(*, year: int | None = None, province: str | None = None) -> int:
    """Replace the slice's casualty figures: direct victims of counted accidents, per cell.

    Without a slice, every slice's (a full rebuild: one GROUP BY over the whole table)."""
    if year is None or province is None:
        CasualtyFigure.objects.all().delete()
        scope = Q()
    else:
        CasualtyFigure.objects.filter(year=year, province=province).delete()
        scope = in_slice_q(year, province, "accident__")
    rows = (
        Victim.objects.filter(
            counted_accidents_q("accident__"),
            scope,
            is_deleted=False,
            victim_type=VictimType.DIRECT,
        )
        .order_by()
        .values(
            "civilian_status",
            "sex",
            "age_group",
            "outcome",
            month=month_of("accident__"),
            district_code=F("accident__district_id"),
            device=F("accident__device_category"),
            accident_activity=F("accident__activity"),
            accident_classification=F("accident__classification"),
            is_verified=verified_of("accident__"),
            slice_year=ExtractYear("accident__occurred_on"),
            slice_province=F("accident__province_id"),
        )
        .annotate(casualties=Count("pk"))
    )
    figures = [
        CasualtyFigure(
            year=row["slice_year"],
            province=row["slice_province"],
            month=row["month"],
            district=row["district_code"],
            device_category=row["device"],
            activity=row["accident_activity"],
            classification=row["accident_classification"],
            civilian_status=row["civilian_status"],
            sex=row["sex"],
            age_group=row["age_group"],
            outcome=row["outcome"],
            verified=row["is_verified"],
            count=row["casualties"],
        )
        for row in rows
    ]
    bulk_insert(CasualtyFigure, figures)
    return len(figures)


# A victim's accident is its own, else (a family member) its related casualty's: the same rule
# as the sync engine's scope (victims.sync._owning_accident).
OWN = "victim__accident__"
VIA_RELATED = "victim__related_victim__accident__"


def counted_assistance_q(year: int | None, province: str | None) -> Q:
    """Assistance that counts in the slice (in any slice when None): every link up to a counted
    accident is alive."""
    every = year is None or province is None
    own = Q(victim__accident__isnull=False) & counted_accidents_q(OWN)
    own &= Q() if every else in_slice_q(year, province, OWN)  # type: ignore[arg-type]
    via_related = Q(victim__accident__isnull=True, victim__related_victim__is_deleted=False)
    via_related &= counted_accidents_q(VIA_RELATED)
    via_related &= Q() if every else in_slice_q(year, province, VIA_RELATED)  # type: ignore[arg-type]
    return Q(is_deleted=False, victim__is_deleted=False) & (own | via_related)


def assistance_year() -> Coalesce:
    """The year of the start, else of the completion, else the local date of creation."""
    local = ZoneInfo(settings.TIME_ZONE)
    return Coalesce(
        ExtractYear("started_on"),
        ExtractYear("completed_on"),
        ExtractYear("created_at", tzinfo=local),
        output_field=models.PositiveSmallIntegerField(),
    )


def assistance_figures_replace(*, year: int | None = None, province: str | None = None) -> int:
    """Replace the slice's assistance figures: distinct persons and services per grouping set.

    One query groups the slice's assistance per person and cell; the grouping sets are summed
    from it here, counting each person once per cell. Without a slice, every slice's.
    """
    if year is None or province is None:
        AssistanceFigure.objects.all().delete()
    else:
        AssistanceFigure.objects.filter(accident_year=year, province=province).delete()
    verified = Case(
        When(
            Q(victim__accident__isnull=False, victim__accident__status=AccidentStatus.VERIFIED)
            | Q(
                victim__accident__isnull=True,
                victim__related_victim__accident__status=AccidentStatus.VERIFIED,
            ),
            then=Value(True),
        ),
        default=Value(False),
        output_field=models.BooleanField(),
    )
    rows = (
        Assistance.objects.filter(counted_assistance_q(year, province))
        .order_by()
        .values(
            "victim_id",
            "pillar",
            "status",
            service=F("service_type_id"),
            provider=F("provider_organisation_id"),
            victim_sex=F("victim__sex"),
            victim_age_group=F("victim__age_group"),
            is_verified=verified,
            assistance_year=assistance_year(),
            slice_year=Coalesce(
                ExtractYear(f"{OWN}occurred_on"), ExtractYear(f"{VIA_RELATED}occurred_on")
            ),
            slice_province=Coalesce(F(f"{OWN}province_id"), F(f"{VIA_RELATED}province_id")),
        )
        .annotate(services=Count("pk"))
    )
    Cell = tuple[int, str, bool, int, str, str]
    persons: dict[Cell, set[Any]] = defaultdict(set)
    services: dict[Cell, int] = defaultdict(int)
    for row in rows:
        cells = (
            (AssistanceGrouping.TOTAL, ""),
            (AssistanceGrouping.PILLAR, row["pillar"]),
            (AssistanceGrouping.SERVICE_TYPE, row["service"] or ""),
            (AssistanceGrouping.PROVIDER, row["provider"]),
            (AssistanceGrouping.STATUS, row["status"]),
            (AssistanceGrouping.SEX_AGE, f"{row['victim_sex']}:{row['victim_age_group']}"),
        )
        for grouping, key in cells:
            cell = (
                row["slice_year"],
                row["slice_province"],
                row["is_verified"],
                row["assistance_year"],
                grouping.value,
                key,
            )
            persons[cell].add(row["victim_id"])
            services[cell] += row["services"]
    figures = [
        AssistanceFigure(
            accident_year=cell[0],
            province=cell[1],
            verified=cell[2],
            year=cell[3],
            grouping=cell[4],
            key=cell[5],
            persons=len(persons[cell]),
            services=count,
        )
        for cell, count in sorted(services.items())
    ]
    bulk_insert(AssistanceFigure, figures)
    return len(figures)
