"""The Landmine and Cluster Munition Monitor's country table (its country profile conventions).

Per device category, mines also split by the mine type of their ordnance type (antipersonnel,
antivehicle, improvised, not recorded), three rows side by side: the year, the year before and
all years to the end of the year. Casualties are direct victims killed, injured or of unknown
outcome; the unknown ones count in Casualties and Outcome unknown only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

from accidents.choices import DeviceCategory, MineType
from figures.reports.base import SEX_AGE_COLUMNS, Report, ReportRequest, report_start
from figures.reports.base import sex_age_counts as sex_age
from figures.selectors import FigureQuery, accident_cells, casualty_cells, mine_types
from victims.choices import CivilianStatus

HEADER = (
    "Devices",
    "Period",
    "Accidents",
    "Casualties",
    "Killed",
    "Injured",
    "Outcome unknown",
    *SEX_AGE_COLUMNS,
    "Civilians",
    "Deminers",
    "Military",
)
MINES_NOT_TYPED = "Landmine: type not recorded"

Cell = dict[str, Any]
Scope = tuple[str, Callable[[Cell], bool]]


def monitor_report(*, request: ReportRequest) -> Report:
    """Accidents and casualties per device (mines split by type): the year, the year before and
    all years to the end of the year, each device's three rows together."""
    year = request.year
    report = report_start(
        name="monitor",
        title=f"Landmine and Cluster Munition Monitor: {settings.FIELDSYNC['REPORT_STATE']} "
        f"casualties, {year}",
        header=HEADER,
        request=request,
    )
    periods = (
        (str(year), request.query()),
        (str(year - 1), request.query(year=year - 1)),
        (f"All years to {year}", request.query(year=None, year_to=year)),
    )
    mines = mine_types()
    figures = [(label, *_cells(query)) for label, query in periods]
    for device, included in _scopes(mines):
        for label, accidents, casualties in figures:
            report.rows.append(
                _line(
                    device,
                    label,
                    sum(c["accidents"] for c in accidents if included(c)),
                    [c for c in casualties if included(c)],
                )
            )
    report.note(
        "Casualties are direct victims, by the date of the accident: people killed or injured, "
        "and those whose outcome (killed or injured) is not known; these count in Casualties "
        "and Outcome unknown, not in Killed or Injured."
    )
    report.note(
        "Mines are split by the mine type of their ordnance type (antipersonnel, antivehicle, "
        "improvised); a mine accident without an ordnance type, or whose type has no mine type, "
        "is a mine of type not recorded."
    )
    report.note(f"All years to {year}: every accident recorded that occurred up to 31 Dec {year}.")
    return report


def _cells(query: FigureQuery) -> tuple[list[Cell], list[Cell]]:
    accidents = accident_cells(query=query, columns=("device_category", "ordnance_type"))
    casualties = casualty_cells(
        query=query, columns=("device_category", "ordnance_type", "civilian_status")
    )
    return accidents, casualties


def _scopes(mines: dict[str, str]) -> list[Scope]:
    """All devices, then each device category; after landmines, each mine type."""

    def category(value: str) -> Callable[[Cell], bool]:
        return lambda cell: cell["device_category"] == value

    def mine(value: str) -> Callable[[Cell], bool]:
        return lambda cell: (
            cell["device_category"] == DeviceCategory.LANDMINE
            and mines.get(cell["ordnance_type"], "") == value
        )

    scopes: list[Scope] = [("All devices", lambda cell: True)]
    for value, label in DeviceCategory.choices:
        scopes.append((str(label), category(value)))
        if value == DeviceCategory.LANDMINE:
            scopes += [(f"Landmine: {kind.value}", mine(kind.value)) for kind in MineType]
            scopes.append((MINES_NOT_TYPED, mine("")))
    return scopes


def _line(device: str, period: str, accidents: int, cells: list[Cell]) -> list[Any]:
    status = {
        value: sum(c["casualties"] for c in cells if c["civilian_status"] == value)
        for value in CivilianStatus.values
    }
    by_sex_age = sex_age(cells)
    return [
        device,
        period,
        accidents,
        by_sex_age[-1],
        sum(c["killed"] for c in cells),
        sum(c["injured"] for c in cells),
        sum(c["unknown"] for c in cells),
        *by_sex_age[:-1],
        status[CivilianStatus.CIVILIAN],
        status[CivilianStatus.DEMINER],
        status[CivilianStatus.MILITARY],
    ]
