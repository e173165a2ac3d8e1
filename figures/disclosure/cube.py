"""The published cells of one year's figures and the rows they are sums of.

A *base row* is one cell of the finest cross-classification the figure tables keep: for
casualties (month, province, district, device category, activity, classification, civilian
status, sex, age group, outcome), for accidents the first six. Every number the statistics API
and the reports show for a year is a sum of base rows: a *cell*, named
`(area, dimension, key, field)`:
- area: "" (Laos), a province code or a district code;
- dimension: "total" (key None) or one of the breakdown dimensions with its key (None: unknown);
  a breakdown by province or district shows the areas' own "total" cells;
- field: accidents, casualties, killed, injured, unknown, children, adults, men, women, boys,
  girls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from figures.selectors import SUMMARY_FIELDS

Cell = tuple[str, str, Any, str]
# month, province, district, device_category, activity, classification (accidents: these only),
# civilian_status, sex, age_group, outcome
Base = tuple[Any, ...]

VICTIM_DIMENSIONS = ("civilian_status", "sex_age")
FIELDS = SUMMARY_FIELDS  # the statistics summary's fields, accidents first
OUTCOME_FIELDS = {"killed": "killed", "injured": "injured", "unknown": "unknown"}
AGE_FIELDS = {"child": "children", "adult": "adults"}
SEX_AGE = {
    ("male", "adult"): "men",
    ("female", "adult"): "women",
    ("male", "child"): "boys",
    ("female", "child"): "girls",
}


def sex_age_key(sex: str, age_group: str) -> str:
    return SEX_AGE.get((sex, age_group), "unknown")


def areas_of(base: Base) -> tuple[str, str, str]:
    return ("", base[1], base[2])


def families_of(cell: Cell, province_of: dict[str, str]) -> tuple[str, ...]:
    """The filters (area) whose figures show this cell: its own area's summary and breakdowns,
    and an area's total also as a row of the breakdowns by area above it."""
    area, dimension = cell[0], cell[1]
    if dimension != "total" or area == "":
        return (area,)
    if area in province_of:  # a district
        return (area, province_of[area], "")
    return (area, "")


def casualty_cells(base: Base) -> list[Cell]:
    """Every published cell a casualty of this base row counts in."""
    sex, age, outcome = base[7], base[8], base[9]
    fields = ["casualties", OUTCOME_FIELDS.get(outcome, "unknown")]
    if age in AGE_FIELDS:
        fields.append(AGE_FIELDS[age])
    sex_age = sex_age_key(sex, age)
    if sex_age != "unknown":
        fields.append(sex_age)
    keys = [
        ("total", None),
        ("month", base[0]),
        ("device_category", base[3]),
        ("activity", base[4]),
        ("classification", base[5]),
        ("civilian_status", base[6]),
        ("sex_age", sex_age),
    ]
    return [
        (area, dimension, key, name)
        for area in areas_of(base)
        for dimension, key in keys
        for name in fields
    ]


def accident_cells(base: Base) -> list[Cell]:
    """Every published cell an accident of this base row counts in."""
    keys = [
        ("total", None),
        ("month", base[0]),
        ("device_category", base[3]),
        ("activity", base[4]),
        ("classification", base[5]),
    ]
    return [
        (area, dimension, key, "accidents") for area in areas_of(base) for dimension, key in keys
    ]


@dataclass
class Cube:
    """One year's base rows (casualties and accidents) and the value of every nonzero cell."""

    casualties: dict[Base, int]
    accidents: dict[Base, int]
    values: dict[Cell, int] = field(default_factory=dict)
    province_of: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls, *, casualties: Iterable[tuple[Base, int]], accidents: Iterable[tuple[Base, int]]
    ) -> Cube:
        cube = cls(casualties={}, accidents={})
        for base, count in casualties:
            if count:
                cube.casualties[base] = cube.casualties.get(base, 0) + count
        for base, count in accidents:
            if count:
                cube.accidents[base] = cube.accidents.get(base, 0) + count
        for table, cells_of in (
            (cube.casualties, casualty_cells),
            (cube.accidents, accident_cells),
        ):
            for base, count in table.items():
                cube.province_of[base[2]] = base[1]
                for cell in cells_of(base):
                    cube.values[cell] = cube.values.get(cell, 0) + count
        return cube
