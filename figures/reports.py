"""The tables the NRA files, as CSV and XLSX: built from the figure tables only.

- `monitor`: the Landmine and Cluster Munition Monitor country table (casualties by outcome,
  sex and age, civilian status, per device category, with accidents);
- `ccm-casualties`: the CCM Article 7 casualty table (outcome by sex and age, all devices and
  cluster submunitions);
- `ccm-assistance`: the CCM Article 7 victim-assistance table (distinct persons and services in
  total, per pillar, status, sex and age, service type and provider);
- `sdg-18-1-1`: SDG indicator 18.1.1 (Lao national SDG 18): casualties killed and injured by
  sex and age.

They hold counts only, national for one year: no personal field can reach them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from accidents.choices import DeviceCategory
from figures.selectors import (
    SEX_AGE_KEYS,
    FigureQuery,
    assistance_breakdown,
    casualty_cells,
    figures_breakdown,
    figures_summary,
)
from victims.choices import AgeGroup, AssistanceStatus, CivilianStatus, Outcome, Pillar, Sex
from victims.models import AssistanceGrouping

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_CONTENT_TYPE}
SEX_AGE_COLUMNS = ("Men", "Women", "Boys", "Girls", "Sex or age unknown")


@dataclass
class Report:
    name: str
    title: str
    header: Sequence[str]
    rows: list[list[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _basis(query: FigureQuery) -> str:
    if query.verified_only:
        return "Accidents verified by the NRA."
    return "All reported accidents (rejected reports and deleted records excluded)."


def _sex_age(cells: Iterable[dict[str, Any]], value: str = "casualties") -> list[int]:
    """Men, women, boys, girls, unknown sex or age, and the total of `value` over `cells`."""
    totals = dict.fromkeys(("men", "women", "boys", "girls", "unknown"), 0)
    for cell in cells:
        key = SEX_AGE_KEYS.get((cell["sex"], cell["age_group"]), "unknown")
        totals[key] += cell[value]
    return [*totals.values(), sum(totals.values())]


# -- the tables ---------------------------------------------------------------------------------
def monitor_report(query: FigureQuery) -> Report:
    report = Report(
        name="monitor",
        title=f"Landmine and Cluster Munition Monitor: Lao PDR casualties, {query.year}",
        header=(
            "Device category",
            "Accidents",
            "Casualties",
            "Killed",
            "Injured",
            "Outcome unknown",
            *SEX_AGE_COLUMNS,
            "Civilians",
            "Deminers",
            "Military",
        ),
    )
    summary = figures_summary(query=query)
    accidents = {
        row["key"]: row["accidents"] for row in figures_breakdown(by="device_category", query=query)
    }
    cells = casualty_cells(
        query=query, columns=("device_category", "sex", "age_group", "civilian_status")
    )

    def line(label: str, accident_count: int, selected: list[dict[str, Any]]) -> list[Any]:
        status = {
            s: sum(c["casualties"] for c in selected if c["civilian_status"] == s)
            for s in CivilianStatus.values
        }
        by_sex_age = _sex_age(selected)
        return [
            label,
            accident_count,
            by_sex_age[-1],
            sum(c["killed"] for c in selected),
            sum(c["injured"] for c in selected),
            sum(c["unknown"] for c in selected),
            *by_sex_age[:-1],
            status[CivilianStatus.CIVILIAN],
            status[CivilianStatus.DEMINER],
            status[CivilianStatus.MILITARY],
        ]

    report.rows.append(line("All devices", summary["accidents"], cells))
    for category, label in DeviceCategory.choices:
        selected = [c for c in cells if c["device_category"] == category]
        report.rows.append(line(str(label), accidents.get(category, 0), selected))
    report.notes.append("Casualties are direct victims, killed or injured, by accident date.")
    return report


def ccm_casualties_report(query: FigureQuery) -> Report:
    report = Report(
        name="ccm-casualties",
        title=f"Convention on Cluster Munitions, Article 7: casualties, {query.year}",
        header=("Devices", "Outcome", *SEX_AGE_COLUMNS, "Total"),
    )
    cells = casualty_cells(query=query, columns=("device_category", "outcome", "sex", "age_group"))
    scopes: list[tuple[str, Callable[[dict[str, Any]], bool]]] = [
        ("All devices", lambda cell: True),
        (
            "Cluster submunitions",
            lambda cell: cell["device_category"] == DeviceCategory.CLUSTER_SUBMUNITION,
        ),
    ]
    for scope, included in scopes:
        selected = [cell for cell in cells if included(cell)]
        for outcome, label in Outcome.choices:
            chosen = [cell for cell in selected if cell["outcome"] == outcome]
            report.rows.append([scope, str(label), *_sex_age(chosen)])
        report.rows.append([scope, "Total", *_sex_age(selected)])
    report.notes.append("Children are casualties under 18 at the date of the accident.")
    return report


def ccm_assistance_report(query: FigureQuery) -> Report:
    report = Report(
        name="ccm-assistance",
        title=f"Convention on Cluster Munitions, Article 7: victim assistance, {query.year}",
        header=("Grouping", "Key", "Name", "Persons", "Services"),
    )
    vocabularies = {
        AssistanceGrouping.PILLAR: dict(Pillar.choices),
        AssistanceGrouping.STATUS: dict(AssistanceStatus.choices),
    }
    groupings = (
        AssistanceGrouping.PILLAR,
        AssistanceGrouping.STATUS,
        AssistanceGrouping.SEX_AGE,
        AssistanceGrouping.SERVICE_TYPE,
        AssistanceGrouping.PROVIDER,
    )
    breakdowns = {
        grouping: assistance_breakdown(by=grouping, query=query) for grouping in groupings
    }
    total = breakdowns[AssistanceGrouping.PILLAR]
    report.rows.append(["All assistance", None, None, total["persons"], total["services"]])
    for grouping, breakdown in breakdowns.items():
        found = {row["key"]: row for row in breakdown["rows"]}
        for key, label in vocabularies.get(grouping, {}).items():  # every pillar and status
            row = found.pop(key, {"persons": 0, "services": 0})
            report.rows.append(
                [str(grouping.label), key, str(label), row["persons"], row["services"]]
            )
        for row in found.values():
            report.rows.append(
                [
                    str(grouping.label),
                    row["key"],
                    row["name"],
                    row["persons"],
                    row["services"],
                ]
            )
    report.notes += [
        "Persons are distinct within each row and do not add up across the rows of a grouping "
        "(one person may receive several services).",
        "Assistance counts in the year it started, else the year it was completed, else the "
        "year it was recorded (Asia/Vientiane); victims include direct and indirect victims.",
    ]
    return report


def sdg_report(query: FigureQuery) -> Report:
    report = Report(
        name="sdg-18-1-1",
        title=f"SDG 18.1.1: UXO casualties killed and injured by sex and age, {query.year}",
        header=("Sex", "Age group", "Killed", "Injured", "Outcome unknown", "Total"),
    )
    cells = {
        (cell["sex"], cell["age_group"]): cell
        for cell in casualty_cells(query=query, columns=("sex", "age_group"))
    }
    totals = [0, 0, 0, 0]
    for sex, sex_label in Sex.choices:
        for age, age_label in AgeGroup.choices:
            cell = cells.get((sex, age))
            values = (
                [cell["killed"], cell["injured"], cell["unknown"], cell["casualties"]]
                if cell
                else [0, 0, 0, 0]
            )
            totals = [a + b for a, b in zip(totals, values, strict=True)]
            report.rows.append([str(sex_label), str(age_label), *values])
    report.rows.append(["Total", None, *totals])
    report.notes.append("Children are casualties under 18 at the date of the accident.")
    return report


REPORTS: dict[str, Callable[[FigureQuery], Report]] = {
    "monitor": monitor_report,
    "ccm-casualties": ccm_casualties_report,
    "ccm-assistance": ccm_assistance_report,
    "sdg-18-1-1": sdg_report,
}


# -- files ----------------------------------------------------------------------------------------
def report_build(*, name: str, query: FigureQuery) -> Report:
    """One report table for the query's year (national, all reported or verified only)."""
    report = REPORTS[name](query)
    report.notes.insert(0, _basis(query))
    return report


def report_csv(report: Report) -> bytes:
    """The table alone (header and rows): what a spreadsheet or a script reads."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(report.header)
    writer.writerows(report.rows)
    return buffer.getvalue().encode("utf-8")


def report_xlsx(report: Report) -> bytes:
    """A workbook: the table on its first sheet, the title, basis and notes on a second."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Figures"
    sheet.append(list(report.header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in report.rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, heading in enumerate(report.header, start=1):
        width = max(len(str(heading)), *(len(str(row[index - 1] or "")) for row in report.rows))
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width + 2
    about = workbook.create_sheet("About")
    about.append(["Report", report.title])
    about.append(["Generated", timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")])
    for note in report.notes:
        about.append(["Note", note])
    about.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_response(*, name: str, fmt: str, query: FigureQuery) -> HttpResponse:
    """The report as a download (`<name>-<year>.<fmt>`)."""
    report = report_build(name=name, query=query)
    content = report_csv(report) if fmt == "csv" else report_xlsx(report)
    response = HttpResponse(content, content_type=FORMATS[fmt])
    basis = "-verified" if query.verified_only else ""
    filename = f"{name}-{query.year}{basis}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
