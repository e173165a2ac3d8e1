"""Reports: CSV and XLSX read back, totals equal to the summary, no personal data."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from fieldsync.models import Role
from tests.helpers.figures import Push
from tests.helpers.sync import Tablet, accident, assistance, victim

pytestmark = pytest.mark.django_db

REPORTS = ("monitor", "ccm-casualties", "ccm-assistance", "sdg-18-1-1")


@pytest.fixture
def figures(push: Push) -> None:
    """2026: a cluster submunition accident (4 casualties), a grenade accident (2)."""
    a = accident(device_category="cluster_submunition", ordnance_type="BLU-26")
    b = accident(device_category="grenade", ordnance_type="F1", activity="handling")
    people = [
        (a, "injured", "male", 11, "civilian"),
        (a, "killed", "female", 16, "civilian"),
        (a, "injured", "male", 45, "civilian"),
        (a, "unknown", "unknown", None, "civilian"),
        (b, "injured", "female", 30, "military"),
        (b, "killed", "male", 25, "deminer"),
    ]
    records = [a, b]
    for parent, outcome, sex, age, status in people:
        records.append(
            victim(parent["id"], outcome=outcome, sex=sex, age_years=age, civilian_status=status,
                   full_name="Somchai Keomany", phone="020 5555 1234")
        )  # fmt: skip
    first = records[2]["id"]
    records += [
        assistance(first, started_on="2026-05-01"),
        assistance(first, pillar="medical_care", service_type="surgery",
                   provider_organisation="MOH", status="completed", started_on="2026-04-01",
                   completed_on="2026-04-09"),
        assistance(records[4]["id"], started_on="2026-06-01"),
    ]  # fmt: skip
    push(records)


@pytest.fixture
def nra(make_tablet) -> Tablet:
    return make_tablet("nra-reports", role=Role.NRA_STAFF, organisation="NRA")


def download(tablet: Tablet, name: str, fmt: str, **params: str):
    return tablet.client.get(
        f"/api/v1/statistics/reports/{name}.{fmt}", {"year": "2026", **params}, **tablet.headers
    )


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def read_xlsx(content: bytes) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in workbook["Figures"].iter_rows(values_only=True)]


def test_every_report_downloads_as_csv_and_xlsx_with_the_same_table(
    figures: None, nra: Tablet
) -> None:
    for name in REPORTS:
        as_csv = download(nra, name, "csv")
        as_xlsx = download(nra, name, "xlsx")

        assert as_csv.status_code == 200
        assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
        assert as_csv["Content-Disposition"] == f'attachment; filename="{name}-2026.csv"'
        assert as_xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
        rows_csv, rows_xlsx = read_csv(as_csv.content), read_xlsx(as_xlsx.content)
        assert rows_csv[0] == rows_xlsx[0]
        assert [[str(cell) if cell is not None else "" for cell in row] for row in rows_xlsx] == (
            rows_csv
        )


def test_report_totals_match_the_summary(figures: None, nra: Tablet) -> None:
    summary = nra.client.get("/api/v1/statistics/summary/", {"year": "2026"}, **nra.headers).json()

    monitor = read_xlsx(download(nra, "monitor", "xlsx").content)
    header, total = monitor[0], monitor[1]
    assert total[0] == "All devices"
    assert dict(zip(header[1:6], total[1:6], strict=True)) == {
        "Accidents": summary["accidents"],
        "Casualties": summary["casualties"],
        "Killed": summary["killed"],
        "Injured": summary["injured"],
        "Outcome unknown": summary["unknown"],
    }
    assert total[6:10] == [summary["men"], summary["women"], summary["boys"], summary["girls"]]
    assert total[11:14] == [4, 1, 1]  # civilians, deminers, military
    assert sum(row[2] for row in monitor[2:]) == summary["casualties"]  # per device category

    ccm_rows = read_csv(download(nra, "ccm-casualties", "csv").content)[1:]
    ccm = {(row[0], row[1]): [int(value) for value in row[2:]] for row in ccm_rows}
    assert ccm["All devices", "Total"] == [
        summary["men"],
        summary["women"],
        summary["boys"],
        summary["girls"],
        1,  # sex or age unknown
        summary["casualties"],
    ]
    assert ccm["All devices", "Killed"][-1] == summary["killed"]
    assert ccm["All devices", "Injured"][-1] == summary["injured"]
    assert ccm["Cluster submunitions", "Total"][-1] == 4

    sdg = read_xlsx(download(nra, "sdg-18-1-1", "xlsx").content)
    assert sdg[0] == ["Sex", "Age group", "Killed", "Injured", "Outcome unknown", "Total"]
    assert sdg[-1] == ["Total", None, summary["killed"], summary["injured"], summary["unknown"],
                       summary["casualties"]]  # fmt: skip
    assert ["Female", "Child (under 18)", 1, 0, 0, 1] in sdg


def test_the_assistance_table_counts_distinct_persons(figures: None, nra: Tablet) -> None:
    table = read_csv(download(nra, "ccm-assistance", "csv").content)
    rows = {(row[0], row[1]): (row[3], row[4]) for row in table[1:]}
    api = nra.client.get(
        "/api/v1/statistics/assistance/", {"year": "2026", "by": "pillar"}, **nra.headers
    ).json()

    assert table[0] == ["Grouping", "Key", "Name", "Persons", "Services"]
    assert rows["All assistance", ""] == (str(api["persons"]), str(api["services"])) == ("2", "3")
    assert rows["Pillar", "physical_rehabilitation"] == ("2", "2")
    assert rows["Pillar", "medical_care"] == ("1", "1")
    assert rows["Pillar", "education"] == ("0", "0")
    assert rows["Status", "completed"] == ("1", "1")


def test_reports_hold_no_personal_data(figures: None, nra: Tablet) -> None:
    for name in REPORTS:
        for fmt in ("csv", "xlsx"):
            content = download(nra, name, fmt).content
            text = content.decode("utf-8") if fmt == "csv" else str(read_xlsx(content))
            assert "Somchai" not in text
            assert "5555" not in text
            assert "full_name" not in text


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/statistics/reports/monitor.csv", 400, "invalid"),  # no year
        ("/api/v1/statistics/reports/unknown.csv?year=2026", 404, "not_found"),
        ("/api/v1/statistics/reports/monitor.pdf?year=2026", 404, "not_found"),
    ],
)
def test_bad_report_requests_are_json_errors(nra: Tablet, path: str, status: int, code: str):
    response = nra.client.get(path, **nra.headers)

    assert response.status_code == status
    assert response.json()["code"] == code


def test_admin_links_to_the_reports_and_serves_them(figures: None, nra: Tablet, client) -> None:
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
    assert read_xlsx(download.content)[-1][-1] == 6
    # and every figure table is listed, read-only
    for table in (
        "victims/casualtyfigure",
        "victims/assistancefigure",
        "accidents/accidentfigure",
        "figures/statisticsslice",
        "figures/dirtyslice",
    ):
        assert client.get(f"/admin/{table}/").status_code == 200, table
        assert client.get(f"/admin/{table}/add/").status_code == 403, table
