"""Disclosure control through the statistics API, as the issue's attacker tried it: a partner
token, one province and year, the summary and every breakdown. Nothing single out the girl
killed while playing with a fuze in May; NRA staff still read exact figures."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import pytest
from django.core.cache import cache

from figures.disclosure import published as module
from figures.tasks import statistics_disclosure_warm
from tests.helpers.disclosure import assert_not_recoverable, assert_shown_safely
from tests.helpers.figures import Push
from tests.helpers.sync import Tablet, accident, assistance, victim

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/statistics/summary/"
BREAKDOWN = "/api/v1/statistics/breakdown/"
SERIES = "/api/v1/statistics/series/"
ASSISTANCE = "/api/v1/statistics/assistance/"
FIELDS = ("accidents", "casualties", "killed", "injured", "unknown", "children", "adults",
          "men", "women", "boys", "girls")  # fmt: skip
XIENG_KHOUANG = ["0901", "0902", "0903", "0904", "0905", "0906", "0907"]
SEX_AGE_EQUAL = {"men": "adults", "women": "adults", "boys": "children", "girls": "children"}


@pytest.fixture
def province_year(push: Push) -> dict[str, Any]:
    """Xieng Khouang, 2026: the girl (Kham, May, fuze, playing), six casualties of a cluster
    submunition while farming in Pek (February), five of a large bomb collecting scrap in
    Nonghed (July); and one casualty in Vientiane."""
    girl = accident(occurred_on="2026-05-14", district="0902", device_category="fuze",
                    ordnance_type=None, activity="playing")  # fmt: skip
    farm = accident(occurred_on="2026-02-10", district="0901")
    scrap = accident(occurred_on="2026-07-20", district="0903", device_category="large_bomb",
                     ordnance_type="MK-82", activity="scrap_metal")  # fmt: skip
    capital = accident(occurred_on="2026-03-03", province="LA-VT", district="0101",
                       latitude=17.97, longitude=102.6)  # fmt: skip
    records = [girl, farm, scrap, capital, victim(girl["id"], outcome="killed", sex="female",
                                                 age_years=9)]  # fmt: skip
    for outcome, sex, age in [("injured", "male", 12), ("injured", "male", 15),
                              ("killed", "female", 30), ("injured", "male", 33),
                              ("injured", "female", 41), ("injured", "male", 8)]:  # fmt: skip
        records.append(victim(farm["id"], outcome=outcome, sex=sex, age_years=age))
    for outcome, sex, age in [("injured", "male", 22), ("injured", "male", 25),
                              ("killed", "male", 40), ("injured", "male", 16),
                              ("injured", "female", 50)]:  # fmt: skip
        records.append(victim(scrap["id"], outcome=outcome, sex=sex, age_years=age))
    records.append(victim(capital["id"]))
    assistance_records = [
        assistance(victim_record["id"], started_on="2026-06-01") for victim_record in records[5:8]
    ]
    outcomes = push(records + assistance_records)
    assert {outcome["status"] for outcome in outcomes} == {"applied"}
    return {"girl": girl}


def get(tablet: Tablet, path: str, **params: str) -> dict[str, Any]:
    response = tablet.client.get(path, params, **tablet.headers)
    assert response.status_code == 200, response.content
    return response.json()


def assert_family_safe(summary: dict[str, Any], breakdowns: dict[str, list[dict]]) -> None:
    """The contract's identities over one filter's summary and breakdowns hold nothing back."""
    for row in [summary, *(row for rows in breakdowns.values() for row in rows)]:
        for name in FIELDS:
            assert_shown_safely(row[name])
        assert_not_recoverable(row["casualties"], [row["killed"], row["injured"], row["unknown"]])
    for by, rows in breakdowns.items():
        for name in FIELDS:
            if name == "accidents" and by in ("sex_age", "civilian_status"):
                continue
            assert_not_recoverable(summary[name], [row[name] for row in rows])
    for row in breakdowns.get("sex_age", []):
        if row["key"] in SEX_AGE_EQUAL:
            same = {row["casualties"], row[row["key"]], row[SEX_AGE_EQUAL[row["key"]]]}
            assert len(same) == 1, f"the {row['key']} row shows one of its equal cells: {row}"


def test_the_issues_attack_finds_no_one(province_year: dict, partner: Tablet) -> None:
    where = {"year": "2026", "province": "LA-XI"}
    summary = get(partner, SUMMARY, **where)
    breakdowns = {
        by: get(partner, BREAKDOWN, by=by, **where)["rows"]
        for by in (
            "month",
            "activity",
            "device_category",
            "district",
            "sex_age",
            "civilian_status",
            "classification",
        )
    }

    # every key is listed, zero rows included, so a missing row tells nothing
    assert [row["key"] for row in breakdowns["month"]] == [*range(1, 13), None]
    assert [row["key"] for row in breakdowns["district"]] == XIENG_KHOUANG
    assert "playing" in [row["key"] for row in breakdowns["activity"]]
    # May, playing and fuze show no count of one
    may = breakdowns["month"][4]
    assert (may["accidents"], may["killed"], may["girls"]) == ("<5", "<5", "<5")
    # and nothing hidden comes back from the totals and the visible rows
    assert_family_safe(summary, breakdowns)
    # Kham is hidden, and so is whatever would give it away from the province's total
    kham = breakdowns["district"][1]
    assert kham["casualties"] == "<5"
    assert_not_recoverable(summary["casualties"], [r["casualties"] for r in breakdowns["district"]])


def test_national_figures_are_protected_the_same_way(province_year: dict, partner: Tablet) -> None:
    summary = get(partner, SUMMARY, year="2026")
    breakdowns = {
        by: get(partner, BREAKDOWN, by=by, year="2026")["rows"]
        for by in ("province", "district", "month", "device_category", "activity", "sex_age")
    }

    assert_family_safe(summary, breakdowns)
    assert len(breakdowns["province"]) == 18  # every province, zeros included
    # a province's totals read the same in its own summary and as a row of Laos' breakdown
    xieng_khouang = next(r for r in breakdowns["province"] if r["key"] == "LA-XI")
    own = get(partner, SUMMARY, year="2026", province="LA-XI")
    assert {name: xieng_khouang[name] for name in FIELDS} == {name: own[name] for name in FIELDS}


def test_nra_staff_read_exact_figures(province_year: dict, nra: Tablet) -> None:
    rows = get(nra, BREAKDOWN, by="month", year="2026", province="LA-XI")["rows"]

    may = next(row for row in rows if row["key"] == 5)
    assert (may["accidents"], may["killed"], may["girls"]) == (1, 1, 1)
    assert get(nra, SUMMARY, year="2026", province="LA-XI")["casualties"] == 12


def test_a_district_alone_shows_no_small_count(province_year: dict, partner: Tablet) -> None:
    summary = get(partner, SUMMARY, year="2026", district="0902")
    rows = get(partner, BREAKDOWN, by="sex_age", year="2026", district="0902")["rows"]

    assert summary["killed"] == "<5" and summary["girls"] == "<5"
    assert [row["casualties"] for row in rows] == [0, 0, 0, "<5", 0]


def test_series_rows_are_each_years_protected_totals(province_year: dict, partner: Tablet) -> None:
    rows = get(partner, SERIES, year_from="2024", year_to="2026", province="LA-XI")["rows"]
    own = get(partner, SUMMARY, year="2026", province="LA-XI")

    assert [row["year"] for row in rows] == [2024, 2025, 2026]
    assert rows[0]["casualties"] == rows[1]["casualties"] == 0
    assert {name: rows[2][name] for name in FIELDS} == {name: own[name] for name in FIELDS}


def test_assistance_counts_are_protected(province_year: dict, partner: Tablet, nra: Tablet) -> None:
    body = get(partner, ASSISTANCE, year="2026", by="pillar")
    exact = get(nra, ASSISTANCE, year="2026", by="pillar")

    assert exact["persons"] == exact["services"] == 3
    assert (body["persons"], body["services"]) == ("<5", "<5")
    assert len(body["rows"]) == 6  # every pillar, zeros included
    for by in ("pillar", "status", "sex_age", "service_type", "provider"):
        answer = get(partner, ASSISTANCE, year="2026", by=by)
        assert_not_recoverable(answer["services"], [row["services"] for row in answer["rows"]])
        for row in answer["rows"]:
            assert_shown_safely(row["persons"])
            assert_shown_safely(row["services"])


def test_a_change_is_seen_at_once(province_year: dict, partner: Tablet, push: Push) -> None:
    before = get(partner, SUMMARY, year="2026", province="LA-VT")
    more = accident(occurred_on="2026-04-01", province="LA-VT", district="0101",
                    latitude=17.97, longitude=102.6)  # fmt: skip
    push([more, *(victim(more["id"], outcome="killed") for _ in range(6))])

    after = get(partner, SUMMARY, year="2026", province="LA-VT")

    assert before["casualties"] == "<5"
    assert after["casualties"] in (7, "x")  # shown, or hidden to protect another province
    assert after["killed"] in (6, "x")


def test_the_warm_up_computes_the_years_just_recomputed(province_year: dict) -> None:
    with patch.object(module, "_compute", wraps=module._compute) as compute:
        module._RECENT.clear()
        cache.clear()
        assert statistics_disclosure_warm() == 1  # 2026, recomputed by the push
        assert sorted(call.args[0] for call in compute.call_args_list) == [2026, 2026]
        module.published(2026, verified_only=True)  # cached now: nothing computed again
        assert compute.call_count == 2
