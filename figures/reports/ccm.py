"""The two CCM Article 7 reports (reporting formats CCM/MSP/2010/PM/10, Form H: victim
assistance), each opening with the form's cover: the State, its national point of contact, the
reporting period (whole calendar years), the date of submission and whether Form H changed."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from accidents.models import EARLIEST_ACCIDENT
from figures.reports.base import Report, ReportRequest, report_start
from figures.reports.ccm_assistance import HEADER as ASSISTANCE_HEADER
from figures.reports.ccm_assistance import assistance_rows
from figures.reports.ccm_casualties import HEADER as CASUALTY_HEADER
from figures.reports.ccm_casualties import casualty_rows, cumulative_label

FORM_DATE = "%d/%m/%Y"  # the form's dd/mm/yyyy


def ccm_casualties_report(*, request: ReportRequest) -> Report:
    """Casualties by outcome, sex and age: the reporting period, and cumulated to its end."""
    report = report_start(
        name="ccm-casualties",
        title=f"Convention on Cluster Munitions, Article 7, Form H: casualties, {request.label}",
        header=CASUALTY_HEADER,
        request=request,
    )
    report.about[1:1] = form_h_cover(request=request)
    report.rows = casualty_rows(request=request)
    report.note(
        "Casualties are direct victims (killed, injured or of unknown outcome) by the date of "
        "the accident; children are under 18 at that date."
    )
    report.note(
        f"{cumulative_label(request)}: every casualty recorded of an accident that occurred up "
        f"to 31 Dec {request.last_year}, the cumulative number of cluster munition casualties "
        "Form H asks for."
    )
    return report


def ccm_assistance_report(*, request: ReportRequest) -> Report:
    """Persons and services for all UXO victims and for cluster-munition victims."""
    report = report_start(
        name="ccm-assistance",
        title="Convention on Cluster Munitions, Article 7, Form H: victim assistance, "
        f"{request.label}",
        header=ASSISTANCE_HEADER,
        request=request,
    )
    report.about[1:1] = form_h_cover(request=request)
    report.rows = assistance_rows(request=request)
    report.note(
        "All UXO victims: every victim assisted (Laos' national practice). Cluster-munition "
        "victims: those whose accident (for a family member: their casualty's) was caused by a "
        "cluster submunition (the Convention's scope)."
    )
    report.note(
        "Persons are distinct within each row and do not add up across the rows of a grouping "
        "(one person may receive several services); victims include direct and indirect victims."
    )
    report.note(
        "Needs: each assistance record is a need from the moment it is recorded. Needs assessed "
        "are the records of every status but cancelled (needed, referred, in progress, "
        "completed); needs met are the completed ones; withdrawn, the cancelled ones."
    )
    report.note(
        "Assistance counts in the year it started, else the year it was completed, else the "
        "year it was recorded (Asia/Vientiane)."
    )
    return report


def form_h_cover(*, request: ReportRequest) -> list[tuple[str, str]]:
    """The cover page's fields (settings.FIELDSYNC), for the request's period."""
    conf = settings.FIELDSYNC
    contact = (
        conf["REPORT_CONTACT_ORGANISATION"],
        conf["REPORT_CONTACT_PHONE"],
        conf["REPORT_CONTACT_EMAIL"],
    )
    submitted = timezone.localtime(request.extracted_at).date()
    return [
        ("State", conf["REPORT_STATE"]),
        ("National point of contact", "; ".join(part for part in contact if part)),
        (
            "Reporting period",
            f"from {request.starts_on:{FORM_DATE}} to {request.ends_on:{FORM_DATE}}",
        ),
        ("Date of submission", f"{submitted:{FORM_DATE}}"),
        ("Form H: Victim assistance", form_h_status(request=request)),
    ]


def form_h_status(*, request: ReportRequest) -> str:
    """`changed`, or `unchanged (last reporting: yyyy)` when both Form H tables of the period
    before (as long as this one) read the same as this period's (period labels aside)."""
    previous = request.shifted(-request.years)
    if previous.first_year < EARLIEST_ACCIDENT.year:
        return "changed"
    for rows_of in (casualty_rows, assistance_rows):
        now, before = rows_of(request=request), rows_of(request=previous)
        if rows_of is casualty_rows:  # the first column names the period
            now, before = [row[1:] for row in now], [row[1:] for row in before]
        if now != before:
            return "changed"
    return f"unchanged (last reporting: {previous.last_year})"
