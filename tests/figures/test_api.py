"""The statistics API as NRA staff read it: summary and breakdowns, series, assistance, errors
(what everyone else reads: test_disclosure_api)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.helpers.figures import Push
from tests.helpers.sync import Tablet, accident, assistance, victim

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/statistics/summary/"
BREAKDOWN = "/api/v1/statistics/breakdown/"


@pytest.fixture
def figures(push: Push) -> None:
    """2026: six casualties of one accident in Pek (0901), one in Kham (0902); 2025: one."""
    a = accident(occurred_on="2026-02-10", district="0901", device_category="cluster_submunition")
    b = accident(
        occurred_on="2026-07-20",
        district="0902",
        device_category="large_bomb",
        ordnance_type="MK-82",
        activity="scrap_metal",
    )
    c = accident(occurred_on="2025-12-31", district="0901")
    people = [
        ("injured", "male", 12),
        ("injured", "male", 15),
        ("killed", "female", 9),
        ("injured", "male", 33),
        ("unknown", "female", 41),
        ("injured", "unknown", None),
    ]
    records = [a, b, c, victim(b["id"], outcome="killed", sex="male", age_years=60)]
    records += [
        victim(a["id"], outcome=outcome, sex=sex, age_years=age) for outcome, sex, age in people
    ]
    records.append(victim(c["id"]))
    push(records)


def get(tablet: Tablet, path: str, **params: str):
    return tablet.client.get(path, params, **tablet.headers)


def test_summary_returns_the_contract_fields(figures: None, nra: Tablet) -> None:
    # when NRA staff ask for 2026
    response = get(nra, SUMMARY, year="2026")

    # then every contract field is there, exact
    assert response.status_code == 200
    assert response.json() == {
        "basis": "reported_and_verified",
        "accidents": 2,
        "casualties": 7,
        "killed": 2,
        "injured": 4,
        "unknown": 1,
        "children": 3,
        "adults": 3,
        "men": 2,
        "women": 1,
        "boys": 2,
        "girls": 1,
    }


def test_every_answer_says_its_basis(figures: None, nra: Tablet) -> None:
    # when NRA staff ask for all reported accidents, then for verified ones only
    asked = {
        SUMMARY: {"year": "2026"},
        BREAKDOWN: {"year": "2026", "by": "province"},
        "/api/v1/statistics/series/": {"year_from": "2025", "year_to": "2026"},
        "/api/v1/statistics/assistance/": {"year": "2026", "by": "pillar"},
    }
    bases = {
        path: (
            get(nra, path, **params).json()["basis"],
            get(nra, path, verified_only="true", **params).json()["basis"],
        )
        for path, params in asked.items()
    }

    # then each answer names what it counted
    assert set(bases.values()) == {("reported_and_verified", "verified_only")}


def test_breakdown_by_district_device_month_and_sex_age(figures: None, nra: Tablet) -> None:
    # when NRA staff break 2026 down by district
    by_district = get(nra, BREAKDOWN, by="district", year="2026").json()

    # then one row per district, with its name and the summary fields
    assert by_district["by"] == "district"
    assert [
        (r["key"], r["name"], r["accidents"], r["casualties"]) for r in by_district["rows"]
    ] == [
        ("0901", "Pek", 1, 6),
        ("0902", "Kham", 1, 1),
    ]

    by_device = get(nra, BREAKDOWN, by="device_category", year="2026").json()["rows"]
    assert [(r["key"], r["casualties"], r["killed"]) for r in by_device] == [
        ("cluster_submunition", 6, 1),
        ("large_bomb", 1, 1),
    ]
    by_month = get(nra, BREAKDOWN, by="month", year="2026").json()["rows"]
    assert [(r["key"], r["name"], r["accidents"]) for r in by_month] == [
        (2, "February", 1),
        (7, "July", 1),
    ]
    by_sex_age = get(nra, BREAKDOWN, by="sex_age", year="2026").json()["rows"]
    assert [(r["key"], r["casualties"], r["accidents"]) for r in by_sex_age] == [
        ("men", 2, None),
        ("women", 1, None),
        ("boys", 2, None),
        ("girls", 1, None),
        ("unknown", 1, None),
    ]


def test_breakdown_by_every_dimension_adds_up_to_the_summary(figures: None, nra: Tablet) -> None:
    summary = get(nra, SUMMARY, year="2026").json()
    for dimension in (
        "province",
        "district",
        "month",
        "device_category",
        "activity",
        "sex_age",
        "classification",
        "civilian_status",
    ):
        rows = get(nra, BREAKDOWN, by=dimension, year="2026").json()["rows"]
        for field in ("casualties", "killed", "injured", "children", "boys", "girls"):
            assert sum(row[field] for row in rows) == summary[field], (dimension, field)


def test_series_gives_every_year_of_the_range(figures: None, nra: Tablet) -> None:
    response = get(
        nra, "/api/v1/statistics/series/", year_from="2024", year_to="2026", district="0901"
    )

    assert response.status_code == 200
    assert [(r["year"], r["accidents"], r["casualties"]) for r in response.json()["rows"]] == [
        (2024, 0, 0),
        (2025, 1, 1),
        (2026, 1, 6),
    ]


def test_assistance_counts_persons_and_services(push: Push, nra: Tablet) -> None:
    a = accident()
    v = victim(a["id"])
    push(
        [
            a,
            v,
            assistance(v["id"], started_on="2026-03-01"),
            assistance(v["id"], pillar="psychosocial", service_type="counselling",
                       provider_organisation="QLA", started_on="2026-04-01"),
        ]
    )  # fmt: skip

    response = get(nra, "/api/v1/statistics/assistance/", year="2026", by="provider")

    assert response.status_code == 200
    assert response.json() == {
        "by": "provider",
        "basis": "reported_and_verified",
        "persons": 1,
        "services": 2,
        "rows": [
            {"key": "COPE", "name": "COPE (Cooperative Orthotic and Prosthetic Enterprise)",
             "persons": 1, "services": 1},
            {"key": "QLA", "name": "Quality of Life Association", "persons": 1, "services": 1},
        ],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("path", "params", "errors"),
    [
        (SUMMARY, {}, {"year"}),
        (SUMMARY, {"year": "20x6"}, {"year"}),
        (SUMMARY, {"year": "1900"}, {"year"}),
        (SUMMARY, {"year": "2026", "province": "LA-ZZ"}, {"province"}),
        (SUMMARY, {"year": "2026", "province": "LA-SV", "district": "0901"}, {"district"}),
        (SUMMARY, {"year": "2026", "verified_only": "maybe"}, {"verified_only"}),
        (BREAKDOWN, {"year": "2026"}, {"by"}),
        (BREAKDOWN, {"year": "2026", "by": "colour"}, {"by"}),
        ("/api/v1/statistics/series/", {"year_from": "2026", "year_to": "2020"}, {"year_to"}),
        ("/api/v1/statistics/assistance/", {"year": "2026", "by": "total"}, {"by"}),
        ("/api/v1/statistics/assistance/", {"year": "2026", "by": "need"}, {"by"}),
    ],
)
def test_bad_parameters_are_400_json(nra: Tablet, path: str, params: dict, errors: set) -> None:
    response = nra.client.get(path, params, **nra.headers)

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["detail"]) == ("invalid", "Invalid input.")
    assert set(body["errors"]) == errors


def test_figures_need_a_token(client: Client) -> None:
    response = client.get(SUMMARY, {"year": "2026"})

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
