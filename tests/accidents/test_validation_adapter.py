"""The accident adapter beyond validation: wire round trip, presentation, scope, numbering."""

from __future__ import annotations

import datetime
import threading
import uuid
from typing import Any

import pytest
from django.db import connection, transaction

from accidents.models import Accident, Province, ReferenceCounter
from accidents.sync import reference_numbers_reserve
from fieldsync.models import Organisation, User
from fieldsync.registry import Viewer, WriteContext, registry
from tests.helpers.factories import (
    AccidentFactory,
    AssistanceFactory,
    UserFactory,
    VictimFactory,
    laos_reference_data,
)
from tests.helpers.records import accident

TODAY = datetime.date(2026, 11, 20)
adapter = registry["accident"]
NRA_VIEWER = Viewer(
    user=None, role="nra_staff", organisation="NRA", is_nra=True, sees_personal_data=True
)


@pytest.fixture
def reference(db: None) -> None:
    laos_reference_data()


@pytest.fixture
def surveyor(reference: None) -> User:
    return UserFactory.create(
        username="surveyor-halo", organisation=Organisation.objects.get(pk="HALO")
    )


def context(user: User | None = None, today: datetime.date = TODAY) -> WriteContext:
    return WriteContext(device=None, user=user, today=today)


def stored_accident(**fields: Any) -> Accident:
    """An accident in Xiengkhouang reported by HALO."""
    fields.setdefault("province_id", "LA-XI")
    fields.setdefault("district_id", "0901")
    fields.setdefault("reporting_organisation_id", "HALO")
    return AccidentFactory.create(
        province=None, district=None, reporting_organisation=None, **fields
    )


def create(data: dict[str, Any], ctx: WriteContext) -> Accident:
    """What the engine does with a new record: validate, build, number, insert."""
    record, errors = adapter.validate(data, ctx)
    assert errors == {}
    instance = adapter.build(str(uuid.uuid4()), record, ctx)
    adapter.before_insert([instance], ctx)
    Accident.objects.bulk_create([instance])
    return instance


# -- wire round trip ---------------------------------------------------------------------------
def test_validated_record_survives_build_and_the_database_unchanged(surveyor: User) -> None:
    ctx = context(surveyor)
    data = accident(
        latitude=19.4512345678,
        longitude="103.2",
        location_accuracy_m=4.837,
        description="ລະເບີດບົມບີ",
        time_of_day="morning",
    )
    record, errors = adapter.validate(data, ctx)
    assert errors == {}

    instance = adapter.build(str(uuid.uuid4()), record, ctx)
    built = adapter.to_wire(instance)
    adapter.before_insert([instance], ctx)
    Accident.objects.bulk_create([instance])
    stored = adapter.to_wire(Accident.objects.get(pk=instance.pk))

    server = {"status": "reported", "merged_into": None}
    assert built == {**record, "reference": "", **server}
    assert stored == {**record, "reference": "LA-XI-2026-0001", **server}
    assert stored["latitude"] == 19.451235
    assert adapter.validate(stored, ctx) == (record, {})


def test_assign_reports_only_the_fields_that_changed(surveyor: User) -> None:
    ctx = context(surveyor)
    instance = create(accident(), ctx)
    record = {k: v for k, v in adapter.to_wire(instance).items() if k in adapter.writable_fields}

    changed = adapter.assign(instance, {**record, "village": "Ban Khang", "latitude": 19.5})

    assert changed == ["village", "latitude"]
    assert (instance.village, str(instance.latitude)) == ("Ban Khang", "19.500000")
    assert adapter.assign(instance, {**record, "village": "Ban Khang", "latitude": 19.5}) == []


def test_build_starts_as_reported_without_reference(surveyor: User) -> None:
    record, _ = adapter.validate(accident(), context(surveyor))

    instance = adapter.build(str(uuid.uuid4()), record, context(surveyor))

    assert (instance.status, instance.reference, instance.province_id) == ("reported", "", "LA-XI")


def test_to_wire_makes_no_query(reference: None, django_assert_num_queries: Any) -> None:
    instances = [stored_accident() for _ in range(3)]
    fetched = list(Accident.objects.filter(pk__in=[a.pk for a in instances]))

    with django_assert_num_queries(0):
        wires = [adapter.to_wire(a) for a in fetched]

    assert {w["province"] for w in wires} == {"LA-XI"}
    assert "killed" not in wires[0]


# -- presentation ------------------------------------------------------------------------------
def test_present_counts_killed_and_injured_direct_victims(reference: None) -> None:
    counted = stored_accident()
    VictimFactory.create_batch(2, accident=counted, outcome="killed")
    casualty = VictimFactory.create(accident=counted, outcome="injured")
    VictimFactory.create(accident=counted, outcome="unknown")
    VictimFactory.create(accident=counted, outcome="killed", is_deleted=True)
    VictimFactory.create(
        victim_type="indirect",
        accident=counted,
        related_victim=casualty,
        relationship="parent",
        outcome="",
    )
    quiet = stored_accident()

    presented = adapter.present([counted, quiet], NRA_VIEWER)

    assert [(p["killed"], p["injured"]) for p in presented] == [(2, 1), (0, 0)]
    assert presented[0]["reference"] == counted.reference


@pytest.mark.parametrize("count", [2, 20])
def test_present_is_one_query_whatever_the_number(
    reference: None, django_assert_num_queries: Any, count: int
) -> None:
    accidents = [stored_accident() for _ in range(count)]
    for a in accidents:
        VictimFactory.create(accident=a, outcome="killed")

    with django_assert_num_queries(1):
        presented = adapter.present(accidents, NRA_VIEWER)

    assert {p["killed"] for p in presented} == {1}


# -- scope -------------------------------------------------------------------------------------
def test_audience_is_the_reporting_organisation(
    reference: None, django_assert_num_queries: Any
) -> None:
    halo = stored_accident()
    mag = stored_accident(reporting_organisation_id="MAG")

    with django_assert_num_queries(0):
        audience = adapter.audience([halo, mag])

    assert audience == {str(halo.pk): frozenset({"HALO"}), str(mag.pk): frozenset({"MAG"})}


def test_dependents_are_its_victims_their_families_and_their_assistance(reference: None) -> None:
    a = stored_accident()
    casualty = VictimFactory.create(accident=a)
    family = VictimFactory.create(
        victim_type="indirect",
        accident=None,
        related_victim=casualty,
        relationship="parent",
        outcome="",
    )
    care = AssistanceFactory.create(victim=casualty, provider_organisation_id="COPE")
    family_care = AssistanceFactory.create(victim=family, provider_organisation_id="COPE")
    other = VictimFactory.create(accident=stored_accident())
    AssistanceFactory.create(victim=other, provider_organisation_id="COPE")

    dependents = adapter.dependents([a])

    assert dependents == {
        "victim": ({str(casualty.pk), str(family.pk)}, False),
        "assistance": ({str(care.pk), str(family_care.pk)}, False),
    }


@pytest.mark.parametrize("count", [2, 20])
def test_dependents_take_two_queries_whatever_the_number(
    reference: None, django_assert_num_queries: Any, count: int
) -> None:
    accidents = [stored_accident() for _ in range(count)]
    for a in accidents:
        AssistanceFactory.create(
            victim=VictimFactory.create(accident=a), provider_organisation_id="COPE"
        )

    with django_assert_num_queries(2):
        dependents = adapter.dependents(accidents)

    assert len(dependents["victim"][0]) == len(dependents["assistance"][0]) == count


def test_only_a_verified_accident_is_locked(reference: None) -> None:
    assert adapter.is_locked(stored_accident(status="verified")) is True
    assert adapter.is_locked(stored_accident(status="reported")) is False
    assert adapter.is_locked(stored_accident(status="rejected")) is False


# -- lookups -----------------------------------------------------------------------------------
def test_lookups_are_loaded_once_per_context(
    surveyor: User, django_assert_num_queries: Any
) -> None:
    ctx = context(surveyor)
    records = [accident() for _ in range(20)]

    with django_assert_num_queries(4):
        adapter.load_lookups(records, ctx)
    with django_assert_num_queries(0):
        adapter.load_lookups(records, ctx)
        results = [adapter.validate(r, ctx) for r in records]

    assert all(errors == {} for _, errors in results)
    assert ctx.lookups["district_province"]["0901"] == "LA-XI"


# -- reference numbers -------------------------------------------------------------------------
def test_new_accidents_are_numbered_per_province_and_year(
    surveyor: User, django_assert_num_queries: Any
) -> None:
    ctx = context(surveyor)
    records = [
        adapter.validate(accident(**fields), ctx)[0]
        for fields in (
            {},
            {"province": "LA-HO", "district": "0701"},
            {},
            {"province": "LA-HO", "district": "0701"},
        )
    ]
    first_batch = [adapter.build(str(uuid.uuid4()), r, ctx) for r in records]

    with django_assert_num_queries(2):  # one per province
        adapter.before_insert(first_batch, ctx)
    second_batch = [adapter.build(str(uuid.uuid4()), records[0], ctx)]
    adapter.before_insert(second_batch, ctx)

    assert [a.reference for a in first_batch + second_batch] == [
        "LA-XI-2026-0001",
        "LA-HO-2026-0001",
        "LA-XI-2026-0002",
        "LA-HO-2026-0002",
        "LA-XI-2026-0003",
    ]
    assert sorted(ReferenceCounter.objects.values_list("province_id", "year", "last_number")) == [
        ("LA-HO", 2026, 2),
        ("LA-XI", 2026, 3),
    ]


def test_numbering_starts_again_in_the_year_of_receipt(surveyor: User) -> None:
    record, _ = adapter.validate(accident(occurred_on="2026-12-30"), context(surveyor))
    late = adapter.build(str(uuid.uuid4()), record, context(surveyor))
    adapter.before_insert([late], context(surveyor))
    next_year = context(surveyor, today=datetime.date(2027, 1, 2))

    received_in_january = adapter.build(str(uuid.uuid4()), record, next_year)
    adapter.before_insert([received_in_january], next_year)

    assert (late.reference, received_in_january.reference) == ("LA-XI-2026-0001", "LA-XI-2027-0001")


def test_an_accident_keeps_the_reference_it_has(
    surveyor: User, django_assert_num_queries: Any
) -> None:
    record, _ = adapter.validate(accident(), context(surveyor))
    instance = adapter.build(str(uuid.uuid4()), record, context(surveyor))
    instance.reference = "LA-XI-2025-0042"

    with django_assert_num_queries(0):
        adapter.before_insert([instance], context(surveyor))

    assert instance.reference == "LA-XI-2025-0042"
    assert not ReferenceCounter.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_never_share_a_number() -> None:
    Province.objects.create(code="LA-XI", lsb_code="09", name_en="Xiengkhouang")
    start = threading.Barrier(4)
    reserved: list[tuple[int, int]] = []

    def reserve() -> None:
        try:
            start.wait()
            for _ in range(5):
                with transaction.atomic():
                    last = reference_numbers_reserve(province="LA-XI", year=2026, count=3)
                    reserved.append((last - 2, last))
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    numbers = sorted(n for low, high in reserved for n in range(low, high + 1))
    assert numbers == list(range(1, 61))
