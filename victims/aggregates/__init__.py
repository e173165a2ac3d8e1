"""The figures the NRA reports: casualty and assistance tables, kept current slice by slice.

Importing this package (from `VictimsConfig.ready`) registers the figure tables and subscribes
to record changes. See docs/statistics.md.
"""

from victims.aggregates.models import AssistanceFigure, AssistanceGrouping, CasualtyFigure
from victims.aggregates.slices import (
    slice_recompute,
    slices_mark_changed,
    statistics_rebuild,
    statistics_refresh,
    statistics_refresh_request,
)

__all__ = [
    "AssistanceFigure",
    "AssistanceGrouping",
    "CasualtyFigure",
    "slice_recompute",
    "slices_mark_changed",
    "statistics_rebuild",
    "statistics_refresh",
    "statistics_refresh_request",
]
