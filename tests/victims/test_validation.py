"""Every rule of the data dictionary's victim and assistance tables, through their adapters."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest

from fieldsync.models import Organisation, User
from fieldsync.registry import WriteContext, registry
from tests.helpers.factories import UserFactory, laos_reference_data
from tests.helpers.records import (
    ACCIDENT_ID,
    CASUALTY_ID,
    assistance,
    family_member,
    victim,
)
from victims.models import Victim

TODAY = datetime.date(2026, 11, 20)
victims = registry["victim"]
assistance_adapter = registry["assistance"]


@pytest.fixture
def reference(db: None) -> None:
    laos_reference_data()


@pytest.fixture
def surveyor(reference: None) -> User:
    return UserFactory.create(
        username="surveyor-halo", organisation=Organisation.objects.get(pk="HALO")
    )


def context(user: User | None = None, **parents: dict[str, Any]) -> WriteContext:
    return WriteContext(device=None, user=user, today=TODAY, parents=dict(parents))


def victim_errors(data: dict[str, Any], ctx: WriteContext | None = None) -> dict[str, list[str]]:
    return victims.validate(data, ctx or context())[1]


# -- victims -----------------------------------------------------------------------------------
def test_valid_direct_victim_is_returned_canonical_with_defaults() -> None:
    record, errors = victims.validate(
        victim(accident=ACCIDENT_ID.upper(), injuries=["burns", "amputation_leg_left"]), context()
    )

    assert errors == {}
    assert record == {
        "victim_type": "direct",
        "accident": ACCIDENT_ID,
        "related_victim": None,
        "relationship": "",
        "outcome": "injured",
        "sex": "male",
        "age_years": 12,
        "age_estimated": False,
        "civilian_status": "civilian",
        "role": "unknown",
        "injuries": ["amputation_leg_left", "burns"],
        "full_name": "Somchai K.",
        "date_of_birth": None,
        "phone": "",
        "guardian_name": "Bounmy K.",
        "consent": "guardian",
        "photos": [],
        "consent_document": [],
    }
    assert list(record) == list(victims.writable_fields)


def test_victim_defaults_are_the_data_dictionary_ones() -> None:
    defaults = victims.defaults(context())

    assert (defaults["civilian_status"], defaults["role"]) == ("civilian", "unknown")
    assert (defaults["age_estimated"], defaults["injuries"]) == (False, [])


@pytest.mark.parametrize("field", ["victim_type", "sex", "consent"])
def test_victim_required_fields(field: str) -> None:
    data = victim()
    del data[field]

    assert victim_errors(data) == {field: ["This field is required."]}


def test_victim_vocabularies() -> None:
    data = victim(sex="m", civilian_status="soldier", role="", victim_type="casualty")

    assert victim_errors(data) == {
        "sex": ['"m" is not a valid choice.'],
        "civilian_status": ['"soldier" is not a valid choice.'],
        "role": ['"" is not a valid choice.'],
        "victim_type": ['"casualty" is not a valid choice.'],
    }


def test_direct_victim_needs_an_accident_and_an_outcome() -> None:
    assert victim_errors(victim(accident=None, outcome="")) == {
        "accident": ["This field is required for a direct victim."],
        "outcome": ["This field is required for a direct victim."],
    }


def test_direct_victim_has_no_related_victim_nor_relationship() -> None:
    assert victim_errors(victim(related_victim=CASUALTY_ID, relationship="sibling")) == {
        "related_victim": ["Must be empty for a direct victim."],
        "relationship": ["Must be empty for a direct victim."],
    }


def test_valid_indirect_victim() -> None:
    record, errors = victims.validate(family_member(outcome=None), context())

    assert errors == {}
    assert (record["related_victim"], record["relationship"], record["outcome"]) == (
        CASUALTY_ID,
        "parent",
        "",
    )


def test_indirect_victim_needs_a_related_victim_and_a_relationship() -> None:
    assert victim_errors(family_member(related_victim=None, relationship="")) == {
        "related_victim": ["This field is required for an indirect victim."],
        "relationship": ["This field is required for an indirect victim."],
    }


def test_indirect_victim_has_no_outcome() -> None:
    assert victim_errors(family_member(outcome="killed")) == {
        "outcome": ["Must be empty for an indirect victim."]
    }


def test_related_victim_must_be_a_direct_victim_when_the_engine_found_it() -> None:
    other_family = Victim(pk=CASUALTY_ID, victim_type="indirect")
    casualty = Victim(pk=CASUALTY_ID, victim_type="direct")

    assert victim_errors(family_member(), context(victim={CASUALTY_ID: other_family})) == {
        "related_victim": ["The related victim must be a direct victim."]
    }
    assert victim_errors(family_member(), context(victim={CASUALTY_ID: casualty})) == {}
    assert victim_errors(family_member(), context()) == {}  # not resolved: the engine holds it


def test_references_must_be_uuids() -> None:
    assert victim_errors(victim(accident="42")) == {"accident": ["Must be a valid UUID."]}


@pytest.mark.parametrize(
    ("age", "message"),
    [
        (-1, "Ensure this value is greater than or equal to 0."),
        (111, "Ensure this value is less than or equal to 110."),
        (12.5, "A valid integer is required."),
        ("12", "A valid integer is required."),
    ],
)
def test_age_is_a_whole_number_of_years_up_to_110(age: Any, message: str) -> None:
    assert victim_errors(victim(age_years=age)) == {"age_years": [message]}


@pytest.mark.parametrize("age", [0, 110, None])
def test_age_limits_and_unknown_age_are_accepted(age: int | None) -> None:
    assert victim_errors(victim(age_years=age)) == {}


def test_age_estimated_is_a_boolean() -> None:
    assert victim_errors(victim(age_estimated="yes")) == {
        "age_estimated": ["Must be a valid boolean."]
    }


def test_injuries_come_from_the_list_without_repeats() -> None:
    assert victim_errors(victim(injuries=["burns", "hearing", "burns", "broken_heart"])) == {
        "injuries": ['"burns" is listed more than once.', '"broken_heart" is not a valid choice.']
    }
    assert victim_errors(victim(injuries="burns")) == {
        "injuries": ['Expected a list of items but got type "str".']
    }


def test_without_consent_the_personal_fields_must_be_empty() -> None:
    data = victim(consent="none", phone="020 5555 1234", date_of_birth="2014-05-01")

    assert victim_errors(data) == {
        "full_name": ["Must be empty without consent."],
        "date_of_birth": ["Must be empty without consent."],
        "phone": ["Must be empty without consent."],
        "guardian_name": ["Must be empty without consent."],
    }


def test_without_consent_a_victim_is_recorded_without_personal_fields() -> None:
    data = victim(consent="none", full_name="", guardian_name="")

    record, errors = victims.validate(data, context())

    assert errors == {}
    assert [record[f] for f in ("full_name", "date_of_birth", "phone", "guardian_name")] == [
        "",
        None,
        "",
        "",
    ]


def test_date_of_birth_cannot_be_in_the_future() -> None:
    assert victim_errors(victim(date_of_birth="2026-11-21")) == {
        "date_of_birth": ["The date of birth cannot be in the future."]
    }
    assert victim_errors(victim(date_of_birth="2026-11-20")) == {}


@pytest.mark.parametrize(
    ("field", "limit"), [("full_name", 200), ("phone", 32), ("guardian_name", 200)]
)
def test_over_long_personal_text_is_refused(field: str, limit: int) -> None:
    assert victim_errors(victim(**{field: "x" * limit})) == {}
    assert victim_errors(victim(**{field: "x" * (limit + 1)})) == {
        field: [f"Ensure this field has no more than {limit} characters."]
    }


def test_victim_validation_needs_no_query(db: None, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        victims.load_lookups([victim()], context())
        assert victim_errors(victim()) == {}


# -- assistance --------------------------------------------------------------------------------
def assistance_errors(data: dict[str, Any], ctx: WriteContext | None = None) -> dict:
    return assistance_adapter.validate(data, ctx or context())[1]


def test_valid_assistance_is_returned_canonical(reference: None) -> None:
    data = assistance(
        status="completed",
        started_on="2026-10-01",
        completed_on="2026-11-02",
        quantity=1,
        unit="leg",
        cost_lak="1500000",
    )

    record, errors = assistance_adapter.validate(data, context())

    assert errors == {}
    assert record == {
        "victim": CASUALTY_ID,
        "pillar": "physical_rehabilitation",
        "service_type": "prosthesis",
        "provider_organisation": "COPE",
        "status": "completed",
        "started_on": "2026-10-01",
        "completed_on": "2026-11-02",
        "quantity": "1.00",
        "unit": "leg",
        "cost_lak": "1500000.00",
        "notes": "",
        "documents": [],
    }
    assert list(record) == list(assistance_adapter.writable_fields)


@pytest.mark.parametrize("field", ["victim", "pillar", "provider_organisation", "status"])
def test_assistance_required_fields(reference: None, field: str) -> None:
    data = assistance()
    del data[field]
    if field == "pillar":
        del data["service_type"]

    assert assistance_errors(data) == {field: ["This field is required."]}


def test_service_type_must_belong_to_the_pillar(reference: None) -> None:
    assert assistance_errors(assistance(pillar="medical_care")) == {
        "service_type": [
            "Service type prosthesis belongs to pillar physical_rehabilitation, not medical_care."
        ]
    }


def test_service_type_is_optional(reference: None) -> None:
    assert assistance_errors(assistance(service_type=None)) == {}


def test_unknown_codes_are_refused(reference: None) -> None:
    assert assistance_errors(assistance(service_type="massage", provider_organisation="XYZ")) == {
        "service_type": ["Unknown service type code 'massage'."],
        "provider_organisation": ["Unknown organisation code 'XYZ'."],
    }


def test_completed_assistance_needs_its_completion_date(reference: None) -> None:
    assert assistance_errors(assistance(status="completed")) == {
        "completed_on": ["This field is required when the status is completed."]
    }


def test_completion_cannot_come_before_the_start(reference: None) -> None:
    data = assistance(started_on="2026-10-02", completed_on="2026-10-01")

    assert assistance_errors(data) == {
        "completed_on": ["The completion date cannot be before the start date."]
    }
    assert assistance_errors(assistance(started_on="2026-10-02", completed_on="2026-10-02")) == {}


@pytest.mark.parametrize("field", ["quantity", "cost_lak"])
def test_amounts_are_not_negative(reference: None, field: str) -> None:
    assert assistance_errors(assistance(**{field: -1})) == {
        field: ["Ensure this value is greater than or equal to 0."]
    }
    assert assistance_errors(assistance(**{field: "0.005"})) == {
        field: ["Ensure that there are no more than 2 decimal places."]
    }
    assert assistance_errors(assistance(**{field: "NaN"})) == {
        field: ["A valid number is required."]
    }


@pytest.mark.parametrize(("field", "limit"), [("unit", 32), ("notes", 2000)])
def test_over_long_assistance_text_is_refused(reference: None, field: str, limit: int) -> None:
    assert assistance_errors(assistance(**{field: "x" * limit})) == {}
    assert assistance_errors(assistance(**{field: "x" * (limit + 1)})) == {
        field: [f"Ensure this field has no more than {limit} characters."]
    }


def test_assistance_lookups_are_loaded_once(
    reference: None, django_assert_num_queries: Any
) -> None:
    ctx = context()
    records = [assistance(victim=str(uuid.uuid4())) for _ in range(20)]

    with django_assert_num_queries(2):
        assistance_adapter.load_lookups(records, ctx)
    with django_assert_num_queries(0):
        assert all(assistance_adapter.validate(r, ctx)[1] == {} for r in records)
