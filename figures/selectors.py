"""Read the figures: sums over the figure tables, never a scan of the records."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accidents.choices import Activity, Classification, DeviceCategory
from accidents.models import AccidentFigure, District, Province
from accidents.selectors import ordnance_mine_types
from fieldsync.models import Organisation
from victims.choices import (
    NEED_ASSESSED,
    NEED_WITHDRAWN,
    AgeGroup,
    AssistanceStatus,
    CivilianStatus,
    Outcome,
    Pillar,
    Sex,
)
from victims.models import AssistanceFigure, AssistanceGrouping, CasualtyFigure, ServiceType

Row = dict[str, Any]

# The contract's summary fields: accidents, then casualties (direct victims) by outcome, age
# group and sex. Unknown sex or age counts in the totals only.
CASUALTY_FIELDS: Mapping[str, Q | None] = {
    "casualties": None,
    "killed": Q(outcome=Outcome.KILLED),
    "injured": Q(outcome=Outcome.INJURED),
    "unknown": Q(outcome=Outcome.UNKNOWN),
    "children": Q(age_group=AgeGroup.CHILD),
    "adults": Q(age_group=AgeGroup.ADULT),
    "men": Q(age_group=AgeGroup.ADULT, sex=Sex.MALE),
    "women": Q(age_group=AgeGroup.ADULT, sex=Sex.FEMALE),
    "boys": Q(age_group=AgeGroup.CHILD, sex=Sex.MALE),
    "girls": Q(age_group=AgeGroup.CHILD, sex=Sex.FEMALE),
}
SUMMARY_FIELDS: tuple[str, ...] = ("accidents", *CASUALTY_FIELDS)

# Breakdown dimensions: the figure column each groups by. Accident counts exist only for the
# accident's own dimensions; a victim dimension (civilian status, sex and age) gives null.
DIMENSIONS: Mapping[str, str] = {
    "province": "province",
    "district": "district",
    "month": "month",
    "device_category": "device_category",
    "activity": "activity",
    "classification": "classification",
    "civilian_status": "civilian_status",
    "sex_age": "sex_age",
}
ACCIDENT_DIMENSIONS = frozenset(
    {"province", "district", "month", "device_category", "activity", "classification"}
)
SEX_AGE_KEYS: Mapping[tuple[str, str], str] = {
    (Sex.MALE, AgeGroup.ADULT): "men",
    (Sex.FEMALE, AgeGroup.ADULT): "women",
    (Sex.MALE, AgeGroup.CHILD): "boys",
    (Sex.FEMALE, AgeGroup.CHILD): "girls",
}
SEX_AGE_LABELS = {
    "men": "Men",
    "women": "Women",
    "boys": "Boys",
    "girls": "Girls",
    "unknown": "Sex or age unknown",
}
CHOICE_LABELS: Mapping[str, Mapping[str, Any]] = {
    "device_category": dict(DeviceCategory.choices),
    "activity": dict(Activity.choices),
    "classification": dict(Classification.choices),
    "civilian_status": dict(CivilianStatus.choices),
    "pillar": dict(Pillar.choices),
    "status": dict(AssistanceStatus.choices),
    "need": {NEED_ASSESSED: "Needs assessed", NEED_WITHDRAWN: "Needs withdrawn"},
}
# What the figures count, in the API's `basis` and in every report: all accidents reported (not
# rejected, not deleted), verified or not; or only those the NRA has verified.
BASIS_REPORTED_AND_VERIFIED = "reported_and_verified"
BASIS_VERIFIED_ONLY = "verified_only"


@dataclass(frozen=True)
class FigureQuery:
    """Which figures: a year (or a range of years), an area, all reported or verified only, and
    optionally one device category (the accident's; a family member's: their casualty's)."""

    year: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    province: str | None = None
    district: str | None = None
    verified_only: bool = False
    device_category: str | None = None

    def q(self, *, year_field: str = "year", area: bool = True) -> Q:
        q = Q()
        if self.year is not None:
            q &= Q(**{year_field: self.year})
        if self.year_from is not None:
            q &= Q(**{f"{year_field}__gte": self.year_from})
        if self.year_to is not None:
            q &= Q(**{f"{year_field}__lte": self.year_to})
        if area and self.province:
            q &= Q(province=self.province)
        if area and self.district:
            q &= Q(district=self.district)
        if self.verified_only:
            q &= Q(verified=True)
        if self.device_category:
            q &= Q(device_category=self.device_category)
        return q

    @property
    def district_level(self) -> bool:
        return bool(self.district)

    @property
    def basis(self) -> str:
        return BASIS_VERIFIED_ONLY if self.verified_only else BASIS_REPORTED_AND_VERIFIED


def _casualty_sums() -> dict[str, Coalesce]:
    return {name: Coalesce(Sum("count", filter=q), 0) for name, q in CASUALTY_FIELDS.items()}


def figures_summary(*, query: FigureQuery) -> Row:
    """The contract's summary for a period and area: two aggregate queries."""
    accidents = AccidentFigure.objects.filter(query.q()).aggregate(
        accidents=Coalesce(Sum("count"), 0)
    )
    casualties = CasualtyFigure.objects.filter(query.q()).aggregate(**_casualty_sums())
    return {**accidents, **casualties}


def figures_breakdown(*, by: str, query: FigureQuery) -> list[Row]:
    """The summary fields per key of one dimension, ordered as people read them."""
    column = DIMENSIONS[by]
    rows: dict[Any, Row] = {}
    casualties = CasualtyFigure.objects.filter(query.q())
    if by == "sex_age":  # always the five rows, in the contract's order
        rows = {key: _empty_row(key, accidents=None) for key in SEX_AGE_LABELS}
        for cell in _grouped(casualties, ("sex", "age_group")):
            key = SEX_AGE_KEYS.get((cell.pop("sex"), cell.pop("age_group")), "unknown")
            _add(rows[key], cell)
    else:
        accident_counts: dict[Any, int] = {}
        if by in ACCIDENT_DIMENSIONS:
            accident_counts = dict(
                AccidentFigure.objects.filter(query.q())
                .order_by()
                .values_list(column)
                .annotate(accidents=Sum("count"))
                .values_list(column, "accidents")
            )
        no_accidents = 0 if by in ACCIDENT_DIMENSIONS else None
        for key, count in accident_counts.items():
            rows[key] = _empty_row(key, accidents=count)
        for cell in _grouped(casualties, (column,)):
            key = cell.pop(column)
            _add(rows.setdefault(key, _empty_row(key, accidents=no_accidents)), cell)
    return ordered_rows(by, rows)


def figures_series(*, query: FigureQuery) -> list[Row]:
    """The summary fields per year, every year of the range (zeros included) when it is bounded."""
    rows: dict[int, Row] = {}
    accident_counts = (
        AccidentFigure.objects.filter(query.q())
        .order_by()
        .values_list("year")
        .annotate(accidents=Sum("count"))
        .values_list("year", "accidents")
    )
    for year, count in accident_counts:
        rows[year] = _empty_row(year, accidents=count)
    for cell in _grouped(CasualtyFigure.objects.filter(query.q()), ("year",)):
        year = cell.pop("year")
        _add(rows.setdefault(year, _empty_row(year, accidents=0)), cell)
    if query.year_from is not None and query.year_to is not None:
        for year in range(query.year_from, query.year_to + 1):
            rows.setdefault(year, _empty_row(year, accidents=0))
    series = []
    for year in sorted(rows):
        row = rows[year]
        del row["key"], row["name"]
        series.append({"year": year, **row})
    return series


def casualty_cells(*, query: FigureQuery, columns: Iterable[str]) -> list[Row]:
    """The casualty fields per combination of figure columns (for the report tables)."""
    return _grouped(CasualtyFigure.objects.filter(query.q()), columns)


def accident_cells(*, query: FigureQuery, columns: Iterable[str]) -> list[Row]:
    """Accidents per combination of accident figure columns (for the report tables)."""
    return list(
        AccidentFigure.objects.filter(query.q())
        .order_by()
        .values(*columns)
        .annotate(accidents=Coalesce(Sum("count"), 0))
    )


def mine_types() -> dict[str, str]:
    """The mine type of each ordnance type that has one (the figures keep the type's code)."""
    return ordnance_mine_types()


def assistance_breakdown(*, by: str, query: FigureQuery) -> Row:
    """Distinct persons and services for the assistance year, in total and per key of `by`.

    Persons add up across provinces and slices (a person has one accident) but not across keys:
    a person given two pillars is one person in total and one in each pillar.
    """
    figures = AssistanceFigure.objects.filter(query.q(area=False))
    if query.province:
        figures = figures.filter(province=query.province)
    sums = {"persons": Coalesce(Sum("persons"), 0), "services": Coalesce(Sum("services"), 0)}
    total = figures.filter(grouping=AssistanceGrouping.TOTAL).aggregate(**sums)
    cells = (
        figures.filter(grouping=by)
        .order_by()
        .values("key")
        .annotate(**sums)
        .values("key", "persons", "services")
    )
    labels = _labels(by, [cell["key"] for cell in cells])
    rows = [
        {
            "key": cell["key"] or None,
            "name": labels.get(cell["key"], cell["key"]),
            "persons": cell["persons"],
            "services": cell["services"],
        }
        for cell in cells
    ]
    order = _key_order(by)
    rows.sort(key=lambda row: order(row["key"]))
    return {"by": by, **total, "rows": rows}


# -- helpers ------------------------------------------------------------------------------------
def _grouped(figures: QuerySet[CasualtyFigure], columns: Iterable[str]) -> list[Row]:
    columns = tuple(columns)
    return list(figures.order_by().values(*columns).annotate(**_casualty_sums()))


def _empty_row(key: Any, *, accidents: int | None) -> Row:
    return {"key": key, "name": "", "accidents": accidents, **dict.fromkeys(CASUALTY_FIELDS, 0)}


def _add(row: Row, cell: Row) -> None:
    for name in CASUALTY_FIELDS:
        row[name] += cell[name]


def ordered_rows(by: str, rows: dict[Any, Row]) -> list[Row]:
    """The rows named (`name`) and in the order people read them."""
    labels = _labels(by, list(rows))
    for key, row in rows.items():
        row["name"] = labels.get(key, str(key))
    order = _key_order(by)
    return [rows[key] for key in sorted(rows, key=order)]


def _labels(by: str, keys: list[Any]) -> dict[Any, str]:
    """Readable names of the keys (at most one query, for places and organisations)."""
    if by == "province":
        return dict(Province.objects.filter(code__in=keys).values_list("code", "name_en"))
    if by == "district":
        return dict(District.objects.filter(code__in=keys).values_list("code", "name_en"))
    if by == "provider":
        return dict(Organisation.objects.filter(code__in=keys).values_list("code", "name"))
    if by == "service_type":
        labels = dict(ServiceType.objects.filter(code__in=keys).values_list("code", "name"))
        return {**labels, "": "Not specified"}
    if by == "month":
        return {key: calendar.month_name[key] if key else "Unknown" for key in keys}
    if by == "sex_age":
        labels = dict(SEX_AGE_LABELS)
        sexes, ages = dict(Sex.choices), dict(AgeGroup.choices)
        for key in keys:  # assistance keys are "sex:age_group"
            if ":" in str(key):
                sex, age = str(key).split(":", 1)
                labels[key] = f"{sexes.get(sex, sex)}, {str(ages.get(age, age)).lower()}"
        return labels
    return {key: str(label) for key, label in CHOICE_LABELS.get(by, {}).items()}


def _key_order(by: str) -> Any:
    """A sort key: vocabularies in their defined order, codes as text, unknown (None) last."""
    vocabulary: list[Any] = []
    if by == "sex_age":
        vocabulary = list(SEX_AGE_LABELS)
    elif by == "month":
        vocabulary = list(range(1, 13))
    elif by in CHOICE_LABELS:
        vocabulary = list(CHOICE_LABELS[by])
    position = {key: index for index, key in enumerate(vocabulary)}

    def order(key: Any) -> tuple[int, int, str]:
        if key is None or key == "":
            return (1, 0, "")
        return (0, position.get(key, len(position)), str(key))

    return order
