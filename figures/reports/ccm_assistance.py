"""CCM Article 7 (Form H) victim-assistance table, for all UXO victims (Laos' national practice)
and for cluster-munition victims (the Convention's scope): distinct persons and services in
total, needs assessed and met, per pillar, status, sex and age, service type and provider."""

from __future__ import annotations

from typing import Any

from accidents.choices import DeviceCategory
from figures.reports.base import ReportRequest
from figures.selectors import assistance_breakdown
from victims.choices import NEED_ASSESSED, NEED_MET, NEED_WITHDRAWN, AssistanceStatus, Pillar
from victims.models import AssistanceGrouping

HEADER = ("Victims", "Grouping", "Key", "Name", "Persons", "Services")
SCOPES = (
    ("All UXO victims", None),
    ("Cluster-munition victims", DeviceCategory.CLUSTER_SUBMUNITION),
)
GROUPINGS = (
    AssistanceGrouping.PILLAR,
    AssistanceGrouping.STATUS,
    AssistanceGrouping.SEX_AGE,
    AssistanceGrouping.SERVICE_TYPE,
    AssistanceGrouping.PROVIDER,
)
VOCABULARIES = {  # listed in full, zeros included
    AssistanceGrouping.PILLAR: dict(Pillar.choices),
    AssistanceGrouping.STATUS: dict(AssistanceStatus.choices),
}
NONE = {"persons": 0, "services": 0}


def assistance_rows(*, request: ReportRequest) -> list[list[Any]]:
    """Both scopes, each: all assistance, the needs, then every grouping's rows."""
    rows: list[list[Any]] = []
    for scope, device in SCOPES:
        query = request.query(device_category=device)
        breakdowns = {
            grouping: assistance_breakdown(by=grouping, query=query)
            for grouping in (AssistanceGrouping.NEED, *GROUPINGS)
        }
        total = breakdowns[AssistanceGrouping.NEED]
        rows.append([scope, "All assistance", None, None, total["persons"], total["services"]])
        need = {row["key"]: row for row in total["rows"]}
        status = {row["key"]: row for row in breakdowns[AssistanceGrouping.STATUS]["rows"]}
        for key, name, row in (
            ("assessed", "Needs assessed", need.get(NEED_ASSESSED, NONE)),
            ("met", "Needs met (completed)", status.get(NEED_MET, NONE)),
            ("withdrawn", "Needs withdrawn (cancelled)", need.get(NEED_WITHDRAWN, NONE)),
        ):
            rows.append([scope, "Need", key, name, row["persons"], row["services"]])
        for grouping in GROUPINGS:
            found = {row["key"]: row for row in breakdowns[grouping]["rows"]}
            for key, label in VOCABULARIES.get(grouping, {}).items():
                row = found.pop(key, NONE)
                rows.append([scope, str(grouping.label), key, str(label), *_counts(row)])
            for row in found.values():
                rows.append([scope, str(grouping.label), row["key"], row["name"], *_counts(row)])
    return rows


def _counts(row: dict[str, Any]) -> list[int]:
    return [row["persons"], row["services"]]
