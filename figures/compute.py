"""Recompute the figures of one slice from the records (one GROUP BY per figure table).

The caller holds the slice's lock (`slices.slice_recompute`); each function deletes the slice's
rows and inserts fresh ones.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce, ExtractYear

from accidents.models import Accident, AccidentFigure
from accidents.selectors import counted_accidents_q, month_of, verified_of
from fieldsync.bulk import insert_from_query, quoted_columns
from victims.choices import NEED_ASSESSED, NEED_WITHDRAWN, VictimType
from victims.models import (
    Assistance,
    AssistanceFigure,
    AssistanceGrouping,
    CasualtyFigure,
    Victim,
)
from victims.selectors import disabled_of


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def slice_figures_delete(
    model: type[models.Model], year: int | None, province: str | None, *, year_field: str = "year"
) -> None:
    """Delete a figure table's rows of the slice, or of every slice when it is not named (a full
    rebuild)."""
    if year is None or province is None:
        model._default_manager.all().delete()
    else:
        model._default_manager.filter(**{year_field: year, "province": province}).delete()


def in_slice_q(year: int | None, province: str | None, prefix: str = "") -> Q:
    """The records of the slice; of every slice when it is not named (a full rebuild)."""
    if year is None or province is None:
        return Q()
    return Q(**{f"{prefix}occurred_on__range": year_bounds(year), f"{prefix}province_id": province})


def accident_figures_replace(*, year: int | None = None, province: str | None = None) -> int:
    """Replace the slice's accident figures by a fresh count; the caller holds the slice lock.

    Without a slice, every slice's (a full rebuild: one GROUP BY over the whole table)."""
    slice_figures_delete(AccidentFigure, year, province)
    scope = in_slice_q(year, province)
    rows = (
        Accident.objects.filter(scope, counted_accidents_q())
        .order_by()
        .values(
            "device_category",
            "activity",
            "classification",
            ordnance=Coalesce(F("ordnance_type_id"), Value("")),
            month=month_of(),
            district_code=F("district_id"),
            is_verified=verified_of(),
            slice_year=ExtractYear("occurred_on"),
            slice_province=F("province_id"),
        )
        .annotate(accidents=Count("pk"))
    )
    return insert_from_query(
        AccidentFigure,
        {
            "year": "slice_year",
            "province": "slice_province",
            "month": "month",
            "district": "district_code",
            "device_category": "device_category",
            "ordnance_type": "ordnance",
            "activity": "activity",
            "classification": "classification",
            "verified": "is_verified",
            "count": "accidents",
        },
        rows,
    )


def casualty_figures_replace(*, year: int | None = None, province: str | None = None) -> int:
    """Replace the slice's casualty figures: direct victims of counted accidents, per cell.

    Without a slice, every slice's (a full rebuild: one GROUP BY over the whole table)."""
    slice_figures_delete(CasualtyFigure, year, province)
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
            is_disabled=disabled_of(),
            month=month_of("accident__"),
            district_code=F("accident__district_id"),
            device=F("accident__device_category"),
            ordnance=Coalesce(F("accident__ordnance_type_id"), Value("")),
            accident_activity=F("accident__activity"),
            accident_classification=F("accident__classification"),
            is_verified=verified_of("accident__"),
            slice_year=ExtractYear("accident__occurred_on"),
            slice_province=F("accident__province_id"),
        )
        .annotate(casualties=Count("pk"))
    )
    return insert_from_query(
        CasualtyFigure,
        {
            "year": "slice_year",
            "province": "slice_province",
            "month": "month",
            "district": "district_code",
            "device_category": "device",
            "ordnance_type": "ordnance",
            "activity": "accident_activity",
            "classification": "accident_classification",
            "civilian_status": "civilian_status",
            "sex": "sex",
            "age_group": "age_group",
            "outcome": "outcome",
            "disabled": "is_disabled",
            "verified": "is_verified",
            "count": "casualties",
        },
        rows,
    )


# A victim's accident is its own, else (a family member) its related casualty's: the same rule
# as the sync engine's scope (victims.sync.victim._owning_accident).
OWN = "victim__accident__"
VIA_RELATED = "victim__related_victim__accident__"


def counted_assistance_q(year: int | None, province: str | None, path: str) -> Q:
    """Assistance that counts in the slice (in any slice when None) through one `path` to its
    accident (OWN or VIA_RELATED): every link up to a counted accident is alive.

    The two paths are queried apart (UNION ALL): one condition OR-ing them cannot use the
    accidents' (province, date) index, and every refresh would read the whole tables."""
    if path == OWN:
        condition = Q(victim__accident__isnull=False)
    else:
        condition = Q(victim__accident__isnull=True, victim__related_victim__is_deleted=False)
    condition &= Q(is_deleted=False, victim__is_deleted=False) & counted_accidents_q(path)
    condition &= in_slice_q(year, province, path)
    return condition


def assistance_year() -> Coalesce:
    """The year of the start, else of the completion, else the local date of creation."""
    local = ZoneInfo(settings.TIME_ZONE)
    return Coalesce(
        ExtractYear("started_on"),
        ExtractYear("completed_on"),
        ExtractYear("created_at", tzinfo=local),
        output_field=models.PositiveSmallIntegerField(),
    )


EMPTY = "''"  # the SQL text of an empty string


def assistance_figures_replace(*, year: int | None = None, province: str | None = None) -> int:
    """Replace the slice's assistance figures: distinct persons and services per grouping set.

    One query groups the slice's assistance per person and cell; the grouping sets are counted
    from it in the database, each person once per cell. Without a slice, every slice's.
    """
    slice_figures_delete(AssistanceFigure, year, province, year_field="accident_year")
    own, via_related = (
        Assistance.objects.filter(counted_assistance_q(year, province, path))
        .order_by()
        .values(
            "victim_id",
            "pillar",
            "status",
            service=F("service_type_id"),
            provider=F("provider_organisation_id"),
            victim_sex=F("victim__sex"),
            victim_age_group=F("victim__age_group"),
            is_verified=verified_of(path),
            device=F(f"{path}device_category"),
            assistance_year=assistance_year(),
            slice_year=ExtractYear(f"{path}occurred_on"),
            slice_province=F(f"{path}province_id"),
        )
        .annotate(services=Count("pk"))
        for path in (OWN, VIA_RELATED)
    )
    rows = own.union(via_related, all=True)  # a victim has its own accident or a relative's
    # Persons cannot be summed across cells: each grouping set counts distinct victims itself,
    # in the database (UNION ALL of one GROUP BY per set: SQLite has no GROUPING SETS).
    cell = "q.slice_year, q.slice_province, q.is_verified, q.device, q.assistance_year"
    keys = {
        AssistanceGrouping.TOTAL: "",  # one cell per slice and year: no key to group by
        AssistanceGrouping.PILLAR: "q.pillar",
        AssistanceGrouping.SERVICE_TYPE: "COALESCE(q.service, '')",
        AssistanceGrouping.PROVIDER: "q.provider",
        AssistanceGrouping.STATUS: "q.status",
        AssistanceGrouping.SEX_AGE: "q.victim_sex || ':' || q.victim_age_group",
        # A need is assessed unless it was withdrawn (victims.choices.NEED_WITHDRAWN).
        AssistanceGrouping.NEED: (
            f"CASE WHEN q.status = '{NEED_WITHDRAWN.value}' THEN '{NEED_WITHDRAWN.value}' "
            f"ELSE '{NEED_ASSESSED}' END"
        ),
    }
    selects = " UNION ALL ".join(
        f"SELECT {cell}, '{grouping.value}', {key or EMPTY}, COUNT(DISTINCT q.victim_id), "  # noqa: S608
        f"SUM(q.services) FROM q GROUP BY {cell}{', ' + key if key else ''}"
        for grouping, key in keys.items()
    )
    quote = connection.ops.quote_name
    meta = AssistanceFigure._meta
    columns = (
        "accident_year",
        "province",
        "verified",
        "device_category",
        "year",
        "grouping",
        "key",
        "persons",
    )
    names = quoted_columns(AssistanceFigure, (*columns, "services"))
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH q AS ({sql}) INSERT INTO {quote(meta.db_table)} ({names}) {selects}",
            params,
        )
        return int(cursor.rowcount)
