"""Exports over the API: CSV and XLSX read back, filters, scope, privacy, streaming."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from exchange.columns import EXPORT_COLUMNS
from exchange.imports import (
    import_file_apply,
    import_file_store,
    record_id,
)
from fieldsync.models import Role
from tests.helpers.exchange import SAMPLES, csv_bytes
from tests.helpers.sync import Tablet

pytestmark = pytest.mark.django_db
PERSONAL = ("full_name", "date_of_birth", "phone", "guardian_name")


@pytest.fixture
def samples(officer) -> None:
    content = (SAMPLES / "records.xlsx").read_bytes()
    import_file = import_file_store(
        content=content, file_name="records.xlsx", kind=None, user=officer
    )
    assert import_file_apply(import_file=import_file, user=officer).status == "applied"


@pytest.fixture
def token(make_tablet: Callable[..., Tablet]) -> Callable[..., Tablet]:
    def make(
        role: str = Role.NRA_STAFF, organisation: str = "NRA", personal: bool = False
    ) -> Tablet:
        name = f"{role}-{organisation}-{'personal' if personal else 'plain'}".lower()
        return make_tablet(name, role, organisation, personal_data=personal)

    return make


def download(tablet: Tablet, path: str, **params: str) -> Any:
    response = tablet.client.get(f"/api/v1/exports/{path}", params, **tablet.headers)
    assert response.status_code == 200, response.content
    return response


def csv_rows(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_rows(response: Any) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def as_cell(value: Any) -> str:
    """A JSON value of the API as the CSV export writes it."""
    if isinstance(value, list):
        return "; ".join(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def test_a_csv_export_holds_what_the_partner_api_lists(samples, token) -> None:
    nra = token(personal=True)
    listed = nra.client.get("/api/v1/victims/", {"page_size": 1000}, **nra.headers).json()

    response = download(nra, "victims.csv")
    rows = csv_rows(response)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="victims-')
    assert list(rows[0]) == list(EXPORT_COLUMNS["victim"])
    as_cells = [
        {name: as_cell(value) for name, value in record.items() if name != "attachments_missing"}
        for record in listed["results"]
    ]
    assert sorted(rows, key=lambda r: r["id"]) == sorted(as_cells, key=lambda r: r["id"])
    deminer = next(r for r in rows if r["id"] == record_id("victim", "NRA-2019-0031-1"))
    assert {
        k: deminer[k] for k in ("injuries", "age_estimated", "full_name", "civilian_status")
    } == {
        "injuries": "amputation_leg_left; hand_fingers",
        "age_estimated": "false",
        "full_name": "Khamphone V.",
        "civilian_status": "deminer",
    }


def test_an_xlsx_export_reads_back_with_dates_and_numbers_as_cells(samples, token) -> None:
    nra = token()

    accidents = xlsx_rows(download(nra, "accidents.xlsx"))
    assistance = xlsx_rows(download(nra, "assistance.xlsx"))

    header = list(EXPORT_COLUMNS["accident"])
    assert accidents[0] == header
    assert [row[header.index("occurred_on")].date() for row in accidents[1:]] == [
        datetime.date(1973, 1, 1),
        datetime.date(1996, 4, 1),
        datetime.date(2005, 3, 14),
        datetime.date(2019, 11, 2),
    ]
    first = dict(zip(header, accidents[1], strict=True))
    assert {k: first[k] for k in ("id", "province", "district", "date_precision", "killed")} == {
        "id": record_id("accident", "NS-1973-0001"),
        "province": "LA-XI",
        "district": "0901",
        "date_precision": "year",
        "killed": 1,
    }
    prosthesis = dict(zip(assistance[0], assistance[1], strict=True))
    assert (prosthesis["cost_lak"], prosthesis["quantity"], prosthesis["unit"]) == (
        4500000,
        1,
        "arm prosthesis",
    )
    assert prosthesis["completed_on"].date() == datetime.date(2009, 3, 15)


def test_filters_are_the_lists_filters(samples, token) -> None:
    nra = token()

    in_houaphanh = csv_rows(download(nra, "accidents.csv", province="LA-HO"))
    girls = csv_rows(download(nra, "victims.csv", sex="female", age_group="child"))
    cope = xlsx_rows(download(nra, "assistance.xlsx", provider_organisation="COPE"))
    since_2000 = csv_rows(download(nra, "victims.csv", occurred_on_after="2000-01-01"))
    bad = nra.client.get(
        "/api/v1/exports/accidents.csv", {"reported_on_after": "soon"}, **nra.headers
    )

    assert [r["id"] for r in in_houaphanh] == [record_id("accident", "NRA-2019-0031")]
    assert [r["id"] for r in girls] == [record_id("victim", "NS-1973-0001-2")]
    assert [row[0] for row in cope[1:]] == [record_id("assistance", "A-0001")]
    assert sorted(r["id"] for r in since_2000) == sorted(
        record_id("victim", legacy_id)
        for legacy_id in ("NRA-2005-0112-1", "NRA-2005-0112-2", "NRA-2019-0031-1")
    )
    assert bad.status_code == 400
    assert bad.json() == {
        "code": "invalid",
        "detail": "Invalid input.",
        "errors": {"reported_on": ["Enter a valid date."]},
    }


def test_an_export_holds_the_readers_scope(samples, token) -> None:
    halo = token(Role.SURVEYOR, "HALO")
    cope = token(Role.PARTNER, "COPE")

    halo_accidents = csv_rows(download(halo, "accidents.csv"))
    cope_assistance = csv_rows(download(cope, "assistance.csv"))
    cope_victims = csv_rows(download(cope, "victims.csv"))
    cope_accidents = csv_rows(download(cope, "accidents.csv"))

    assert [r["id"] for r in halo_accidents] == [record_id("accident", "NRA-2019-0031")]
    assert [r["id"] for r in cope_assistance] == [record_id("assistance", "A-0001")]
    assert [r["id"] for r in cope_victims] == [record_id("victim", "NS-1996-0412-1")]
    assert cope_accidents == []


def test_personal_fields_only_for_readers_who_may_see_them(samples, token) -> None:
    spouse = record_id("victim", "NRA-2005-0112-2")
    readers = {
        "nra_personal": token(personal=True),
        "nra": token(),
        "partner": token(Role.PARTNER, "WE"),
        "owner": token(Role.SURVEYOR, "UXO-LAO"),
        "provider": token(Role.SURVEYOR, "WE"),  # assists the spouse; UXO-LAO reported her
    }

    exports = {name: csv_rows(download(t, "victims.csv")) for name, t in readers.items()}
    workbooks = {name: xlsx_rows(download(t, "victims.xlsx")) for name, t in readers.items()}

    def spouse_of(rows: list[dict[str, str]]) -> dict[str, str]:
        return next(r for r in rows if r["id"] == spouse)

    def personal(row: dict[str, str]) -> dict[str, str]:
        return {k: row[k] for k in PERSONAL if k in row}

    for name in ("nra", "partner"):
        assert not set(PERSONAL) & set(exports[name][0]), name
        assert not set(PERSONAL) & set(workbooks[name][0]), name
    assert personal(spouse_of(exports["nra"])) == personal(spouse_of(exports["partner"])) == {}
    assert personal(spouse_of(exports["provider"])) == dict.fromkeys(PERSONAL, "")
    named = {
        "full_name": "Vongdala S.",
        "date_of_birth": "1966-02-11",
        "phone": "+856 20 5555 0101",
        "guardian_name": "",
    }
    assert (
        personal(spouse_of(exports["owner"]))
        == personal(spouse_of(exports["nra_personal"]))
        == named
    )
    assert "Vongdala" not in str(workbooks["nra"]) + str(workbooks["partner"]) + str(
        workbooks["provider"]
    )


def test_an_export_of_thousands_of_rows_streams_in_chunks(
    officer, token, django_assert_max_num_queries
) -> None:
    header = "legacy_id,victim_type,accident_legacy_id,outcome,sex,age_years,consent"
    lines = [f"V-{n},direct,A-1,injured,male,{n % 90},none" for n in range(3000)]
    for name, content in (
        (
            "accidents.csv",
            csv_bytes(
                "legacy_id,occurred_on,province,district,classification,device_category,activity",
                "A-1,2001-01-01,LA-XI,0901,civilian,landmine,farming",
            ),
        ),
        ("victims.csv", csv_bytes(header, *lines)),
    ):
        import_file = import_file_store(content=content, file_name=name, kind=None, user=officer)
        assert import_file_apply(import_file=import_file, user=officer).status == "applied"
    nra = token(personal=True)

    response = download(nra, "victims.csv")
    with django_assert_max_num_queries(12):  # reading 3,000 rows: a few, not one per row
        chunks = list(response.streaming_content)
    workbook = xlsx_rows(download(nra, "victims.xlsx"))

    assert response.streaming
    assert len(chunks) == 4  # the header, then 1,000 rows at a time
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode())))
    assert len(rows) == len(workbook) - 1 == 3000
    assert {r["accident"] for r in rows} == {record_id("accident", "A-1")}


def test_text_a_spreadsheet_would_run_is_exported_as_text(officer, token) -> None:
    village = '=HYPERLINK("http://example.org","click")'
    quoted = '"' + village.replace('"', '""') + '"'
    content = csv_bytes(
        "legacy_id,occurred_on,province,district,village,classification,device_category,activity",
        f"A-1,2001-01-01,LA-XI,0901,{quoted},civilian,landmine,farming",
    )
    import_file = import_file_store(
        content=content, file_name="accidents.csv", kind=None, user=officer
    )
    assert import_file_apply(import_file=import_file, user=officer).status == "applied"
    nra = token()

    row = csv_rows(download(nra, "accidents.csv"))[0]
    workbook = load_workbook(
        io.BytesIO(b"".join(download(nra, "accidents.xlsx").streaming_content))
    )
    cell = workbook.active.cell(row=2, column=list(EXPORT_COLUMNS["accident"]).index("village") + 1)

    assert row["village"] == "'" + village
    assert (cell.value, cell.data_type) == (village, "s")


def test_an_export_needs_a_token_and_a_known_format(samples, token) -> None:
    nra = token()

    anonymous = nra.client.get("/api/v1/exports/accidents.csv")
    pdf = nra.client.get("/api/v1/exports/accidents.pdf", **nra.headers)

    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    assert pdf.status_code == 404
    assert pdf.json()["code"] == "not_found"


def test_decimal_cells_keep_their_cents(officer, token) -> None:
    content = csv_bytes(
        "legacy_id,occurred_on,province,district,classification,device_category,activity",
        "A-1,2001-01-01,LA-XI,0901,civilian,landmine,farming",
    )
    for name, body in (
        ("accidents.csv", content),
        (
            "victims.csv",
            csv_bytes(
                "legacy_id,victim_type,accident_legacy_id,outcome,sex,consent",
                "V-1,direct,A-1,injured,male,none",
            ),
        ),
        (
            "assistance.csv",
            csv_bytes(
                "legacy_id,victim_legacy_id,pillar,provider_organisation,status,cost_lak",
                "S-1,V-1,medical_care,MOH,needed,1250.50",
            ),
        ),
    ):
        import_file = import_file_store(content=body, file_name=name, kind=None, user=officer)
        assert import_file_apply(import_file=import_file, user=officer).status == "applied"
    nra = token()

    rows = xlsx_rows(download(nra, "assistance.xlsx"))

    assert dict(zip(rows[0], rows[1], strict=True))["cost_lak"] == Decimal("1250.5")
    assert csv_rows(download(nra, "assistance.csv"))[0]["cost_lak"] == "1250.50"
