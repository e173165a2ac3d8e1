"""Disclosure control of the victim-assistance figures (contract: Figures, Disclosure control).

A cell is `(area, grouping, key, field)`: area "" (Laos) or a province code (the person's
accident's), grouping "total" (key None) or one the statistics API offers, field `persons` or
`services`. Every count from 1 to 4 is "<5"; the identities a viewer knows, per area (a family):
- services: the rows of every grouping add up to the total (a service has one pillar, one
  service type, one provider, one status, and is given to one person of one sex and age);
- persons: only the sex and age rows add up to the total (a person has one sex and age group,
  but may be given several pillars, services, providers: those rows overlap);
- Laos' totals are the provinces' totals added up (a person's accident is in one province),
  the figures a viewer reads by asking for each province in turn.
The secondary suppression is the figures' own (`suppression.settle`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

from django.db.models import Count, Max, Sum

from fieldsync.models import Organisation
from figures.disclosure.cube import Cell
from figures.disclosure.published import Published, cached
from figures.disclosure.suppression import Identity, Table, primary, settle
from figures.models import StatisticsSlice
from figures.selectors import FigureQuery, Row, ordered_rows
from victims.choices import AgeGroup, AssistanceStatus, Pillar, Sex
from victims.models import AssistanceFigure, AssistanceGrouping, ServiceType

GROUPINGS = (
    AssistanceGrouping.PILLAR,
    AssistanceGrouping.SERVICE_TYPE,
    AssistanceGrouping.PROVIDER,
    AssistanceGrouping.STATUS,
    AssistanceGrouping.SEX_AGE,
)
FIELDS = ("persons", "services")
TOTAL = "total"


def published_assistance(year: int, *, verified_only: bool) -> Published:
    """The year's published assistance figures on one basis (cached while unchanged)."""
    return cached(
        f"assistance:{year}:{int(verified_only)}:{_version(year)}",
        lambda: _compute(year, verified_only=verified_only),
    )


def disclosed_assistance(*, by: str, query: FigureQuery) -> Row:
    """The assistance endpoint's answer: the totals and a row for every key the filters allow."""
    if query.year is None:
        raise ValueError("Assistance figures are for one year.")
    figures = published_assistance(query.year, verified_only=query.verified_only)
    area = query.province or ""
    keys = list(_keys(by))
    keys += sorted({c[2] for c in figures.values if c[:2] == (area, by)} - set(keys))
    rows = {
        key: {"key": key, **{name: figures.shown((area, by, key, name)) for name in FIELDS}}
        for key in keys
    }
    listed = ordered_rows(by, rows)
    for row in listed:
        row["key"] = row["key"] or None  # "": no service type (the API's null)
    totals = {name: figures.shown((area, TOTAL, None, name)) for name in FIELDS}
    return {"by": by, **totals, "rows": listed}


def _version(year: int) -> str:
    parts = [
        StatisticsSlice.objects.aggregate(n=Count("id"), at=Max("recomputed_at")),
        AssistanceFigure.objects.filter(year=year).aggregate(
            n=Count("id"), id=Max("id"), persons=Sum("persons"), services=Sum("services")
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def _compute(year: int, *, verified_only: bool) -> Published:
    figures = AssistanceFigure.objects.filter(
        year=year, grouping__in=[TOTAL, *GROUPINGS], **({"verified": True} if verified_only else {})
    )
    values: dict[Cell, int] = defaultdict(int)
    for province, grouping, key, persons, services in (
        figures.order_by()
        .values_list("province", "grouping", "key")
        .annotate(persons=Sum("persons"), services=Sum("services"))
    ):
        cell_key = None if grouping == TOTAL else key
        for area in ("", province):
            values[(area, grouping, cell_key, "persons")] += persons
            values[(area, grouping, cell_key, "services")] += services
    values = {cell: value for cell, value in values.items() if value}
    table = Table(values=values, marks=primary(values))
    settle(_families(values), table, _families_of)
    return Published(values=values, marks=table.marks)


def _families(values: dict[Cell, int]) -> dict[str, list[Identity]]:
    rows: dict[str, dict[str, list[Cell]]] = defaultdict(lambda: defaultdict(list))
    for cell in values:
        area, grouping = cell[0], cell[1]
        if grouping != TOTAL:
            rows[area][f"{grouping}:{cell[3]}"].append(cell)
        elif area:
            rows.setdefault(area, defaultdict(list))  # a province with totals only
            rows[""][f"province:{cell[3]}"].append(cell)
    families: dict[str, list[Identity]] = {}
    for area, parts_of in rows.items():
        identities = []
        for name in FIELDS:
            total = (area, TOTAL, None, name)
            groupings = [*GROUPINGS, "province"] if name == "services" else ["sex_age", "province"]
            for grouping in groupings:
                parts = tuple(parts_of.get(f"{grouping}:{name}", ()))
                # an identity only where the rows are a partition (they add up to the total)
                if parts and sum(values[p] for p in parts) == values.get(total):
                    identities.append(Identity(total, parts))
        families[area] = identities
    return families


def _families_of(cell: Cell) -> tuple[str, ...]:
    """A province's totals are shown in its own answers and among Laos' province totals."""
    if cell[1] == TOTAL and cell[0]:
        return (cell[0], "")
    return (cell[0],)


def _keys(by: str) -> tuple[Any, ...]:
    """Every key of the grouping, zero or not."""
    if by == AssistanceGrouping.PILLAR:
        return tuple(Pillar.values)
    if by == AssistanceGrouping.STATUS:
        return tuple(AssistanceStatus.values)
    if by == AssistanceGrouping.SEX_AGE:
        return tuple(f"{sex}:{age}" for sex in Sex.values for age in AgeGroup.values)
    if by == AssistanceGrouping.SERVICE_TYPE:
        return (*ServiceType.objects.values_list("code", flat=True), "")
    return tuple(Organisation.objects.order_by("code").values_list("code", flat=True))
