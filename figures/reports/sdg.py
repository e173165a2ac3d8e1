"""SDG 18.1.1 (Lao national SDG 18, Lao Statistics Bureau metadata): "Number of UXO victims, by
age and sex", counting death, disabled and injured, children 0-17 years.

Disabled is derived from the recorded injuries (victims.choices.DISABLING_INJURIES): an injured
casualty with an amputation, a loss of sight or of hearing. The three categories do not overlap,
so with the casualties of unknown outcome they add up to the total.
"""

from __future__ import annotations

from figures.reports.base import Report, ReportRequest, report_start
from figures.selectors import casualty_cells
from victims.choices import AgeGroup, Outcome, Sex

HEADER = (
    "Sex",
    "Age group",
    "Killed",
    "Disabled",
    "Injured (not disabled)",
    "Outcome unknown",
    "Total",
)


def sdg_report(*, request: ReportRequest) -> Report:
    """Killed, disabled, injured (not disabled), unknown and total per sex and age group."""
    report = report_start(
        name="sdg-18-1-1",
        title=f"SDG 18.1.1: number of UXO victims by age and sex, {request.year}",
        header=HEADER,
        request=request,
    )
    counts: dict[tuple[str, str], list[int]] = {}
    for cell in casualty_cells(
        query=request.query(), columns=("sex", "age_group", "outcome", "disabled")
    ):
        values = counts.setdefault((cell["sex"], cell["age_group"]), [0, 0, 0, 0])
        column = {
            Outcome.KILLED: 0,
            Outcome.INJURED: 1 if cell["disabled"] else 2,
            Outcome.UNKNOWN: 3,
        }[cell["outcome"]]
        values[column] += cell["casualties"]
    totals = [0, 0, 0, 0, 0]
    for sex, sex_label in Sex.choices:
        for age, age_label in AgeGroup.choices:
            values = counts.get((sex, age), [0, 0, 0, 0])
            line = [*values, sum(values)]
            totals = [a + b for a, b in zip(totals, line, strict=True)]
            report.rows.append([str(sex_label), str(age_label), *line])
    report.rows.append(["Total", None, *totals])
    report.note(
        "Victims here are casualties (direct victims) by the date of the accident; children "
        "are 0-17 years old at that date, adults 18 and over."
    )
    report.note(
        "Disabled: injured casualties whose recorded injuries include an amputation (arm or "
        "leg), a loss of sight (either eye) or of hearing. Other injured casualties are "
        "Injured (not disabled); an injured casualty with no injury recorded is among them."
    )
    return report
