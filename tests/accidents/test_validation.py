"""Every rule of the data dictionary's accident table, through the accident adapter."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from fieldsync.models import Organisation, User
from fieldsync.registry import Viewer, WriteContext, registry
from fieldsync.write_rules import write_refusal
from tests.helpers.factories import UserFactory, laos_reference_data
from tests.helpers.records import accident

TODAY = datetime.date(2026, 11, 20)
adapter = registry["accident"]
OUTSIDE_LATITUDE = "Coordinates must lie inside Lao PDR (latitude 13.9–22.5)."  # noqa: RUF001
OUTSIDE_LONGITUDE = "Coordinates must lie inside Lao PDR (longitude 100.0–107.7)."  # noqa: RUF001


@pytest.fixture
def reference(db: None) -> None:
    laos_reference_data()


@pytest.fixture
def surveyor(reference: None) -> User:
    return UserFactory.create(
        username="surveyor-halo", organisation=Organisation.objects.get(pk="HALO")
    )


@pytest.fixture
def nra(reference: None) -> User:
    return UserFactory.create(username="nra-staff", nra=True)


def context(user: User | None) -> WriteContext:
    return WriteContext(device=None, user=user, today=TODAY)


def errors_of(data: dict[str, Any], user: User | None) -> dict[str, list[str]]:
    return adapter.validate(data, context(user))[1]


def test_valid_accident_is_returned_canonical_with_defaults(surveyor: User) -> None:
    record, errors = adapter.validate(accident(latitude="19.4500004"), context(surveyor))

    assert errors == {}
    assert record == {
        "occurred_on": "2026-11-18",
        "date_precision": "day",
        "time_of_day": "unknown",
        "province": "LA-XI",
        "district": "0901",
        "village": "Ban Nameuang",
        "latitude": 19.45,
        "longitude": 103.2,
        "location_accuracy_m": None,
        "classification": "civilian",
        "device_category": "cluster_submunition",
        "ordnance_type": "BLU-26",
        "activity": "farming",
        "ordnance_moved_before": "unknown",
        "prior_risk_education": "unknown",
        "description": "",
        "reporting_organisation": "HALO",
        "reported_on": "2026-11-20",
        "photos": [],
    }
    assert list(record) == list(adapter.writable_fields)


def test_defaults_are_the_data_dictionary_ones(surveyor: User) -> None:
    defaults = adapter.defaults(context(surveyor))

    assert defaults["date_precision"] == "day"
    assert defaults["time_of_day"] == "unknown"
    assert defaults["ordnance_moved_before"] == "unknown"
    assert defaults["prior_risk_education"] == "unknown"
    assert defaults["reporting_organisation"] == "HALO"
    assert defaults["reported_on"] == "2026-11-20"


@pytest.mark.parametrize(
    "field",
    ["occurred_on", "province", "district", "classification", "device_category", "activity"],
)
def test_required_fields(surveyor: User, field: str) -> None:
    data = accident()
    del data[field]

    assert errors_of(data, surveyor) == {field: ["This field is required."]}


def test_null_text_is_refused(surveyor: User) -> None:
    assert errors_of(accident(village=None), surveyor) == {
        "village": ["This field may not be null."]
    }


def test_unknown_vocabulary_codes_are_refused(surveyor: User) -> None:
    data = accident(time_of_day="dawn", activity="swimming", date_precision="")

    assert errors_of(data, surveyor) == {
        "time_of_day": ['"dawn" is not a valid choice.'],
        "activity": ['"swimming" is not a valid choice.'],
        "date_precision": ['"" is not a valid choice.'],
    }


def test_date_in_another_format_is_refused(surveyor: User) -> None:
    assert errors_of(accident(occurred_on="18/11/2026"), surveyor) == {
        "occurred_on": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
    }


def test_accident_date_in_the_future_is_refused(surveyor: User) -> None:
    assert errors_of(accident(occurred_on="2026-11-21"), surveyor) == {
        "occurred_on": ["The accident date cannot be in the future."]
    }
    assert errors_of(accident(occurred_on="2026-11-20"), surveyor) == {}


def test_accident_date_before_1964_is_refused(surveyor: User) -> None:
    assert errors_of(accident(occurred_on="1963-12-31"), surveyor) == {
        "occurred_on": ["The accident date cannot be before 1 January 1964."]
    }
    assert errors_of(accident(occurred_on="1964-01-01"), surveyor) == {}


def test_district_must_lie_in_the_province(surveyor: User) -> None:
    assert errors_of(accident(district="0101"), surveyor) == {
        "district": ["District 0101 is not in province LA-XI."]
    }


def test_unknown_province_is_refused_without_blaming_the_district(surveyor: User) -> None:
    assert errors_of(accident(province="XX"), surveyor) == {
        "province": ["Unknown province code 'XX'."]
    }


def test_unknown_district_is_refused(surveyor: User) -> None:
    assert errors_of(accident(district="9999"), surveyor) == {
        "district": ["Unknown district code '9999'."]
    }


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        (13.8, 103.2, {"latitude": [OUTSIDE_LATITUDE]}),
        (22.6, 103.2, {"latitude": [OUTSIDE_LATITUDE]}),
        (
            19.45,
            99.9,
            {"longitude": [OUTSIDE_LONGITUDE]},
        ),
        (
            19.45,
            107.8,
            {"longitude": [OUTSIDE_LONGITUDE]},
        ),
        (
            -19.45,
            -103.2,
            {
                "latitude": [OUTSIDE_LATITUDE],
                "longitude": [OUTSIDE_LONGITUDE],
            },
        ),
        (13.9, 100.0, {}),
        (22.5, 107.7, {}),
    ],
)
def test_coordinates_must_lie_inside_laos(
    surveyor: User, latitude: float, longitude: float, expected: dict
) -> None:
    assert errors_of(accident(latitude=latitude, longitude=longitude), surveyor) == expected


@pytest.mark.parametrize(("latitude", "longitude"), [(19.45, None), (None, 103.2)])
def test_coordinates_come_in_pairs(
    surveyor: User, latitude: float | None, longitude: float | None
) -> None:
    assert errors_of(accident(latitude=latitude, longitude=longitude), surveyor) == {
        "non_field_errors": ["Latitude and longitude must be given together."]
    }


def test_no_coordinates_at_all_is_fine(surveyor: User) -> None:
    data = accident()
    del data["latitude"], data["longitude"]

    record, errors = adapter.validate(data, context(surveyor))

    assert errors == {}
    assert (record["latitude"], record["longitude"]) == (None, None)


def test_location_accuracy_is_not_negative_and_rounded_to_centimetres(surveyor: User) -> None:
    assert errors_of(accident(location_accuracy_m=-1), surveyor) == {
        "location_accuracy_m": ["Ensure this value is greater than or equal to 0."]
    }
    record, errors = adapter.validate(accident(location_accuracy_m=4.837), context(surveyor))
    assert (errors, record["location_accuracy_m"]) == ({}, 4.84)


def test_ordnance_type_must_belong_to_the_device_category(surveyor: User) -> None:
    assert errors_of(accident(ordnance_type="MK-82"), surveyor) == {
        "ordnance_type": [
            "Ordnance type MK-82 belongs to device category large_bomb, not cluster_submunition."
        ]
    }
    assert errors_of(accident(ordnance_type="MK-82", device_category="large_bomb"), surveyor) == {}


def test_unknown_ordnance_type_is_refused(surveyor: User) -> None:
    assert errors_of(accident(ordnance_type="BLU-99"), surveyor) == {
        "ordnance_type": ["Unknown ordnance type code 'BLU-99'."]
    }


def test_ordnance_type_is_optional(surveyor: User) -> None:
    record, errors = adapter.validate(accident(ordnance_type=None), context(surveyor))

    assert (errors, record["ordnance_type"]) == ({}, None)


@pytest.mark.parametrize(("field", "limit"), [("village", 200), ("description", 4000)])
def test_over_long_text_is_refused(surveyor: User, field: str, limit: int) -> None:
    assert errors_of(accident(**{field: "x" * limit}), surveyor) == {}
    assert errors_of(accident(**{field: "x" * (limit + 1)}), surveyor) == {
        field: [f"Ensure this field has no more than {limit} characters."]
    }


def test_unknown_reporting_organisation_is_refused(nra: User) -> None:
    assert errors_of(accident(reporting_organisation="XYZ"), nra) == {
        "reporting_organisation": ["Unknown organisation code 'XYZ'."]
    }


def test_surveyor_cannot_report_for_another_organisation(surveyor: User) -> None:
    """Valid data; the write rules (one place for every door) refuse it, code `forbidden`."""
    record = accident(reporting_organisation="MAG")
    assert errors_of(record, surveyor) == {}
    viewer = Viewer.for_user(surveyor)
    assert write_refusal(viewer, adapter, record, no_parent) == {
        "reporting_organisation": [
            "Only NRA staff may write accident records for another organisation than yours (HALO)."
        ]
    }
    assert (
        write_refusal(viewer, adapter, accident(reporting_organisation="HALO"), no_parent) is None
    )


def test_nra_staff_may_report_for_any_organisation(nra: User) -> None:
    record, errors = adapter.validate(accident(reporting_organisation="MAG"), context(nra))

    assert (errors, record["reporting_organisation"]) == ({}, "MAG")


def test_without_a_sender_the_reporting_organisation_is_required(reference: None) -> None:
    assert errors_of(accident(), None) == {"reporting_organisation": ["This field is required."]}
    assert errors_of(accident(reporting_organisation="MAG"), None) == {}


def test_several_faults_are_reported_together(surveyor: User) -> None:
    data = accident(
        occurred_on="2027-01-01",
        district="0701",
        latitude=50.0,
        longitude=None,
        village="x" * 201,
        reporting_organisation="MAG",
    )

    assert errors_of(data, surveyor) == {
        "occurred_on": ["The accident date cannot be in the future."],
        "district": ["District 0701 is not in province LA-XI."],
        "village": ["Ensure this field has no more than 200 characters."],
        "latitude": [OUTSIDE_LATITUDE],
        "non_field_errors": ["Latitude and longitude must be given together."],
    }


def no_parent(field: str) -> None:
    return None
