"""Property-based fuzzing of push envelopes and records: never a 5xx, always a contract answer,
and nothing stored changes because of a refused request."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accidents.models import Accident
from fieldsync.models import InboxRecord, SyncBatch
from tests.helpers.sync import Tablet, accident
from victims.models import Assistance, Victim

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(
        [
            "",
            "\x00",
            "\ud800",
            "9999-12-31",
            "0001-01-01",
            "1963-12-31",
            "LA-XI",
            "<script>alert(1)</script>",
            "'; DROP TABLE accidents_accident; --",
        ]
    )
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = [
    "occurred_on",
    "province",
    "district",
    "latitude",
    "longitude",
    "classification",
    "device_category",
    "ordnance_type",
    "activity",
    "victim_type",
    "accident",
    "outcome",
    "sex",
    "age_years",
    "consent",
    "full_name",
    "injuries",
    "victim",
    "pillar",
    "status",
    "provider_organisation",
    "started_on",
    "completed_on",
    "cost_lak",
    "quantity",
]
records = st.fixed_dictionaries(
    {
        "model": st.sampled_from(["accident", "victim", "assistance", "province", "x"]) | scalars,
        "id": st.uuids().map(str) | scalars,
        "op": st.sampled_from(["upsert", "delete"]) | scalars,
        "base_version": st.none() | st.integers(min_value=-5, max_value=2**66) | scalars,
        "data": st.dictionaries(
            st.sampled_from(FIELDS) | st.text(max_size=10), json_values, max_size=8
        )
        | json_values,
    },
    optional={"recorded_at": st.text(max_size=30) | st.datetimes().map(str)},
)


def _snapshot() -> tuple:
    return (
        sorted(Accident.objects.values_list("pk", "version")),
        sorted(Victim.objects.values_list("pk", "version")),
        sorted(Assistance.objects.values_list("pk", "version")),
    )


@pytest.fixture
def known(tablet: Tablet) -> dict:
    record = accident()
    tablet.push_ok([record])
    return record


def _assert_contract_answer(response) -> dict:
    assert response.status_code < 500, response.content[:500]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (
        ("results" in body)
        if response.status_code == 200
        else ("code" in body and "detail" in body)
    )
    return body


@FUZZ
@given(batch=st.lists(records, max_size=6))
def test_fuzzed_records_are_refused_one_by_one(tablet: Tablet, known: dict, batch) -> None:
    before = _snapshot()

    body = _assert_contract_answer(tablet.push(batch))

    assert len(body["results"]) == len(batch)
    for result in body["results"]:
        assert result["status"] in (
            "rejected",
            "held",
            "applied",
            "unchanged",
            "conflict",
            "merged",
        )
        if result["status"] == "rejected":
            assert result["code"] in (
                "invalid",
                "unknown_model",
                "duplicate_in_batch",
                "id_conflict",
                "forbidden",
            )
            assert result["errors"]
    if all(r["status"] in ("rejected", "held", "unchanged") for r in body["results"]):
        assert _snapshot() == before


@FUZZ
@given(
    envelope=st.dictionaries(
        st.sampled_from(["batch_id", "device_id", "schema_version", "records"])
        | st.text(max_size=8),
        json_values,
        max_size=5,
    )
)
def test_fuzzed_envelopes_get_a_contract_error_and_store_nothing(tablet: Tablet, envelope) -> None:
    batches = SyncBatch.objects.count()

    response = tablet.push_raw(json.dumps(envelope))

    body = _assert_contract_answer(response)
    if response.status_code != 200:
        assert response.status_code in (400, 409, 413)
        assert SyncBatch.objects.count() == batches
    else:
        assert body["results"] == []


@pytest.mark.parametrize(
    "raw",
    [
        b"\xc3\x28",
        b'{"batch_id": "\xff"}',
        b"[" * 5000 + b"]" * 5000,
        b'{"a": Infinity}',
        b'{"a": -NaN}',
        b"",
        b"null",
        b'"just a string"',
        b"1e999",
        json.dumps(
            {
                "batch_id": str(uuid.uuid4()),
                "records": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
            }
        ).encode(),
    ],
)
def test_malformed_bodies_are_400(tablet: Tablet, raw: bytes) -> None:
    response = tablet.push_raw(raw)

    assert response.status_code == 400
    assert response.json()["code"] in ("invalid_json", "invalid_envelope", "device_mismatch")
    assert not SyncBatch.objects.exists()


def test_unpaired_surrogates_and_nul_are_refused_per_record_and_kept(tablet: Tablet) -> None:
    lone = accident(village="Ban \ud800")
    nul = accident(description="a\x00b")
    good = accident()

    results = tablet.push_ok([lone, nul, good])

    assert [r["status"] for r in results] == ["rejected", "rejected", "applied"]
    kept = InboxRecord.objects.get(record_id=lone["id"])
    assert kept.payload["data"]["village"] == "Ban \ufffd"


def test_a_100_mb_body_is_refused_before_it_is_read(tablet: Tablet) -> None:
    huge = b'{"records": ["' + b"x" * (100 * 1024 * 1024) + b'"]}'

    response = tablet.push_raw(huge)

    assert response.status_code == 413
    assert response.json()["code"] == "batch_too_large"
    assert not SyncBatch.objects.exists()


def test_huge_strings_in_fields_are_field_errors(tablet: Tablet) -> None:
    big = accident(village="v" * 100_000, description="d" * 1_000_000)

    result = tablet.push_ok([big])[0]

    assert result["status"] == "rejected"
    assert set(result["errors"]) == {"village", "description"}
