"""Figures follow every committed change: what counts, and which slices a change marks."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accidents.models import AccidentFigure
from accidents.services import accident_status_set
from figures.models import DirtySlice
from figures.selectors import FigureQuery, assistance_breakdown, figures_summary
from figures.slices import slices_of_changes, statistics_refresh
from tests.helpers.figures import Push
from tests.helpers.sync import accident, assistance, delete, victim
from victims.models import AssistanceFigure, CasualtyFigure

pytestmark = pytest.mark.django_db

ZERO = dict.fromkeys(
    (
        "accidents",
        "casualties",
        "killed",
        "injured",
        "unknown",
        "children",
        "adults",
        "men",
        "women",
        "boys",
        "girls",
    ),
    0,
)


def summary(**query) -> dict:
    return figures_summary(query=FigureQuery(**query))


def test_summary_counts_casualties_by_the_contract_definitions(push: Push) -> None:
    # given an accident with casualties of every kind, a family member, and another province
    a = accident(occurred_on="2026-03-04")
    family_of = victim(a["id"], outcome="killed", sex="female", age_years=9)
    c = accident(occurred_on="2026-05-06", province="LA-SV", district="1301")
    records = [
        a,
        victim(a["id"], outcome="injured", sex="male", age_years=12),  # boy
        family_of,  # girl
        victim(a["id"], outcome="injured", sex="male", age_years=30),  # man
        victim(a["id"], outcome="unknown", sex="female", age_years=40),  # woman
        victim(a["id"], outcome="injured", sex="unknown", age_years=5),  # child, sex unknown
        victim(a["id"], outcome="killed", sex="male", age_years=None),  # age unknown
        victim(
            None,
            victim_type="indirect",
            related_victim=family_of["id"],
            relationship="parent",
            outcome="",
            accident=None,
        ),
        c,
        victim(c["id"], outcome="killed", sex="male", age_years=50),
    ]

    # when they are pushed (the refresh runs on commit: no broker)
    push(records)

    # then unknown sex or age counts in the totals only, family members never
    assert summary(year=2026) == {
        "accidents": 2,
        "casualties": 7,
        "killed": 3,
        "injured": 3,
        "unknown": 1,
        "children": 3,
        "adults": 3,
        "men": 2,
        "women": 1,
        "boys": 1,
        "girls": 1,
    }
    assert summary(year=2026, province="LA-SV") == {
        **ZERO,
        "accidents": 1,
        "casualties": 1,
        "killed": 1,
        "adults": 1,
        "men": 1,
    }
    assert summary(year=2026, district="0901")["casualties"] == 6
    assert summary(year=2025) == ZERO
    assert DirtySlice.objects.count() == 0


def test_rejected_accidents_never_count_and_verified_only_filters(push: Push, nra_user) -> None:
    # given three accidents with one casualty each
    a, b, c = accident(), accident(), accident()
    push([a, b, c, victim(a["id"]), victim(b["id"]), victim(c["id"])])

    # when one is verified and one rejected
    accident_status_set(accident_id=a["id"], status="verified", by=nra_user)
    accident_status_set(accident_id=b["id"], status="rejected", by=nra_user)
    statistics_refresh()

    # then the rejected one is gone, and verified_only keeps the verified one alone
    assert (summary(year=2026)["accidents"], summary(year=2026)["casualties"]) == (2, 2)
    verified = summary(year=2026, verified_only=True)
    assert (verified["accidents"], verified["casualties"]) == (1, 1)

    # and a rejected report sent back to reported counts again
    accident_status_set(accident_id=b["id"], status="reported", by=nra_user)
    statistics_refresh()
    assert summary(year=2026)["casualties"] == 3


def test_deleted_victims_and_accidents_never_count(push: Push) -> None:
    # given two accidents, each with a casualty receiving assistance
    a, b = accident(), accident()
    va, vb = victim(a["id"]), victim(b["id"])
    push([a, b, va, vb, assistance(va["id"]), assistance(vb["id"])])
    assert summary(year=2026)["casualties"] == 2

    # when one victim is deleted, and the other one's accident
    push([delete("victim", va["id"], None)])
    push([delete("accident", b["id"], None)])

    # then nothing of them counts
    assert summary(year=2026)["accidents"] == 1
    assert summary(year=2026)["casualties"] == 0
    assert assistance_breakdown(by="pillar", query=FigureQuery(year=2026))["persons"] == 0


def test_moving_a_victim_or_an_accident_moves_its_figures(push: Push) -> None:
    # given a casualty (with assistance) of an accident in Xiengkhouang, 2025
    a = accident(occurred_on="2025-06-01")
    b = accident(occurred_on="2026-02-01", province="LA-SV", district="1301")
    v = victim(a["id"])
    push([a, b, v, assistance(v["id"], started_on="2026-01-10")])

    # when the victim is moved to an accident of 2026 in Savannakhet
    push([victim(a["id"], v["id"], base_version=1, accident=b["id"])])

    # then the casualty and the person assisted moved with it
    assert summary(year=2025)["casualties"] == 0
    assert summary(year=2026, province="LA-SV")["casualties"] == 1
    assistance_sv = assistance_breakdown(
        by="pillar", query=FigureQuery(year=2026, province="LA-SV")
    )
    assert assistance_sv["persons"] == 1

    # when the accident itself moves to Houaphanh in 2024
    push(
        [
            accident(
                b["id"], base_version=1, province="LA-HO", district="0701", occurred_on="2024-07-07"
            )
        ]
    )

    # then its old slice is empty and the new one holds everything
    assert summary(year=2026) == ZERO
    assert summary(year=2024, province="LA-HO")["casualties"] == 1
    assert (
        assistance_breakdown(by="pillar", query=FigureQuery(year=2026, province="LA-HO"))["persons"]
        == 1
    )
    assert set(CasualtyFigure.objects.values_list("year", "province")) == {(2024, "LA-HO")}


def test_a_change_is_marked_in_its_own_transaction_for_the_old_and_new_slices(
    push: Push,
) -> None:
    # given an accident of 2025 whose figures are current
    a = accident(occurred_on="2025-06-01")
    push([a])

    # when it moves to another province and year, and nothing runs after the commit
    push(
        [
            accident(
                a["id"], base_version=1, occurred_on="2026-01-01", province="LA-SV", district="1301"
            )
        ],
        refresh=False,
    )

    # then both slices are owed a recompute, and the figures wait for it
    assert sorted(DirtySlice.objects.values_list("year", "province")) == [
        (2025, "LA-XI"),
        (2026, "LA-SV"),
    ]
    assert summary(year=2025)["accidents"] == 1
    assert statistics_refresh() == 2
    assert (summary(year=2025)["accidents"], summary(year=2026)["accidents"]) == (0, 1)
    assert DirtySlice.objects.count() == 0


def test_an_edit_of_fields_no_figure_uses_marks_nothing(push: Push) -> None:
    # given an accident and a victim
    a = accident()
    v = victim(a["id"])
    push([a, v])

    # when only the village, the role and the name change
    push(
        [
            accident(a["id"], base_version=1, village="Ban Phonsavan"),
            victim(a["id"], v["id"], base_version=1, role="bystander", full_name="S. K."),
        ],
        refresh=False,
    )

    # then no slice is owed a recompute
    assert DirtySlice.objects.count() == 0


def test_an_edit_of_injuries_or_ordnance_type_marks_the_slice(push: Push) -> None:
    # given an accident and an injured victim (the injuries decide "disabled", SDG 18.1.1)
    a = accident()
    v = victim(a["id"], injuries=["hand_fingers"])
    push([a, v])

    # when the injuries change, then the ordnance type (the Monitor's mine split)
    push([victim(a["id"], v["id"], base_version=1, injuries=["amputation_leg_left"])])
    disabled = CasualtyFigure.objects.get().disabled
    push([accident(a["id"], base_version=1, ordnance_type="BLU-24")], refresh=False)

    # then the first was recounted, and the second is owed a recompute of the slice
    assert disabled is True
    assert list(DirtySlice.objects.values_list("year", "province")) == [(2026, "LA-XI")]


def test_marking_a_large_batch_costs_a_bounded_number_of_queries(push: Push) -> None:
    # given 100 accidents in the database, with victims and assistance
    records = []
    for _ in range(100):
        a = accident()
        v = victim(a["id"])
        records += [a, v, assistance(v["id"])]
    push(records)
    changed = {
        "victim": {
            r["id"]: (r["data"], {**r["data"], "sex": "female"})
            for r in records
            if r["model"] == "victim"
        },
        "assistance": {
            r["id"]: (r["data"], {**r["data"], "status": "in_progress"})
            for r in records
            if r["model"] == "assistance"
        },
    }

    # when the slices of 200 changed victims and assistance are worked out
    with CaptureQueriesContext(connection) as captured:
        slices = slices_of_changes(changed)

    # then it takes two queries (victims' accidents, accidents' slices)
    assert slices == {(2026, "LA-XI")}
    assert len(captured) == 2


def test_refresh_is_idempotent_and_recomputes_only_what_is_owed(push: Push) -> None:
    # given figures made current by a push
    a = accident()
    push([a, victim(a["id"])])
    before = list(CasualtyFigure.objects.values_list("year", "district", "count"))

    # when the refresh runs again (a retry, a second copy of the task)
    recomputed = statistics_refresh()

    # then there was nothing to do and nothing changed
    assert recomputed == 0
    assert list(CasualtyFigure.objects.values_list("year", "district", "count")) == before
    assert AccidentFigure.objects.get().count == 1


def test_assistance_counts_distinct_persons_per_grouping_and_its_year_rule(push: Push) -> None:
    # given one survivor with three services of two pillars, in 2025 and 2026
    a = accident(occurred_on="2025-03-01")
    v = victim(a["id"], sex="female", age_years=10)
    push(
        [
            a,
            v,
            assistance(
                v["id"],
                str(uuid.uuid4()),
                pillar="medical_care",
                service_type="surgery",
                provider_organisation="MOH",
                status="completed",
                started_on="2025-03-01",
                completed_on="2025-03-20",
            ),
            assistance(
                v["id"],
                pillar="medical_care",
                service_type="continuing_care",
                provider_organisation="MOH",
                status="completed",
                completed_on="2026-01-15",
            ),
            assistance(v["id"], status="referred"),  # no dates: the year it was recorded (2026)
        ]
    )

    # then persons are distinct per key, services add up, each in its own year
    pillar_2026 = assistance_breakdown(by="pillar", query=FigureQuery(year=2026))
    assert (pillar_2026["persons"], pillar_2026["services"]) == (1, 2)
    assert [(r["key"], r["persons"], r["services"]) for r in pillar_2026["rows"]] == [
        ("medical_care", 1, 1),
        ("physical_rehabilitation", 1, 1),
    ]
    sex_age_2025 = assistance_breakdown(by="sex_age", query=FigureQuery(year=2025))
    assert [(r["key"], r["persons"]) for r in sex_age_2025["rows"]] == [("female:child", 1)]
    assert AssistanceFigure.objects.filter(grouping="total").count() == 2
