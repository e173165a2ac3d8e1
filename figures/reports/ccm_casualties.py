"""CCM Article 7 (Form H) casualty table: outcome by sex and age, for all devices and for cluster
submunitions, in the reporting period and cumulated over every year to its end."""

from __future__ import annotations

from typing import Any

from accidents.choices import DeviceCategory
from figures.reports.base import SEX_AGE_COLUMNS, ReportRequest, sex_age_counts
from figures.selectors import casualty_cells
from victims.choices import Outcome

HEADER = ("Period", "Devices", "Outcome", *SEX_AGE_COLUMNS, "Total")
SCOPES = (("All devices", None), ("Cluster submunitions", DeviceCategory.CLUSTER_SUBMUNITION))
OUTCOMES = (
    (Outcome.KILLED, "Killed"),
    (Outcome.INJURED, "Injured"),
    (Outcome.UNKNOWN, "Outcome unknown"),
)


def cumulative_label(request: ReportRequest) -> str:
    return f"Cumulative to {request.last_year}"


def casualty_rows(*, request: ReportRequest) -> list[list[Any]]:
    """Per period (the reporting period, then every year to its end), per device scope: killed,
    injured, outcome unknown and total, by men, women, boys, girls, unknown and in total."""
    rows: list[list[Any]] = []
    periods = (
        (request.label, request.query()),
        (
            cumulative_label(request),
            request.query(year=None, year_from=None, year_to=request.last_year),
        ),
    )
    for period, query in periods:
        cells = casualty_cells(query=query, columns=("device_category", "outcome"))
        for scope, device in SCOPES:
            selected = [c for c in cells if device is None or c["device_category"] == device]
            for outcome, label in OUTCOMES:
                chosen = [c for c in selected if c["outcome"] == outcome]
                rows.append([period, scope, label, *sex_age_counts(chosen)])
            rows.append([period, scope, "Total", *sex_age_counts(selected)])
    return rows
