"""Demo data hits every published yearly total, counted from the records, and is deterministic.

The expected totals are read straight from the reference table, not through the generator's own
reading of it (simulation.demo.figures), so a misreading there fails here too.
"""

from __future__ import annotations

import csv
import datetime
import pathlib
from collections.abc import Iterable
from typing import Any

import pytest
from django.db import models, transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from accidents.models import Accident
from accidents.selectors import counted_accidents_q
from accidents.services import DATA_DIR
from simulation.demo import YearFigures, demo_data_generate, records
from victims.choices import AgeGroup, Outcome, VictimType
from victims.models import Assistance, Victim

pytestmark = pytest.mark.django_db

REFERENCE_COPY = DATA_DIR / "casualties_by_year.csv"
# The shared reference the copy is taken from, next to the repository when checked out there.
SHARED_REFERENCE = (
    pathlib.Path(__file__).resolve().parents[2].parent
    / "shared"
    / "reference"
    / "lao_casualties_by_year.csv"
)
# 2016: the source gives 59 casualties but 10 killed and 50 injured; the demo keeps both outcome
# figures (their sum, 60, is the SDG data total): docs/statistics.md, "Demo data".
CASUALTIES_CHOSEN = {2016: 60}
# The years whose demo data fell short of the published child totals with the command's default
# seed (issue 17), 2020 with its unknown outcomes, 2021 and 2024 with a published accident count.
NORMAL_YEARS = (2014, 2016, 2018, 2020, 2021, 2024)
DEFAULT_SEED = 1  # generate_demo_data's; `make demo-data` passes 2


def published_totals(years: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per published year asked for, the totals the reference table gives (blank: not given)."""
    wanted = set(years)
    totals = {}
    with REFERENCE_COPY.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            year = int(row["year"])
            if year not in wanted:
                continue
            given = {
                field: int(row[field])
                for field in ("accidents", "casualties", "killed", "injured", "children")
                if row[field]
            }
            if year in CASUALTIES_CHOSEN:
                given["casualties"] = CASUALTIES_CHOSEN[year]
            totals[year] = given
    return totals


def counted_totals(published: dict[int, dict[str, int]]) -> dict[int, dict[str, int]]:
    """The same totals counted from the record tables, by the figures' definitions (counted
    accidents: not deleted, not rejected, whatever their verification; casualties: their live
    direct victims; children: casualties under 18), keeping the fields each year publishes."""
    accidents = (
        Accident.objects.filter(counted_accidents_q())
        .values(year=ExtractYear("occurred_on"))
        .annotate(accidents=Count("pk"))
        .order_by()
    )
    casualties = (
        Victim.objects.filter(
            counted_accidents_q("accident__"), is_deleted=False, victim_type=VictimType.DIRECT
        )
        .values(year=ExtractYear("accident__occurred_on"))
        .annotate(
            casualties=Count("pk"),
            killed=Count("pk", filter=Q(outcome=Outcome.KILLED)),
            injured=Count("pk", filter=Q(outcome=Outcome.INJURED)),
            children=Count("pk", filter=Q(age_group=AgeGroup.CHILD)),
        )
        .order_by()
    )
    counted: dict[int, dict[str, int]] = {year: {} for year in published}
    for accident_row in accidents:
        counted.setdefault(accident_row["year"], {})["accidents"] = accident_row["accidents"]
    for row in casualties:
        counted.setdefault(row["year"], {}).update(
            casualties=row["casualties"],
            killed=row["killed"],
            injured=row["injured"],
            children=row["children"],
        )
    return {
        year: {field: counts.get(field, 0) for field in published.get(year, counts)}
        for year, counts in counted.items()
    }


def generate(years: Iterable[int], *, seed: int = DEFAULT_SEED) -> None:
    for year in years:
        list(demo_data_generate(first_year=year, last_year=year, seed=seed))


def stored_records() -> dict[str, list[dict[str, Any]]]:
    """Every accident, victim and assistance record as stored, without the write times."""

    def rows(model: type[models.Model]) -> list[dict[str, Any]]:
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if field.attname not in ("created_at", "updated_at", "created_by_device_id")
        ]
        return list(
            # not the writing device: its id follows the account's key, which PostgreSQL's
            # sequences do not give back on rollback
            model._default_manager.order_by("pk").values(*fields)
        )

    return {model.__name__: rows(model) for model in (Accident, Victim, Assistance)}


def test_the_demo_years_hit_every_published_total_and_replay_identically(seeded: None) -> None:
    # given the demo data of the years whose totals were missed, generated once and undone
    with transaction.atomic():
        generate(NORMAL_YEARS)
        first_run = stored_records()
        transaction.set_rollback(True)
    assert not Accident.objects.exists()

    # when they are generated again with the same seed
    generate(NORMAL_YEARS)

    # then the records are the same, field for field
    assert stored_records() == first_run
    # and each year adds up to the published totals, counted from the records
    published = published_totals(NORMAL_YEARS)
    assert set(published) == set(NORMAL_YEARS)
    assert counted_totals(published) == published


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_published_year_of_the_whole_range_hits_its_totals(seeded: None, seed: int) -> None:
    # when every year the reference covers is generated (2008 and 2022 are interpolated)
    years = range(2006, 2027)
    generate(years, seed=seed)

    # then each published year adds up to its totals, and no accident falls outside the range
    published = published_totals(years)
    assert sorted(published) == [year for year in years if year not in (2008, 2022)]
    counted = counted_totals(published)
    assert {year: counted[year] for year in published} == published
    assert set(counted) == set(years)


def test_the_copy_is_the_shared_reference() -> None:
    if not SHARED_REFERENCE.exists():
        pytest.skip(f"no shared reference at {SHARED_REFERENCE}")

    assert REFERENCE_COPY.read_bytes() == SHARED_REFERENCE.read_bytes()


@pytest.mark.parametrize(("children", "clearance_accidents"), [(0, 4), (3, 2), (6, 0)])
def test_child_casualties_go_to_accidents_other_than_clearance_operations(
    monkeypatch: pytest.MonkeyPatch, children: int, clearance_accidents: int
) -> None:
    # given a year of 4 accidents with 6 casualties where every accident would be a clearance
    monkeypatch.setattr(records, "DEMINING_SHARE", 1.0)
    figures = YearFigures(
        year=2019,
        last_day=datetime.date(2019, 12, 31),
        accidents=4,
        killed=2,
        injured=3,
        unknown=1,
        children=children,
        interpolated=False,
    )

    # when the year is planned
    plan = records.YearGenerator(seed=1, figures=figures, districts={}).plan()

    # then every casualty and child has its slot, and no child is in a clearance accident
    slots = [slot for planned in plan for slot in planned.slots]
    assert sorted(outcome for outcome, _ in slots) == ["injured"] * 3 + ["killed"] * 2 + ["unknown"]
    assert [age for _, age in slots].count("child") == children
    # and only as many clearance draws give way as the children need (this seed's accidents have
    # 1, 2, 1 and 2 casualties)
    assert [len(planned.slots) for planned in plan] == [1, 2, 1, 2]
    assert sum(planned.demining for planned in plan) == clearance_accidents
    assert all(age == "adult" for planned in plan if planned.demining for _, age in planned.slots)
