"""Reports: CSV and XLSX read back; what each file says it holds; the Monitor's table (the year,
the year before, all years, mines by type) and SDG 18.1.1 (disabled from the injuries), exact;
no personal data. The CCM reports: test_reports_ccm.py (fixture `report_records`: conftest)."""

from __future__ import annotations

import pytest

from tests.figures.reports import (
    EXTRACTED,
    REPORTED,
    about,
    download,
    read_csv,
    read_xlsx,
    table,
)
from tests.helpers.sync import Tablet

pytestmark = pytest.mark.django_db

REPORTS = ("monitor", "ccm-casualties", "ccm-assistance", "sdg-18-1-1")


def test_every_report_downloads_as_csv_and_xlsx_with_the_same_content(
    report_records: dict, nra: Tablet
) -> None:
    for name in REPORTS:
        # when NRA staff download the report in both formats
        as_csv = download(nra, name, "csv")
        as_xlsx = download(nra, name, "xlsx")

        # then the CSV holds the about lines, an empty line and the table; the XLSX the same
        # table on "Figures" and the same lines on "About"
        assert as_csv.status_code == 200
        assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
        assert as_csv["Content-Disposition"] == f'attachment; filename="{name}-2026.csv"'
        assert as_xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
        lines, rows = read_csv(as_csv.content)
        assert [[str(c) if c is not None else "" for c in row] for row in read_xlsx(
            as_xlsx.content
        )] == rows  # fmt: skip
        assert read_xlsx(as_xlsx.content, "About") == lines


def test_every_file_says_its_basis_period_and_time_of_extraction(
    report_records: dict, nra: Tablet
) -> None:
    # when NRA staff download the SDG table, of all reported accidents then of verified ones
    reported = about(nra, "sdg-18-1-1")
    verified = download(nra, "sdg-18-1-1", "csv", verified_only="true")

    # then the lines above the table say what it counts, for when, extracted when
    assert reported[:4] == [
        ("Report", "SDG 18.1.1: number of UXO victims by age and sex, 2026"),
        ("Basis", REPORTED),
        ("Period", "2026-01-01 to 2026-12-31"),
        ("Extracted", EXTRACTED),
    ]
    assert verified["Content-Disposition"] == 'attachment; filename="sdg-18-1-1-2026-verified.csv"'
    lines, rows = read_csv(verified.content)
    assert lines[1] == ["Basis", "Verified accidents only: the accidents the NRA has verified."]
    assert rows[-1] == ["Total", "", "0", "0", "0", "0", "0"]  # none verified
    # and every report says it, in both formats
    for name in REPORTS:
        labels = [label for label, _ in about(nra, name)]
        assert {"Report", "Basis", "Period", "Extracted"} <= set(labels), name
        assert read_xlsx(download(nra, name, "xlsx").content, "About")[0][0] == "Report"


def test_the_monitor_gives_the_year_the_year_before_and_all_years_with_mines_by_type(
    report_records: dict, nra: Tablet
) -> None:
    # when NRA staff download the Monitor's table for 2026
    rows = table(nra, "monitor")
    lines = {(row[0], row[1]): row[2:] for row in rows}

    # then each device has three rows together: 2026, 2025 and all years to 2026
    assert [row[:2] for row in rows[:6]] == [
        ["All devices", "2026"],
        ["All devices", "2025"],
        ["All devices", "All years to 2026"],
        ["Cluster submunition", "2026"],
        ["Cluster submunition", "2025"],
        ["Cluster submunition", "All years to 2026"],
    ]
    assert [row[0] for row in rows[::3]] == [
        "All devices", "Cluster submunition", "Large bomb", "Landmine",
        "Landmine: antipersonnel", "Landmine: antivehicle", "Landmine: improvised",
        "Landmine: type not recorded", "Artillery or mortar", "Grenade", "Rocket", "Fuze",
        "Other UXO", "Unknown",
    ]  # fmt: skip
    # accidents, casualties, killed, injured, outcome unknown, men, women, boys, girls, sex or
    # age unknown, civilians, deminers, military
    assert lines["All devices", "2026"] == [5, 9, 3, 5, 1, 4, 1, 1, 2, 1, 7, 1, 1]
    assert lines["All devices", "2025"] == [1, 2, 1, 1, 0, 0, 1, 1, 0, 0, 2, 0, 0]
    assert lines["All devices", "All years to 2026"] == [7, 12, 4, 7, 1, 5, 2, 2, 2, 1, 10, 1, 1]
    assert lines["Cluster submunition", "2026"] == [1, 4, 1, 2, 1, 1, 0, 1, 1, 1, 4, 0, 0]
    assert lines["Cluster submunition", "All years to 2026"] == [
        2, 6, 2, 3, 1, 1, 1, 2, 1, 1, 6, 0, 0
    ]  # fmt: skip
    assert lines["Large bomb", "2026"] == [0] * 13
    assert lines["Large bomb", "All years to 2026"] == [1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0]
    assert lines["Grenade", "2026"] == [1, 2, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1]
    # and the mines split by the mine type of their ordnance type, adding up to all mines
    assert lines["Landmine", "2026"] == [3, 3, 1, 2, 0, 2, 0, 0, 1, 0, 3, 0, 0]
    assert lines["Landmine: antipersonnel", "2026"] == [1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0]
    assert lines["Landmine: antivehicle", "2026"] == [1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0]
    assert lines["Landmine: improvised", "2026"] == [0] * 13
    assert lines["Landmine: type not recorded", "2026"] == [1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0]


def test_the_monitor_totals_match_the_summary_and_its_note_says_what_is_counted(
    report_records: dict, nra: Tablet
) -> None:
    summary = nra.client.get("/api/v1/statistics/summary/", {"year": "2026"}, **nra.headers)

    rows = read_xlsx(download(nra, "monitor", "xlsx").content)
    notes = [text for label, text in about(nra, "monitor") if label == "Note"]

    header, total = rows[0], rows[1]
    figures = summary.json()
    assert dict(zip(header[2:7], total[2:7], strict=True)) == {
        "Accidents": figures["accidents"],
        "Casualties": figures["casualties"],
        "Killed": figures["killed"],
        "Injured": figures["injured"],
        "Outcome unknown": figures["unknown"],
    }
    assert notes[0] == (
        "Casualties are direct victims, by the date of the accident: people killed or injured, "
        "and those whose outcome (killed or injured) is not known; these count in Casualties "
        "and Outcome unknown, not in Killed or Injured."
    )


def test_sdg_counts_the_disabled_from_the_recorded_injuries(
    report_records: dict, nra: Tablet
) -> None:
    # when NRA staff download SDG 18.1.1 for 2026
    rows = read_xlsx(download(nra, "sdg-18-1-1", "xlsx").content)

    # then an injured casualty with an amputation or a loss of sight is disabled, one with a
    # hand injury or none recorded is injured (not disabled); the categories add up
    assert rows == [
        ["Sex", "Age group", "Killed", "Disabled", "Injured (not disabled)", "Outcome unknown",
         "Total"],
        ["Male", "Child (under 18)", 0, 1, 0, 0, 1],
        ["Male", "Adult", 2, 1, 1, 0, 4],
        ["Male", "Unknown", 0, 0, 0, 0, 0],
        ["Female", "Child (under 18)", 1, 0, 1, 0, 2],
        ["Female", "Adult", 0, 1, 0, 0, 1],
        ["Female", "Unknown", 0, 0, 0, 0, 0],
        ["Unknown", "Child (under 18)", 0, 0, 0, 0, 0],
        ["Unknown", "Adult", 0, 0, 0, 0, 0],
        ["Unknown", "Unknown", 0, 0, 0, 1, 1],
        ["Total", None, 3, 3, 2, 1, 9],
    ]  # fmt: skip


def test_reports_hold_no_personal_data(report_records: dict, nra: Tablet) -> None:
    for name in REPORTS:
        for fmt in ("csv", "xlsx"):
            content = download(nra, name, fmt).content
            text = content.decode("utf-8") if fmt == "csv" else str(read_xlsx(content))
            assert "Somchai" not in text
            assert "5555" not in text
            assert "full_name" not in text


@pytest.mark.parametrize(
    ("path", "errors"),
    [
        ("monitor.csv", {"year"}),  # no year
        ("monitor.csv?period_from=2026-01-01&period_to=2026-12-31", {"year"}),  # yearly only
        ("ccm-casualties.csv", {"year"}),
        ("ccm-casualties.csv?period_from=2026-02-01&period_to=2026-12-31", {"period_from"}),
        ("ccm-casualties.csv?period_from=2026-01-01&period_to=2026-06-30", {"period_to"}),
        ("ccm-assistance.csv?period_from=2026-01-01", {"period_to"}),
        ("ccm-assistance.csv?period_from=2026-01-01&period_to=2025-12-31", {"period_to"}),
        ("ccm-assistance.csv?year=2026&period_from=2026-01-01&period_to=2026-12-31", {"year"}),
    ],
)
def test_bad_report_parameters_are_400_json(nra: Tablet, path: str, errors: set) -> None:
    response = nra.client.get(f"/api/v1/statistics/reports/{path}", **nra.headers)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["errors"]) == errors


@pytest.mark.parametrize(
    "path", ["unknown.csv?year=2026", "monitor.pdf?year=2026", "ccm-.csv?year=2026"]
)
def test_unknown_reports_are_404_json(nra: Tablet, path: str) -> None:
    response = nra.client.get(f"/api/v1/statistics/reports/{path}", **nra.headers)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_admin_links_to_the_reports_and_serves_them(
    report_records: dict, nra: Tablet, client
) -> None:
    # given an NRA staff member logged in to the admin
    client.force_login(nra.user)

    # when they open the casualty figures, then the reports page
    changelist = client.get("/admin/victims/casualtyfigure/")
    page = client.get("/admin/victims/casualtyfigure/reports/", {"year": "2026"})
    download = client.get("/admin/victims/casualtyfigure/reports/sdg-18-1-1.xlsx", {"year": "2026"})

    # then the list links to the page, which links to every report, which downloads
    assert changelist.status_code == 200
    assert b'href="/admin/victims/casualtyfigure/reports/"' in changelist.content
    assert page.status_code == 200
    for name in REPORTS:
        assert (
            f"/admin/victims/casualtyfigure/reports/{name}.csv?year=2026".encode() in page.content
        )
    assert download.status_code == 200
    assert read_xlsx(download.content)[-1][-1] == 9
    assert read_xlsx(download.content, "About")[2] == ["Period", "2026-01-01 to 2026-12-31"]
    # and every figure table is listed, read-only
    for table_path in (
        "victims/casualtyfigure",
        "victims/assistancefigure",
        "accidents/accidentfigure",
        "figures/statisticsslice",
        "figures/dirtyslice",
    ):
        assert client.get(f"/admin/{table_path}/").status_code == 200, table_path
        assert client.get(f"/admin/{table_path}/add/").status_code == 403, table_path
