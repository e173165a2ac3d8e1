"""The victim and assistance adapters beyond validation: round trip, privacy, scope, locks."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest

from accidents.models import Accident
from fieldsync.registry import Viewer, WriteContext, registry
from tests.helpers.factories import (
    AccidentFactory,
    AssistanceFactory,
    VictimFactory,
    laos_reference_data,
)
from tests.helpers.records import assistance, family_member, victim
from victims.models import Assistance, Victim

TODAY = datetime.date(2026, 11, 20)
victims = registry["victim"]
assistance_adapter = registry["assistance"]
PERSONAL = ("full_name", "date_of_birth", "phone", "guardian_name")


def viewer(role: str, organisation: str, personal: bool = False) -> Viewer:
    return Viewer(
        user=None,
        role=role,
        organisation=organisation,
        is_nra=role == "nra_staff",
        sees_personal_data=personal,
    )


@pytest.fixture
def reference(db: None) -> None:
    laos_reference_data()


def context() -> WriteContext:
    return WriteContext(device=None, user=None, today=TODAY)


def halo_accident(**fields: Any) -> Accident:
    fields.setdefault("reporting_organisation_id", "HALO")
    return AccidentFactory.create(
        province=None,
        district=None,
        reporting_organisation=None,
        province_id="LA-XI",
        district_id="0901",
        **fields,
    )


def casualty(accident: Accident | None = None, **fields: Any) -> Victim:
    return VictimFactory.create(accident=accident or halo_accident(), **fields)


def relative(of: Victim, **fields: Any) -> Victim:
    fields.setdefault("accident", None)
    return VictimFactory.create(
        victim_type="indirect", related_victim=of, relationship="parent", outcome="", **fields
    )


def care(of: Victim, provider: str = "COPE", **fields: Any) -> Assistance:
    return AssistanceFactory.create(
        victim=of,
        service_type=None,
        provider_organisation=None,
        provider_organisation_id=provider,
        **fields,
    )


# -- wire round trip ---------------------------------------------------------------------------
@pytest.mark.parametrize("age", [12, 18, None])
def test_victim_survives_build_and_the_database_unchanged(reference: None, age: int | None) -> None:
    accident = halo_accident()
    data = victim(
        accident=str(accident.pk),
        age_years=age,
        date_of_birth="2014-05-01",
        injuries=["psychological", "burns", "amputation_arm_left"],
    )
    record, errors = victims.validate(data, context())
    assert errors == {}

    instance = victims.build(str(uuid.uuid4()), record, context())
    built = victims.to_wire(instance)
    Victim.objects.bulk_create([instance])
    stored = Victim.objects.get(pk=instance.pk)

    server = {"age_group": stored.age_group, "merged_into": None}
    assert built == victims.to_wire(stored) == {**record, **server}
    assert built["age_group"] == {12: "child", 18: "adult", None: "unknown"}[age]
    assert victims.validate(built, context()) == (record, {})


def test_assistance_survives_build_and_the_database_unchanged(reference: None) -> None:
    person = casualty()
    data = assistance(
        victim=str(person.pk),
        status="completed",
        started_on="2026-01-05",
        completed_on="2026-02-01",
        quantity=2.5,
        unit="sessions",
        cost_lak=1500000,
    )
    record, errors = assistance_adapter.validate(data, context())
    assert errors == {}

    instance = assistance_adapter.build(str(uuid.uuid4()), record, context())
    built = assistance_adapter.to_wire(instance)
    Assistance.objects.bulk_create([instance])
    stored = assistance_adapter.to_wire(Assistance.objects.get(pk=instance.pk))

    assert built == stored == record
    assert (stored["quantity"], stored["cost_lak"]) == ("2.50", "1500000.00")


def test_assign_reports_only_changed_fields(reference: None) -> None:
    instance = relative(casualty())
    record = {k: v for k, v in victims.to_wire(instance).items() if k in victims.writable_fields}

    changed = victims.assign(instance, {**record, "relationship": "sibling", "injuries": []})

    assert changed == ["relationship"]
    assert victims.assign(instance, {**record, "relationship": "sibling"}) == []


def test_family_member_validates_against_the_record_the_engine_resolved(reference: None) -> None:
    person = casualty()
    ctx = WriteContext(
        device=None, user=None, today=TODAY, parents={"victim": {str(person.pk): person}}
    )

    _, errors = victims.validate(family_member(related_victim=str(person.pk)), ctx)

    assert errors == {}


# -- privacy -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reader", "sees_personal_data"),
    [
        (viewer("surveyor", "HALO"), True),  # the reporting organisation's surveyors
        (viewer("nra_staff", "NRA", personal=True), True),
        (viewer("nra_staff", "NRA"), False),  # NRA staff without the permission
        (viewer("partner", "HALO"), False),  # a partner system, even of the organisation
        (viewer("surveyor", "COPE"), False),  # the provider of its assistance
        (viewer("surveyor", "MAG"), False),
    ],
)
def test_personal_fields_reach_only_those_allowed(
    reference: None, reader: Viewer, sees_personal_data: bool
) -> None:
    person = casualty(date_of_birth=datetime.date(2014, 5, 1), phone="020 5555 1234")
    family = relative(person, full_name="Bounmy K.", guardian_name="")
    care(person, "COPE")
    instances = list(
        victims.queryset().filter(pk__in=[person.pk, family.pk]).order_by("victim_type")
    )

    presented = victims.present(instances, reader)

    personal = [tuple(p[f] for f in PERSONAL) for p in presented]
    if sees_personal_data:
        assert personal == [
            ("Somphone Vongsa", "2014-05-01", "020 5555 1234", "Bounmy Vongsa"),
            ("Bounmy K.", "2013-02-01", "+856 20 5555 1234", ""),
        ]
    else:
        assert personal == [(None, None, None, None), (None, None, None, None)]
    assert [p["sex"] for p in presented] == ["male", "male"]


@pytest.mark.parametrize("count", [2, 20])
def test_present_queries_do_not_grow_with_the_number(
    reference: None, django_assert_num_queries: Any, count: int
) -> None:
    people = [casualty() for _ in range(count // 2)]
    people += [relative(p) for p in people]
    ids = [p.pk for p in people]
    loaded = list(victims.queryset().filter(pk__in=ids))
    plain = list(Victim.objects.filter(pk__in=ids))
    surveyor = viewer("surveyor", "HALO")

    with django_assert_num_queries(0):
        victims.present(loaded, surveyor)
    with django_assert_num_queries(2):  # their accidents, their casualties' accidents
        presented = victims.present(plain, surveyor)
    with django_assert_num_queries(0):
        victims.present(plain, viewer("partner", "COPE"))

    assert all(p["full_name"] == "Somphone Vongsa" for p in presented)


# -- scope -------------------------------------------------------------------------------------
def test_victim_audience_is_the_owner_and_the_providers_assisting(reference: None) -> None:
    person = casualty()
    family = relative(person)
    care(person, "COPE")
    care(person, "HI")
    care(person, "MAG", is_deleted=True)
    care(family, "COPE")
    orphan = Victim(pk=uuid.uuid4(), victim_type="indirect")  # unsaved, no relation yet

    audience = victims.audience([person, family, orphan])

    assert audience == {
        str(person.pk): frozenset({"HALO", "COPE", "HI"}),
        str(family.pk): frozenset({"HALO", "COPE"}),
        str(orphan.pk): frozenset(),
    }


def test_family_member_with_its_own_accident_belongs_to_that_accident(reference: None) -> None:
    family = relative(casualty(), accident=halo_accident(reporting_organisation_id="MAG"))

    assert victims.audience([family]) == {str(family.pk): frozenset({"MAG"})}


def test_assistance_audience_is_the_victims_owner_and_the_provider(reference: None) -> None:
    person = casualty()
    direct_care = care(person, "COPE")
    family_care = care(relative(person), "HI")

    assert assistance_adapter.audience([direct_care, family_care]) == {
        str(direct_care.pk): frozenset({"HALO", "COPE"}),
        str(family_care.pk): frozenset({"HALO", "HI"}),
    }


@pytest.mark.parametrize("count", [2, 20])
def test_audience_queries_do_not_grow_with_the_number(
    reference: None, django_assert_num_queries: Any, count: int
) -> None:
    people = [casualty() for _ in range(count // 2)]
    people += [relative(p) for p in people]
    records = [care(p) for p in people]
    victim_ids = [p.pk for p in people]
    assistance_ids = [r.pk for r in records]
    loaded_victims = list(victims.queryset().filter(pk__in=victim_ids))
    plain_victims = list(Victim.objects.filter(pk__in=victim_ids))
    loaded_assistance = list(assistance_adapter.queryset().filter(pk__in=assistance_ids))
    plain_assistance = list(Assistance.objects.filter(pk__in=assistance_ids))

    with django_assert_num_queries(1):  # the providers
        victims.audience(loaded_victims)
    with django_assert_num_queries(3):
        victims.audience(plain_victims)
    with django_assert_num_queries(0):
        assistance_adapter.audience(loaded_assistance)
    with django_assert_num_queries(1):
        audience = assistance_adapter.audience(plain_assistance)

    assert set(audience.values()) == {frozenset({"HALO", "COPE"})}


def test_victim_dependents(reference: None, django_assert_num_queries: Any) -> None:
    accident = halo_accident()
    person = casualty(accident)
    family = relative(person)
    person_care = care(person)
    family_care = care(family)
    other = casualty()
    care(other)

    with django_assert_num_queries(2):
        dependents = victims.dependents([person])

    assert dependents == {
        "accident": ({str(accident.pk)}, True),  # its killed and injured counts changed
        "victim": ({str(family.pk)}, False),
        "assistance": ({str(person_care.pk), str(family_care.pk)}, False),
    }


@pytest.mark.parametrize("count", [2, 20])
def test_victim_dependents_queries_do_not_grow(
    reference: None, django_assert_num_queries: Any, count: int
) -> None:
    people = [casualty() for _ in range(count)]

    with django_assert_num_queries(2):
        dependents = victims.dependents(people)

    assert len(dependents["accident"][0]) == count


def test_assistance_dependents_are_its_victims_without_a_query(
    reference: None, django_assert_num_queries: Any
) -> None:
    person = casualty()
    records = [care(person), care(person, "HI")]

    with django_assert_num_queries(0):
        dependents = assistance_adapter.dependents(records)

    assert dependents == {"victim": ({str(person.pk)}, False)}


# -- locks -------------------------------------------------------------------------------------
def test_victims_of_a_verified_accident_are_locked(
    reference: None, django_assert_num_queries: Any
) -> None:
    verified = casualty(halo_accident(status="verified"))
    verified_family = relative(verified)
    reported = casualty(halo_accident(status="reported"))
    ids = [verified.pk, verified_family.pk, reported.pk]
    loaded = {v.pk: v for v in victims.queryset().filter(pk__in=ids)}

    with django_assert_num_queries(0):
        locks = [victims.is_locked(loaded[pk]) for pk in ids]

    assert locks == [True, True, False]


def test_assistance_is_never_locked(reference: None) -> None:
    assert assistance_adapter.is_locked(care(casualty(halo_accident(status="verified")))) is False
