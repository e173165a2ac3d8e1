"""What a reader knows of each report's table, for the disclosure control of the reports everyone
but NRA staff downloads (figures.disclosure.tables): the sums the table holds, and which of its
cells the statistics API also shows (its twins), year by year.

Each guard follows its report's layout (the row and column order the report modules write).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from accidents.choices import DeviceCategory
from accidents.models import EARLIEST_ACCIDENT
from figures.disclosure.tables import ASSISTANCE, FIGURES, TableGuard
from figures.reports.base import Report, ReportRequest
from figures.reports.ccm_assistance import SCOPES as ASSISTANCE_SCOPES
from figures.reports.ccm_casualties import SCOPES as CASUALTY_SCOPES
from figures.reports.monitor import HEADER as MONITOR_HEADER
from victims.choices import AgeGroup, CivilianStatus, Sex
from victims.models import AssistanceGrouping

SEX_AGE: dict[tuple[str, str], str] = {
    (Sex.MALE, AgeGroup.ADULT): "men",
    (Sex.FEMALE, AgeGroup.ADULT): "women",
    (Sex.MALE, AgeGroup.CHILD): "boys",
    (Sex.FEMALE, AgeGroup.CHILD): "girls",
}
SEX_AGE_KEYS = ("men", "women", "boys", "girls", "unknown")  # the reports' sex and age columns
OUTCOME_FIELDS = ("killed", "injured", "unknown", "casualties")  # the CCM's outcome rows


def guard_report(report: Report, request: ReportRequest) -> TableGuard:
    guard = TableGuard(rows=report.rows, verified_only=request.verified_only)
    GUARDS[report.name](guard, request)
    return guard


def _years(first: int, last: int) -> range:
    return range(max(first, EARLIEST_ACCIDENT.year), last + 1)


# -- SDG 18.1.1 ----------------------------------------------------------------------------------
def _sdg(guard: TableGuard, request: ReportRequest) -> None:
    """Rows: sex x age group, then Total; columns 2-6: killed, disabled, injured (not disabled),
    unknown, total."""
    year, total_row = request.year, 9
    unknown_rows = []
    for r, (sex, age) in enumerate((s, a) for s in Sex.values for a in AgeGroup.values):
        guard.sum((r, 6), [(r, 2), (r, 3), (r, 4), (r, 5)])
        key = SEX_AGE.get((sex, age))
        if key is None:
            unknown_rows.append(r)
            continue
        for column, name in ((2, "killed"), (5, "unknown"), (6, "casualties")):
            guard.twin((r, column), FIGURES, [year], ("", "sex_age", key, name))
        guard.api_sum(FIGURES, year, ("", "sex_age", key, "injured"), [(r, 3), (r, 4)])
    for column, name in ((2, "killed"), (5, "unknown"), (6, "casualties")):
        guard.twin((total_row, column), FIGURES, [year], ("", "total", None, name))
        cells = [(r, column) for r in unknown_rows]
        guard.api_sum(FIGURES, year, ("", "sex_age", "unknown", name), cells)
    guard.api_sum(FIGURES, year, ("", "total", None, "injured"), [(total_row, 3), (total_row, 4)])
    injured = [(r, c) for r in unknown_rows for c in (3, 4)]
    guard.api_sum(FIGURES, year, ("", "sex_age", "unknown", "injured"), injured)
    for column in range(2, 7):
        guard.sum((total_row, column), [(r, column) for r in range(total_row)])


# -- CCM Form H: casualties ----------------------------------------------------------------------
def _ccm_casualties(guard: TableGuard, request: ReportRequest) -> None:
    """Per period (the reporting period, cumulative), per scope: killed, injured, unknown and
    Total rows; columns 3-8: men, women, boys, girls, sex or age unknown, total."""
    periods = (
        _years(request.first_year, request.last_year),
        _years(EARLIEST_ACCIDENT.year, request.last_year),
    )
    r = 0
    for years in periods:
        for _, device in CASUALTY_SCOPES:
            for column in range(3, 9):
                guard.sum((r + 3, column), [(r, column), (r + 1, column), (r + 2, column)])
            for name in OUTCOME_FIELDS:
                guard.sum((r, 8), [(r, c) for c in range(3, 8)])
                if device is None:
                    for column, key in enumerate(SEX_AGE_KEYS, start=3):
                        guard.twin((r, column), FIGURES, years, ("", "sex_age", key, name))
                    guard.twin((r, 8), FIGURES, years, ("", "total", None, name))
                else:
                    api = ("", "device_category", device, name)
                    guard.twin((r, 8), FIGURES, years, api)
                r += 1


# -- CCM Form H: victim assistance ---------------------------------------------------------------
def _ccm_assistance(guard: TableGuard, request: ReportRequest) -> None:
    """Per scope: All assistance, the three need rows, then each grouping's rows; columns 4-5:
    persons, services. Persons add up across sex and age only; services across every grouping
    and across years."""
    labels = {
        str(grouping.label): grouping.value
        for grouping in AssistanceGrouping
        if grouping not in (AssistanceGrouping.TOTAL, AssistanceGrouping.NEED)
    }
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r, row in enumerate(guard.rows):
        blocks[(row[0], row[1])].append(r)
    years = _years(request.first_year, request.last_year)
    for scope, device in ASSISTANCE_SCOPES:
        total = blocks[(scope, "All assistance")][0]
        need = {guard.rows[r][2]: r for r in blocks[(scope, "Need")]}
        guard.sum((total, 5), [(need["assessed"], 5), (need["withdrawn"], 5)])
        for label, grouping in labels.items():
            rows = blocks.get((scope, label), [])
            if not rows:
                continue
            guard.sum((total, 5), [(r, 5) for r in rows])
            if grouping == AssistanceGrouping.SEX_AGE:
                guard.sum((total, 4), [(r, 4) for r in rows])
            if grouping == AssistanceGrouping.STATUS:
                completed = next(r for r in rows if guard.rows[r][2] == "completed")
                for column in (4, 5):
                    guard.sum((need["met"], column), [(completed, column)])
            if device is None:
                for r in rows:
                    _assistance_twins(guard, r, years, (grouping, guard.rows[r][2] or ""))
        if device is None:
            _assistance_twins(guard, total, years, ("total", None))


def _assistance_twins(guard: TableGuard, row: int, years: range, key: tuple) -> None:
    guard.twin((row, 5), ASSISTANCE, years, ("", *key, "services"))
    if len(years) == 1:  # a person assisted in two years is one person in the period
        guard.twin((row, 4), ASSISTANCE, years, ("", *key, "persons"))


# -- Landmine and Cluster Munition Monitor -------------------------------------------------------
MONITOR_FIELDS = {  # the Monitor's count columns the API has, by the API's field
    2: "accidents",
    3: "casualties",
    4: "killed",
    5: "injured",
    6: "unknown",
    7: "men",
    8: "women",
    9: "boys",
    10: "girls",
}


def _monitor(guard: TableGuard, request: ReportRequest) -> None:
    """Per scope (all devices, each category, after landmines each mine type), three rows: the
    year, the year before, all years to the year; columns 2-14 (MONITOR_FIELDS, then sex or
    age unknown, civilians, deminers, military)."""
    year = request.year
    periods = ([year], [year - 1], _years(EARLIEST_ACCIDENT.year, year))
    columns = range(2, len(MONITOR_HEADER))
    scopes = [row[0] for row in guard.rows[::3]]
    categories = [str(label) for label in DeviceCategory.labels]
    landmine = scopes.index(str(DeviceCategory.LANDMINE.label))
    mine_types = list(range(landmine + 1, landmine + 5))
    for s, scope in enumerate(scopes):
        for p, years in enumerate(periods):
            r = 3 * s + p
            guard.sum((r, 3), [(r, 4), (r, 5), (r, 6)])
            guard.sum((r, 3), [(r, c) for c in range(7, 12)])
            guard.sum((r, 3), [(r, 12), (r, 13), (r, 14)])
            if s == 0:
                for c in columns:
                    guard.sum((r, c), [(3 * scopes.index(k) + p, c) for k in categories])
                _monitor_twins(guard, r, years, ("", "total", None), everything=True)
            elif scope in categories:
                device = DeviceCategory.values[categories.index(scope)]
                _monitor_twins(guard, r, years, ("", "device_category", device), everything=False)
            if s == landmine:
                for c in columns:
                    guard.sum((r, c), [(3 * m + p, c) for m in mine_types])


def _monitor_twins(
    guard: TableGuard, r: int, years: Sequence[int], row: tuple, *, everything: bool
) -> None:
    for column, name in MONITOR_FIELDS.items():
        guard.twin((r, column), FIGURES, years, (*row, name))
    if everything:  # all devices: the sex and age unknown and the civilian status rows too
        guard.twin((r, 11), FIGURES, years, ("", "sex_age", "unknown", "casualties"))
        for column, status in zip((12, 13, 14), CivilianStatus.values, strict=True):
            guard.twin((r, column), FIGURES, years, ("", "civilian_status", status, "casualties"))


GUARDS: dict[str, Callable[[TableGuard, ReportRequest], None]] = {
    "monitor": _monitor,
    "ccm-casualties": _ccm_casualties,
    "ccm-assistance": _ccm_assistance,
    "sdg-18-1-1": _sdg,
}
