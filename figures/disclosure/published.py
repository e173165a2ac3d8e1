"""What everyone but NRA staff is shown of the statistics: one year's figures with the marks of
their hidden cells (`suppression`), computed once per version of the figures and cached, and the
statistics API's summary, breakdown and series read from them (every key the filters allow
listed, zero rows included).

The version of a year's figures changes with every recompute of one of its slices and every
change to its figure rows, so a cached answer is never older than the figures themselves.
"""

from __future__ import annotations

import datetime
import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum

from accidents.models import AccidentFigure, District, Province
from figures.disclosure.cube import FIELDS, VICTIM_DIMENSIONS, Cell, Cube
from figures.disclosure.suppression import suppress
from figures.models import StatisticsSlice
from figures.selectors import (
    CHOICE_LABELS,
    SEX_AGE_LABELS,
    FigureQuery,
    Row,
    figures_series,
    ordered_rows,
)
from victims.models import CasualtyFigure

# The cube's base columns (figures.disclosure.cube): casualties all ten, accidents the first six.
BASE_COLUMNS = (
    "month",
    "province",
    "district",
    "device_category",
    "activity",
    "classification",
    "civilian_status",
    "sex",
    "age_group",
    "outcome",
)
CACHE_SECONDS = 24 * 3600
RECENT_IN_PROCESS = 64  # published years kept in each process, on top of the cache
_RECENT: dict[str, Published] = {}  # oldest first (a key names its version: never stale)
_RECENT_LOCK = threading.Lock()
MONTHS: tuple[int | None, ...] = (*range(1, 13), None)  # None: known to the year only


@dataclass(frozen=True)
class Published:
    """One year's cells (nonzero values) and the marks of the hidden ones."""

    values: dict[Cell, int]
    marks: dict[Cell, str]

    def shown(self, cell: Cell) -> int | str:
        """The cell as published: "<5", "x" or its exact count (0 when absent)."""
        return self.marks.get(cell) or self.values.get(cell, 0)


def published(year: int, *, verified_only: bool) -> Published:
    """The year's published figures on one basis, from the cache when the figures are unchanged."""
    return published_years([year], verified_only=verified_only)[year]


def published_years(years: Iterable[int], *, verified_only: bool) -> dict[int, Published]:
    """Several years' published figures (their versions read in three queries in all)."""
    return {
        year: cached(
            f"figures:{year}:{int(verified_only)}:{version}",
            partial(_compute, year, verified_only=verified_only),
        )
        for year, version in _versions(years).items()
    }


def published_warm(*, since: datetime.datetime) -> int:
    """Compute (into the cache) both bases of the years whose slices were recomputed since
    then; the number of years."""
    years = sorted(
        set(StatisticsSlice.objects.filter(recomputed_at__gte=since).values_list("year", flat=True))
    )
    for verified_only in (False, True):
        published_years(years, verified_only=verified_only)
    return len(years)


def cached(key: str, compute: Callable[[], Published]) -> Published:
    """The published figures kept under `key` (which names their version), computed if absent:
    from this process's last few (no unpickling), else the shared cache, else computed."""
    key = f"fieldsync:disclosure:{key}"
    found = _RECENT.get(key)
    if found is None:
        found = cache.get(key)
        if found is None:
            found = compute()
            cache.set(key, found, CACHE_SECONDS)
        with _RECENT_LOCK:  # gunicorn threads share it
            _RECENT[key] = found
            while len(_RECENT) > RECENT_IN_PROCESS:
                _RECENT.pop(next(iter(_RECENT)))
    return found


def _versions(years: Iterable[int]) -> dict[int, str]:
    """A fingerprint of each year's figures: its slices' last recompute and its figure rows."""
    parts: dict[int, list[Any]] = {year: [None, None, None] for year in years}
    sources: tuple[tuple[Any, dict[str, Any]], ...] = (
        (StatisticsSlice, {"n": Count("id"), "at": Max("recomputed_at")}),
        (CasualtyFigure, {"n": Count("id"), "id": Max("id"), "sum": Sum("count")}),
        (AccidentFigure, {"n": Count("id"), "id": Max("id"), "sum": Sum("count")}),
    )
    for position, (model, aggregates) in enumerate(sources):
        rows = (
            model.objects.filter(year__in=list(parts))
            .order_by()
            .values("year")
            .annotate(**aggregates)
        )
        for found in rows:
            parts[found.pop("year")][position] = found
    return {
        year: hashlib.sha256(repr(year_parts).encode()).hexdigest()[:24]
        for year, year_parts in parts.items()
    }


def _compute(year: int, *, verified_only: bool) -> Published:
    q = Q(year=year) & (Q(verified=True) if verified_only else Q())

    def base_rows(model: Any, columns: tuple[str, ...]) -> list[tuple[tuple[Any, ...], int]]:
        rows = model.objects.filter(q).order_by().values_list(*columns).annotate(n=Sum("count"))
        return [(tuple(row[:-1]), row[-1]) for row in rows]

    cube = Cube.build(
        casualties=base_rows(CasualtyFigure, BASE_COLUMNS),
        accidents=base_rows(AccidentFigure, BASE_COLUMNS[:6]),
    )
    return Published(values=cube.values, marks=suppress(cube).marks)


# -- the statistics API's answers ----------------------------------------------------------------
def area_of(query: FigureQuery) -> str:
    """The cube's area of a query: its district, else its province, else Laos ("")."""
    return query.district or query.province or ""


def disclosed_summary(*, query: FigureQuery) -> Row:
    figures = published(_one_year(query), verified_only=query.verified_only)
    return _fields(figures, (area_of(query), "total", None), accidents=True)


def disclosed_breakdown(*, by: str, query: FigureQuery) -> list[Row]:
    """Every key the filters allow, in the selectors' order and names."""
    figures = published(_one_year(query), verified_only=query.verified_only)
    area = area_of(query)
    rows: dict[Any, Row] = {}
    if by in ("province", "district"):
        for key, cell_area in _areas(by, query):
            rows[key] = {"key": key, **_fields(figures, (cell_area, "total", None), accidents=True)}
    else:
        keys = list(_keys(by))
        keys += sorted(
            {cell[2] for cell in figures.values if cell[:2] == (area, by)} - set(keys), key=repr
        )
        for key in keys:
            fields = _fields(figures, (area, by, key), accidents=by not in VICTIM_DIMENSIONS)
            rows[key] = {"key": key, **fields}
    return ordered_rows(by, rows)


def disclosed_series(*, query: FigureQuery) -> list[Row]:
    """Every year of the range (without one, from the first to the last year with figures)."""
    if query.year_from is not None and query.year_to is not None:
        first, last = query.year_from, query.year_to
    else:
        years = [row["year"] for row in figures_series(query=query)]
        if not years:
            return []
        first, last = query.year_from or years[0], query.year_to or years[-1]
    area = area_of(query)
    figures = published_years(range(first, last + 1), verified_only=query.verified_only)
    return [
        {"year": year, **_fields(figures[year], (area, "total", None), accidents=True)}
        for year in range(first, last + 1)
    ]


def _one_year(query: FigureQuery) -> int:
    if query.year is None:
        raise ValueError("The summary and breakdowns are for one year.")
    return query.year


def _fields(figures: Published, row: tuple[str, str, Any], *, accidents: bool) -> Row:
    shown: Row = {name: figures.shown((*row, name)) for name in FIELDS}
    if not accidents:
        shown["accidents"] = None
    return shown


def _areas(by: str, query: FigureQuery) -> list[tuple[str, str]]:
    """The rows of a breakdown by area: (key, the area whose totals the row shows)."""
    if query.district:
        district = District.objects.only("code", "province_id").get(pk=query.district)
        key = district.province_id if by == "province" else district.code
        return [(key, district.code)]
    if by == "province":
        if query.province:
            return [(query.province, query.province)]
        return [(code, code) for code in Province.objects.values_list("code", flat=True)]
    districts = District.objects.order_by("code")
    if query.province:
        districts = districts.filter(province_id=query.province)
    return [(code, code) for code in districts.values_list("code", flat=True)]


def _keys(by: str) -> tuple[Any, ...]:
    """The dimension's vocabulary: every key a breakdown lists, zero or not."""
    if by == "month":
        return MONTHS
    if by == "sex_age":
        return tuple(SEX_AGE_LABELS)
    return tuple(CHOICE_LABELS[by])
