"""The tables the NRA files, as CSV and XLSX: built from the figure tables only.

- `monitor`: the Landmine and Cluster Munition Monitor country table (`monitor`);
- `ccm-casualties`, `ccm-assistance`: the CCM Article 7 Form H tables, with the form's cover
  (`ccm`, `ccm_casualties`, `ccm_assistance`);
- `sdg-18-1-1`: SDG indicator 18.1.1 of Lao national SDG 18 (`sdg`).

Every file says what it holds (basis, period, time of extraction, the readings made) above its
table or on its "About" sheet. They hold counts only, national: no personal field reaches them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse

from figures.reports.base import Report, ReportRequest
from figures.reports.ccm import ccm_assistance_report, ccm_casualties_report
from figures.reports.files import FORMATS, XLSX_CONTENT_TYPE, report_csv, report_xlsx
from figures.reports.guards import guard_report
from figures.reports.monitor import monitor_report
from figures.reports.sdg import sdg_report

__all__ = [
    "FORMATS",
    "PERIOD_REPORTS",
    "REPORTS",
    "XLSX_CONTENT_TYPE",
    "Report",
    "ReportRequest",
    "report_build",
    "report_csv",
    "report_response",
    "report_xlsx",
]

REPORTS: dict[str, Callable[..., Report]] = {
    "monitor": monitor_report,
    "ccm-casualties": ccm_casualties_report,
    "ccm-assistance": ccm_assistance_report,
    "sdg-18-1-1": sdg_report,
}
DISCLOSURE_NOTE = (
    "Disclosure control: a count from 1 to 4 reads <5, and x hides a count that would give "
    "one away (from this table's totals or from the statistics API); the other counts, zeros "
    "included, are exact."
)
# The reports whose period may be several calendar years (the CCM's reporting period); the
# others are yearly.
PERIOD_REPORTS = frozenset({"ccm-casualties", "ccm-assistance"})


def report_build(*, name: str, request: ReportRequest) -> Report:
    """One report for the request's period (national, all reported or verified only); under
    disclosure control, its small counts and what would give them away hidden."""
    report = REPORTS[name](request=request)
    if request.disclosure_control:
        guard_report(report, request).protect()
        report.note(DISCLOSURE_NOTE)
    return report


def report_response(*, name: str, fmt: str, request: ReportRequest) -> HttpResponse:
    """The report as a download (`<name>-<period>[-verified].<fmt>`)."""
    report = report_build(name=name, request=request)
    content = report_csv(report) if fmt == "csv" else report_xlsx(report)
    response = HttpResponse(content, content_type=FORMATS[fmt])
    basis = "-verified" if request.verified_only else ""
    filename = f"{name}-{request.label}{basis}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
