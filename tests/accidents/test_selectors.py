"""The accident side reads victims only through the selector the victims app registers."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from accidents import selectors
from accidents.models import OrdnanceType
from accidents.selectors import NoVictims, VictimSummary, accident_victims
from accidents.sync import AccidentAdapter
from fieldsync.registry import Viewer
from tests.helpers.factories import (
    AccidentFactory,
    AssistanceFactory,
    OrdnanceTypeFactory,
    VictimFactory,
)
from victims.selectors import VictimsOfAccidents

pytestmark = pytest.mark.django_db

NRA = Viewer(user=None, role="nra_staff", organisation="NRA", is_nra=True, sees_personal_data=True)


@pytest.fixture
def accident_with_victims(seeded: None) -> dict:
    accident = AccidentFactory.create()
    girl = VictimFactory.create(accident=accident, sex="female", age_years=9, outcome="killed")
    man = VictimFactory.create(accident=accident, sex="male", age_years=41, outcome="injured")
    mother = VictimFactory.create(
        accident=None,
        victim_type="indirect",
        related_victim=girl,
        relationship="parent",
        outcome="",
    )
    gone = VictimFactory.create(accident=accident, outcome="injured", is_deleted=True)
    care = AssistanceFactory.create(victim=man)
    return {
        "accident": accident,
        "girl": girl,
        "man": man,
        "mother": mother,
        "gone": gone,
        "care": care,
    }


def test_the_victims_app_registers_its_selector_when_it_loads() -> None:
    assert isinstance(accident_victims(), VictimsOfAccidents)


def test_the_registered_selector_answers_what_the_accident_side_asks(
    accident_with_victims: dict,
) -> None:
    records = accident_with_victims
    accident_id = str(records["accident"].pk)
    victims = accident_victims()

    assert victims.casualty_counts([accident_id]) == {accident_id: (1, 1)}
    assert victims.victims_of([accident_id], direct_only=True) == [
        VictimSummary(accident_id, "female", 9, "killed"),
        VictimSummary(accident_id, "male", 41, "injured"),
    ]
    # dependents include tombstones: a deleted victim's audience follows its accident too
    assert victims.dependents([accident_id]) == {
        "victim": {str(records[name].pk) for name in ("girl", "man", "mother", "gone")},
        "assistance": {str(records["care"].pk)},
    }
    assert [pk for pk, _version in victims.victim_versions(accident_id)] == sorted(
        str(records[name].pk) for name in ("girl", "man")
    )


def test_without_a_victims_app_an_accident_has_no_casualties_and_no_dependents(
    accident_with_victims: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the accident side alone (no selector registered)
    monkeypatch.setattr(selectors, "_accident_victims", [NoVictims()])
    accident = accident_with_victims["accident"]

    presented = AccidentAdapter().present([accident], NRA)

    assert (presented[0]["killed"], presented[0]["injured"]) == (0, 0)
    assert AccidentAdapter().dependents([accident]) == {}


def test_the_mine_type_of_ordnance_types_is_seeded_and_only_for_mines(seeded: None) -> None:
    # given the seeded reference data and an antivehicle mine NRA staff added
    OrdnanceTypeFactory.create(code="TM-46", device_category="landmine", mine_type="antivehicle")

    # when the figures ask for the mine types of ordnance types
    mines = selectors.ordnance_mine_types()

    # then the starter mines are antipersonnel, the one added antivehicle, nothing else has one
    assert mines == {
        "M14": "antipersonnel",
        "M16": "antipersonnel",
        "PMN": "antipersonnel",
        "TM-46": "antivehicle",
    }
    # and a mine type on another device category is refused by the database
    with pytest.raises(IntegrityError), transaction.atomic():
        OrdnanceTypeFactory.create(device_category="grenade", mine_type="improvised")
    assert not OrdnanceType.objects.filter(device_category="grenade", mine_type="improvised")
