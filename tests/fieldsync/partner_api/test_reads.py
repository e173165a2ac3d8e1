"""Reading the partner API: filters (exact results), ordering, keyset pages, query counts."""

from __future__ import annotations

import base64
import datetime
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accidents.models import Accident, District, OrdnanceType, Province
from fieldsync.models import Organisation, Role
from tests.helpers.factories import AccidentFactory, AssistanceFactory, VictimFactory
from tests.helpers.partner_api import Api
from tests.helpers.sync import Tablet
from victims.choices import Relationship, VictimType
from victims.models import Assistance, ServiceType, Victim

pytestmark = pytest.mark.django_db


@pytest.fixture
def nra(make_tablet: Callable[..., Tablet]) -> Api:
    return Api(make_tablet("nra-harvester", Role.NRA_STAFF, "NRA", personal_data=True))


def _accident(**fields: Any) -> Accident:
    province = Province.objects.get(pk=fields.pop("province", "LA-XI"))
    defaults = {
        "province": province,
        "district": District.objects.get(pk=fields.pop("district", "0901")),
        "reporting_organisation": Organisation.objects.get(pk=fields.pop("organisation", "HALO")),
    }
    ordnance = fields.pop("ordnance_type", None)
    if ordnance:
        defaults["ordnance_type"] = OrdnanceType.objects.get(pk=ordnance)
    return AccidentFactory.create(**defaults, **fields)


def _at(day: int) -> datetime.datetime:
    return datetime.datetime(2026, 1, day, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def accidents(nra: Api) -> dict[str, Accident]:
    records = {
        "a1": _accident(
            occurred_on=datetime.date(2024, 1, 10),
            reported_on=datetime.date(2024, 1, 12),
            ordnance_type="BLU-26",
        ),
        "a2": _accident(
            occurred_on=datetime.date(2024, 6, 1),
            reported_on=datetime.date(2024, 6, 3),
            district="0902",
            device_category="large_bomb",
            ordnance_type="MK-82",
            activity="digging",
            status="verified",
            organisation="MAG",
        ),
        "a3": _accident(
            occurred_on=datetime.date(2025, 3, 14),
            reported_on=datetime.date(2025, 3, 20),
            province="LA-HO",
            district="0701",
            device_category="landmine",
            activity="playing",
            classification="demining",
            status="rejected",
        ),
        "gone": _accident(occurred_on=datetime.date(2025, 5, 5), is_deleted=True),
    }
    for day, record in enumerate(records.values(), start=1):
        Accident.objects.filter(pk=record.pk).update(updated_at=_at(day))
    return records


ACCIDENT_FILTERS = [
    ({}, ["a1", "a2", "a3"]),
    ({"include_deleted": "true"}, ["a1", "a2", "a3", "gone"]),
    ({"include_deleted": "false"}, ["a1", "a2", "a3"]),
    ({"occurred_on_after": "2024-06-01"}, ["a2", "a3"]),
    ({"occurred_on_before": "2024-06-01"}, ["a1", "a2"]),
    ({"occurred_on_after": "2024-01-11", "occurred_on_before": "2025-03-13"}, ["a2"]),
    ({"reported_on_after": "2024-06-03", "reported_on_before": "2024-06-03"}, ["a2"]),
    ({"province": "LA-XI"}, ["a1", "a2"]),
    ({"province": "LA-HO"}, ["a3"]),
    ({"province": "LA-VT"}, []),
    ({"district": "0902"}, ["a2"]),
    ({"device_category": "large_bomb"}, ["a2"]),
    ({"ordnance_type": "BLU-26"}, ["a1"]),
    ({"activity": "playing"}, ["a3"]),
    ({"classification": "demining"}, ["a3"]),
    ({"status": "verified"}, ["a2"]),
    ({"status": "reported"}, ["a1"]),
    ({"reporting_organisation": "HALO"}, ["a1", "a3"]),
    ({"updated_since": "2026-01-02T08:00:00Z"}, ["a2", "a3"]),
    ({"updated_since": "2026-01-02T15:00:00+07:00"}, ["a2", "a3"]),  # the same instant
    ({"updated_since": "2026-01-02T08:00:01Z"}, ["a3"]),
    ({"updated_since": "2026-01-02T08:00:01Z", "include_deleted": "true"}, ["a3", "gone"]),
    ({"updated_since": "2026-01-02T13:51:00-18:09"}, ["a3"]),  # an offset PostgreSQL refuses
    ({"province": "LA-XI", "activity": "farming", "status": "reported"}, ["a1"]),
]


@pytest.mark.parametrize(("params", "expected"), ACCIDENT_FILTERS)
def test_accident_filters_give_exactly_the_matching_records(
    nra: Api, accidents: dict[str, Accident], params: dict[str, str], expected: list[str]
) -> None:
    ids = nra.ids("accidents/", params)

    assert sorted(ids) == sorted(str(accidents[name].pk) for name in expected)


def test_tombstones_say_they_are_deleted(nra: Api, accidents: dict[str, Accident]) -> None:
    rows = nra.get("accidents/", {"include_deleted": "true"}).json()["results"]

    assert {row["id"]: row["deleted"] for row in rows} == {
        str(record.pk): name == "gone" for name, record in accidents.items()
    }
    detail = nra.get(f"accidents/{accidents['gone'].pk}/")
    assert detail.status_code == 410
    assert detail.json() == {"code": "deleted", "detail": "This record was deleted.", "version": 1}


@pytest.fixture
def victims(accidents: dict[str, Accident]) -> dict[str, Victim]:
    a1, a3 = accidents["a1"], accidents["a3"]
    records = {
        "boy": VictimFactory.create(accident=a1, sex="male", age_years=9),
        "woman": VictimFactory.create(accident=a3, sex="female", age_years=34, outcome="killed"),
        "unknown": VictimFactory.create(
            accident=a1, sex="unknown", age_years=None, outcome="unknown"
        ),
    }
    records["mother"] = VictimFactory.create(
        victim_type=VictimType.INDIRECT,
        accident=None,
        related_victim=records["boy"],
        relationship=Relationship.PARENT,
        outcome="",
        sex="female",
        age_years=40,
    )
    records["gone"] = VictimFactory.create(accident=a3, is_deleted=True)
    return records


VICTIM_FILTERS = [
    ({}, ["boy", "woman", "unknown", "mother"]),
    ({"victim_type": "indirect"}, ["mother"]),
    ({"outcome": "killed"}, ["woman"]),
    ({"sex": "female"}, ["woman", "mother"]),
    ({"age_group": "child"}, ["boy"]),
    ({"age_group": "adult"}, ["woman", "mother"]),
    ({"age_group": "unknown"}, ["unknown"]),
    ({"accident": "{a1}"}, ["boy", "unknown"]),
    ({"related_victim": "{boy}"}, ["mother"]),
    # a family member recorded without an accident belongs to their casualty's
    ({"province": "LA-XI"}, ["boy", "unknown", "mother"]),
    ({"district": "0701"}, ["woman"]),
    ({"reporting_organisation": "HALO"}, ["boy", "woman", "unknown", "mother"]),
    ({"reporting_organisation": "MAG"}, []),
    ({"occurred_on_after": "2025-01-01"}, ["woman"]),
    ({"occurred_on_before": "2024-12-31"}, ["boy", "unknown", "mother"]),
    ({"include_deleted": "true", "province": "LA-HO"}, ["woman", "gone"]),
]


@pytest.mark.parametrize(("params", "expected"), VICTIM_FILTERS)
def test_victim_filters_give_exactly_the_matching_records(
    nra: Api,
    accidents: dict[str, Accident],
    victims: dict[str, Victim],
    params: dict[str, str],
    expected: list[str],
) -> None:
    names = {"a1": accidents["a1"].pk, "boy": victims["boy"].pk}
    params = {key: value.format(**names) for key, value in params.items()}

    ids = nra.ids("victims/", params)

    assert sorted(ids) == sorted(str(victims[name].pk) for name in expected)


@pytest.fixture
def assistance(victims: dict[str, Victim]) -> dict[str, Assistance]:
    cope, hi = Organisation.objects.get(pk="COPE"), Organisation.objects.get(pk="HI")
    prosthesis = ServiceType.objects.get(pk="prosthesis")
    counselling = ServiceType.objects.get(pk="counselling")
    return {
        "leg": AssistanceFactory.create(
            victim=victims["boy"],
            provider_organisation=cope,
            pillar="physical_rehabilitation",
            service_type=prosthesis,
            status="completed",
            started_on=datetime.date(2024, 2, 1),
            completed_on=datetime.date(2024, 4, 30),
        ),
        "talk": AssistanceFactory.create(
            victim=victims["mother"],
            provider_organisation=hi,
            pillar="psychosocial",
            service_type=counselling,
            status="in_progress",
            started_on=datetime.date(2024, 5, 1),
        ),
        "needed": AssistanceFactory.create(
            victim=victims["woman"],
            provider_organisation=cope,
            pillar="economic_inclusion",
            service_type=None,
            status="needed",
        ),
        "gone": AssistanceFactory.create(
            victim=victims["boy"],
            provider_organisation=cope,
            pillar="medical_care",
            service_type=None,
            is_deleted=True,
        ),
    }


ASSISTANCE_FILTERS = [
    ({}, ["leg", "talk", "needed"]),
    ({"victim": "{boy}"}, ["leg"]),
    ({"victim": "{boy}", "include_deleted": "true"}, ["leg", "gone"]),
    ({"pillar": "psychosocial"}, ["talk"]),
    ({"service_type": "prosthesis"}, ["leg"]),
    ({"status": "needed"}, ["needed"]),
    ({"provider_organisation": "COPE"}, ["leg", "needed"]),
    ({"started_on_after": "2024-03-01"}, ["talk"]),
    ({"started_on_before": "2024-03-01"}, ["leg"]),
    ({"completed_on_after": "2024-04-30", "completed_on_before": "2024-04-30"}, ["leg"]),
]


@pytest.mark.parametrize(("params", "expected"), ASSISTANCE_FILTERS)
def test_assistance_filters_give_exactly_the_matching_records(
    nra: Api,
    victims: dict[str, Victim],
    assistance: dict[str, Assistance],
    params: dict[str, str],
    expected: list[str],
) -> None:
    params = {key: value.format(boy=victims["boy"].pk) for key, value in params.items()}

    ids = nra.ids("assistance/", params)

    assert sorted(ids) == sorted(str(assistance[name].pk) for name in expected)


REFERENCE_FILTERS = [
    ("districts/", {"province": "LA-XI"}, lambda: District.objects.filter(province="LA-XI")),
    (
        "ordnance-types/",
        {"device_category": "large_bomb"},
        lambda: OrdnanceType.objects.filter(device_category="large_bomb"),
    ),
    (
        "service-types/",
        {"pillar": "education"},
        lambda: ServiceType.objects.filter(pillar="education"),
    ),
    (
        "organisations/",
        {"kind": "government"},
        lambda: Organisation.objects.filter(kind="government"),
    ),
]


@pytest.mark.parametrize(("path", "params", "expected"), REFERENCE_FILTERS)
def test_reference_filters_give_exactly_the_matching_rows(
    nra: Api, path: str, params: dict[str, str], expected: Callable[[], Any]
) -> None:
    codes = nra.ids(path, params)

    assert codes == sorted(expected().values_list("pk", flat=True))
    assert 0 < len(codes) < len(nra.ids(path))


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("accidents/", {"occurred_on_after": "2024-13-01"}, "occurred_on"),
        ("accidents/", {"status": "lost"}, "status"),
        ("accidents/", {"updated_since": "yesterday"}, "updated_since"),
        ("accidents/", {"updated_since": "0001-01-01T00:00:00+05:00"}, "updated_since"),
        ("victims/", {"accident": "not-a-uuid"}, "accident"),
        ("assistance/", {"pillar": "magic"}, "pillar"),
        ("accidents/", {"province": "LA\x00XI"}, "province"),
        ("accidents/", {"page_size": "0"}, "page_size"),
        ("accidents/", {"page_size": "1001"}, "page_size"),
        ("accidents/", {"page_size": "ten"}, "page_size"),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_the_parameter(
    nra: Api, path: str, params: dict[str, str], field: str
) -> None:
    response = nra.get(path, params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [field]


# -- ordering and pages -------------------------------------------------------------------------
def test_lists_are_ordered_by_last_change_by_default(
    nra: Api, accidents: dict[str, Accident]
) -> None:
    Accident.objects.filter(pk=accidents["a1"].pk).update(updated_at=_at(9))

    assert nra.ids("accidents/") == [str(accidents[n].pk) for n in ("a2", "a3", "a1")]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("occurred_on", ["a1", "a2", "a3"]),
        ("-occurred_on", ["a3", "a2", "a1"]),
        ("reference", None),
        ("-updated_at", ["a3", "a2", "a1"]),
        ("full_name", ["a1", "a2", "a3"]),  # not a sort key: the default order
    ],
)
def test_ordering_by_a_whitelisted_field(
    nra: Api, accidents: dict[str, Accident], ordering: str, expected: list[str] | None
) -> None:
    ids = nra.ids("accidents/", {"ordering": ordering})

    if expected is None:
        by_reference = sorted(("a1", "a2", "a3"), key=lambda n: accidents[n].reference)
        expected = by_reference
    assert ids == [str(accidents[n].pk) for n in expected]


def _walk(api: Api, path: str, params: dict[str, Any], between: Callable[[int], None]) -> list:
    seen: list[str] = []
    response = api.get(path, params)
    pages = 0
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        seen.extend(row["id"] for row in body["results"])
        pages += 1
        between(pages)
        if body["next"] is None:
            return seen
        assert body["next"].startswith("http://testserver/api/v1/")
        response = api.client.get(body["next"], **api.headers(None))


def test_pages_with_equal_sort_keys_split_by_id_without_gaps_or_repeats(nra: Api) -> None:
    records = [_accident() for _ in range(10)]
    Accident.objects.update(updated_at=_at(3))  # a tablet batch: one timestamp for all

    seen = _walk(nra, "accidents/", {"page_size": 3}, lambda page: None)

    assert seen == sorted(str(r.pk) for r in records)  # in id order, each once


def test_pages_stay_stable_while_records_change_during_the_walk(nra: Api) -> None:
    records = [_accident() for _ in range(9)]
    for day, record in enumerate(records, start=1):
        Accident.objects.filter(pk=record.pk).update(updated_at=_at(day))
    ids = [str(r.pk) for r in records]
    added = []

    def meanwhile(page: int) -> None:
        if page == 1:
            Accident.objects.filter(pk=records[0].pk).delete()  # already sent
            Accident.objects.filter(pk=records[4].pk).update(is_deleted=True)  # not yet sent
            Accident.objects.filter(pk=records[1].pk).update(updated_at=timezone.now())
            added.append(str(_accident().pk))

    seen = _walk(nra, "accidents/", {"page_size": 3}, meanwhile)

    # nothing skipped, nothing repeated; a record edited meanwhile is sent again at its change
    assert seen == [*ids[:3], ids[3], *ids[5:], ids[1], *added]


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b'{"o": ["updated_at", "pk"], "k": ["yesterday", "x"]}').decode(),
        base64.urlsafe_b64encode(
            b'{"o": ["-occurred_on", "-pk"], "k": ["2024-01-01", "x"]}'
        ).decode(),
        base64.urlsafe_b64encode(json.dumps([1, 2]).encode()).decode(),
        *(
            base64.urlsafe_b64encode(
                json.dumps({"o": ["updated_at", "pk"], "k": [moment, str(uuid.uuid4())]}).encode()
            ).decode()
            for moment in ("2026-01-01T00:00:00", "0001-01-01T00:00:00+05:00")
        ),
    ],
)
def test_a_malformed_or_foreign_cursor_is_a_400(
    nra: Api, accidents: dict[str, Accident], cursor: str
) -> None:
    response = nra.get("accidents/", {"cursor": cursor})

    assert response.status_code == 400
    assert response.json() == {"code": "invalid_cursor", "detail": "The cursor is malformed."}


def test_a_cursor_keeps_working_on_the_next_page_with_its_own_ordering(
    nra: Api, accidents: dict[str, Accident]
) -> None:
    first = nra.get("accidents/", {"ordering": "-occurred_on", "page_size": 1}).json()
    second = nra.client.get(first["next"], **nra.headers(None)).json()

    assert [first["results"][0]["id"], second["results"][0]["id"]] == [
        str(accidents["a3"].pk),
        str(accidents["a2"].pk),
    ]


def test_reference_lists_page_by_code(nra: Api) -> None:
    first = nra.get("districts/", {"page_size": 100}).json()
    rest = nra.client.get(first["next"], **nra.headers(None)).json()

    codes = [row["code"] for row in first["results"] + rest["results"]]
    assert codes == sorted(District.objects.values_list("pk", flat=True))
    assert rest["next"] is None


# -- query counts -------------------------------------------------------------------------------
def _world_of(size: int) -> None:
    halo = Organisation.objects.get(pk="HALO")
    cope = Organisation.objects.get(pk="COPE")
    for _ in range(size):
        accident = _accident()
        casualty = VictimFactory(accident=accident)
        family = VictimFactory(
            victim_type=VictimType.INDIRECT,
            accident=None,
            related_victim=casualty,
            relationship=Relationship.SIBLING,
            outcome="",
        )
        AssistanceFactory(victim=family, provider_organisation=cope, service_type=None)
        AssistanceFactory(victim=casualty, provider_organisation=halo, service_type=None)


def _queries(api: Api, path: str) -> tuple[int, int]:
    api.get(path)  # the token's last-seen time is refreshed once a minute: not in the count
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path, {"page_size": 1000})
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("path", ["accidents/", "victims/", "assistance/"])
@pytest.mark.parametrize(
    ("username", "role", "organisation", "personal"),
    [
        ("surveyor", Role.SURVEYOR, "HALO", False),
        ("partner", Role.PARTNER, "COPE", False),
        ("nra", Role.NRA_STAFF, "NRA", True),
    ],
)
def test_a_list_costs_the_same_queries_for_5_and_50_records(
    make_tablet: Callable[..., Tablet],
    path: str,
    username: str,
    role: str,
    organisation: str,
    personal: bool,
) -> None:
    api = Api(make_tablet(username, role, organisation, personal_data=personal))
    _world_of(5)
    few, few_rows = _queries(api, path)
    _world_of(45)
    many, many_rows = _queries(api, path)

    assert many == few
    assert many_rows == 10 * few_rows
    assert few <= 8
