"""The CCM Article 7 reports (Form H): the form's cover, the casualties of the reporting period
and cumulated to its end, assistance for all UXO victims and for cluster-munition victims with
the needs assessed and met; periods of whole years. Records: `report_records` (conftest)."""

from __future__ import annotations

import pytest

from tests.figures.reports import EXTRACTED, REPORTED, about, download, read_csv, table
from tests.helpers.sync import Tablet

pytestmark = pytest.mark.django_db

NRA = "National Regulatory Authority for UXO/Mine Action Sector (NRA)"


def test_the_cover_gives_the_state_contact_period_submission_and_form_status(
    report_records: dict, nra: Tablet, settings
) -> None:
    # given a phone number for the national point of contact
    settings.FIELDSYNC = {**settings.FIELDSYNC, "REPORT_CONTACT_PHONE": "+856 21 000 000"}

    # when NRA staff download both CCM reports for 2026
    casualties = about(nra, "ccm-casualties")
    assistance = about(nra, "ccm-assistance")

    # then both open with the form's cover (dates as the form writes them), then the basis
    cover = [
        ("State", "Lao PDR"),
        ("National point of contact", f"{NRA}; +856 21 000 000"),
        ("Reporting period", "from 01/01/2026 to 31/12/2026"),
        ("Date of submission", "01/12/2026"),
        ("Form H: Victim assistance", "changed"),
        ("Basis", REPORTED),
        ("Period", "2026-01-01 to 2026-12-31"),
        ("Extracted", EXTRACTED),
    ]
    assert casualties[0] == (
        "Report",
        "Convention on Cluster Munitions, Article 7, Form H: casualties, 2026",
    )
    assert casualties[1:9] == cover
    assert assistance[1:9] == cover


def test_form_h_is_unchanged_when_the_period_before_reads_the_same(
    report_records: dict, nra: Tablet
) -> None:
    # when NRA staff ask for 2028, when nothing happened in 2027 or 2028
    lines = dict(about(nra, "ccm-casualties", year="2028"))

    # then the form says so, with the period last reported
    assert lines["Form H: Victim assistance"] == "unchanged (last reporting: 2027)"
    assert lines["Reporting period"] == "from 01/01/2028 to 31/12/2028"


def test_casualties_of_the_period_and_cumulated_for_all_devices_and_cluster_munitions(
    report_records: dict, nra: Tablet
) -> None:
    # when NRA staff download the casualty table for 2026
    rows = table(nra, "ccm-casualties")

    # then outcome by men, women, boys, girls, sex or age unknown and total: the year, then
    # every year to its end (the cumulative number Form H asks for), for both scopes
    assert rows == [
        ["2026", "All devices", "Killed", 2, 0, 0, 1, 0, 3],
        ["2026", "All devices", "Injured", 2, 1, 1, 1, 0, 5],
        ["2026", "All devices", "Outcome unknown", 0, 0, 0, 0, 1, 1],
        ["2026", "All devices", "Total", 4, 1, 1, 2, 1, 9],
        ["2026", "Cluster submunitions", "Killed", 0, 0, 0, 1, 0, 1],
        ["2026", "Cluster submunitions", "Injured", 1, 0, 1, 0, 0, 2],
        ["2026", "Cluster submunitions", "Outcome unknown", 0, 0, 0, 0, 1, 1],
        ["2026", "Cluster submunitions", "Total", 1, 0, 1, 1, 1, 4],
        ["Cumulative to 2026", "All devices", "Killed", 2, 0, 1, 1, 0, 4],
        ["Cumulative to 2026", "All devices", "Injured", 3, 2, 1, 1, 0, 7],
        ["Cumulative to 2026", "All devices", "Outcome unknown", 0, 0, 0, 0, 1, 1],
        ["Cumulative to 2026", "All devices", "Total", 5, 2, 2, 2, 1, 12],
        ["Cumulative to 2026", "Cluster submunitions", "Killed", 0, 0, 1, 1, 0, 2],
        ["Cumulative to 2026", "Cluster submunitions", "Injured", 1, 1, 1, 0, 0, 3],
        ["Cumulative to 2026", "Cluster submunitions", "Outcome unknown", 0, 0, 0, 0, 1, 1],
        ["Cumulative to 2026", "Cluster submunitions", "Total", 1, 1, 2, 1, 1, 6],
    ]


def test_assistance_for_all_uxo_victims_and_for_cluster_munition_victims(
    report_records: dict, nra: Tablet
) -> None:
    # when NRA staff download the assistance table for 2026
    rows = table(nra, "ccm-assistance")
    lines = {tuple(row[:3]): row[3:] for row in rows}

    # then every UXO victim assisted counts: the boy, the soldier, the farmer and the sister
    all_uxo = "All UXO victims"
    assert lines[all_uxo, "All assistance", None] == [None, 4, 5]
    # and the needs: assessed (every status but cancelled), met (completed), withdrawn
    assert lines[all_uxo, "Need", "assessed"] == ["Needs assessed", 3, 4]
    assert lines[all_uxo, "Need", "met"] == ["Needs met (completed)", 1, 1]
    assert lines[all_uxo, "Need", "withdrawn"] == ["Needs withdrawn (cancelled)", 1, 1]
    assert [row[2:] for row in rows if row[:2] == [all_uxo, "Status"]] == [
        ["needed", "Needed", 1, 1],
        ["referred", "Referred", 1, 1],
        ["in_progress", "In progress", 1, 1],
        ["completed", "Completed", 1, 1],
        ["cancelled", "Cancelled", 1, 1],
    ]
    assert lines[all_uxo, "Pillar", "physical_rehabilitation"] == [
        "Physical rehabilitation", 2, 2
    ]  # fmt: skip
    assert [row[2:] for row in rows if row[:2] == [all_uxo, "Sex and age group"]] == [
        ["female:adult", "Female, adult", 2, 2],
        ["male:adult", "Male, adult", 1, 1],
        ["male:child", "Male, child (under 18)", 1, 2],
    ]
    # and cluster-munition victims only: the boy, and the sister of the girl killed
    cluster = "Cluster-munition victims"
    assert lines[cluster, "All assistance", None] == [None, 2, 3]
    assert lines[cluster, "Need", "assessed"] == ["Needs assessed", 2, 3]
    assert lines[cluster, "Need", "met"] == ["Needs met (completed)", 1, 1]
    assert lines[cluster, "Need", "withdrawn"] == ["Needs withdrawn (cancelled)", 0, 0]
    assert [row[2:] for row in rows if row[:2] == [cluster, "Pillar"]] == [
        ["medical_care", "Medical care", 1, 1],
        ["physical_rehabilitation", "Physical rehabilitation", 1, 1],
        ["psychosocial", "Psychosocial support", 0, 0],
        ["economic_inclusion", "Economic inclusion", 1, 1],
        ["education", "Education", 0, 0],
        ["advocacy", "Advocacy", 0, 0],
    ]
    assert [row[2:] for row in rows if row[:2] == [cluster, "Provider"]] == [
        ["COPE", "COPE (Cooperative Orthotic and Prosthetic Enterprise)", 1, 1],
        ["MOH", "Ministry of Health", 1, 1],
        ["WE", "World Education", 1, 1],
    ]


def test_a_reporting_period_of_several_years(report_records: dict, nra: Tablet) -> None:
    # when NRA staff ask for 2025 and 2026 together
    response = download(
        nra, "ccm-casualties", "csv", period_from="2025-01-01", period_to="2026-12-31"
    )

    # then the period is the two years, named so in the file, its cover and its rows
    assert response["Content-Disposition"] == (
        'attachment; filename="ccm-casualties-2025-2026.csv"'
    )
    lines, rows = read_csv(response.content)
    assert dict(map(tuple, lines))["Reporting period"] == "from 01/01/2025 to 31/12/2026"
    assert dict(map(tuple, lines))["Period"] == "2025-01-01 to 2026-12-31"
    assert rows[4] == ["2025-2026", "All devices", "Total", "4", "2", "2", "2", "1", "11"]
    assert rows[12] == ["Cumulative to 2026", "All devices", "Total", "5", "2", "2", "2", "1",
                        "12"]  # fmt: skip
