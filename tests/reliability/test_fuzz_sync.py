"""Property-based fuzzing of the sync doors around the records (test_fuzz_push.py fuzzes those):
pull's query parameters, push's headers and bodies, enrolment bodies. Every answer is a 2xx or a
4xx with the contract's error body, never a 5xx or HTML, and a refused push stores nothing. A
longer run with `--run-slow`."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st

from fieldsync.models import Device, SyncBatch
from tests.helpers.fuzz import (
    HOSTILE_BODIES,
    NUMBER_LIKE,
    assert_contract_answer,
    fuzz_settings,
    header_text,
    json_values,
    junk_bodies,
    query_text,
    readable_length,
)
from tests.helpers.sync import Tablet

pytestmark = pytest.mark.django_db


def _client() -> Client:
    return Client(raise_request_exception=False)


def _fuzz_pull(tablet: Tablet, examples: int) -> None:
    real_cursor = tablet.pull(limit=1).json()["cursor"]

    @fuzz_settings(examples)
    @given(
        params=st.dictionaries(
            st.sampled_from(["limit", "cursor", "updated_since", "model"]) | st.text(max_size=8),
            query_text
            | st.sampled_from(NUMBER_LIKE)
            | st.just(real_cursor)
            | query_text.map(lambda text: real_cursor[:-3] + text),
        )
    )
    def call(params: dict[str, str]) -> None:
        response = _client().get("/api/v1/sync/pull/", params, **tablet.headers)

        assert_contract_answer(response)
        assert response.status_code in (200, 400, 409), response.content[:300]
        if response.status_code == 400:
            assert response.json()["code"] in ("invalid", "invalid_cursor")

    call()


def test_fuzzed_pull_parameters_get_a_page_or_a_contract_error(tablet: Tablet) -> None:
    _fuzz_pull(tablet, examples=80)


@pytest.mark.slow
def test_fuzzed_pull_parameters_get_a_page_or_a_contract_error_at_length(tablet: Tablet) -> None:
    _fuzz_pull(tablet, examples=800)


def _fuzz_push_requests(tablet: Tablet, examples: int) -> None:
    @fuzz_settings(examples)
    @given(
        body=junk_bodies
        | json_values.map(lambda value: json.dumps(value).encode())
        | st.just(json.dumps(tablet.envelope([])).encode()),
        headers=st.dictionaries(
            st.sampled_from(["CONTENT_LENGTH", "HTTP_CONTENT_ENCODING", "HTTP_IDEMPOTENCY_KEY"]),
            header_text,
        ),
        content_type=st.sampled_from(
            ["application/json", "application/json; charset=latin-1", "text/plain", ""]
        ),
    )
    def call(body: bytes, headers: dict[str, str], content_type: str) -> None:
        batches = SyncBatch.objects.count()

        response = _client().generic(  # the bytes as they are, whatever the charset says
            "POST",
            "/api/v1/sync/push/",
            body,
            content_type,
            **tablet.headers,
            **readable_length(headers, body),
        )

        assert_contract_answer(response)
        if response.status_code != 200:
            # 415: a Content-Encoding other than gzip (RFC 9110 15.5.16)
            assert response.status_code in (400, 409, 413, 415), response.content[:300]
            assert SyncBatch.objects.count() == batches

    for body in HOSTILE_BODIES:
        call = example(body=body, headers={}, content_type="application/json")(call)
    call()


def test_fuzzed_push_bodies_and_headers_get_a_contract_answer(tablet: Tablet) -> None:
    _fuzz_push_requests(tablet, examples=80)


@pytest.mark.slow
def test_fuzzed_push_bodies_and_headers_get_a_contract_answer_at_length(tablet: Tablet) -> None:
    _fuzz_push_requests(tablet, examples=800)


@fuzz_settings(60)
@given(
    body=junk_bodies
    | st.dictionaries(
        st.sampled_from(["username", "password", "device_id", "device_name", "app_version"])
        | st.text(max_size=8),
        json_values,
        max_size=6,
    ).map(lambda fields: json.dumps(fields).encode()),
    length=st.none() | header_text,
)
def test_fuzzed_enrolments_never_enrol_and_get_a_contract_error(
    tablet: Tablet, body: bytes, length: str | None
) -> None:
    headers = {} if length is None else readable_length({"CONTENT_LENGTH": length}, body)

    response = _client().post(
        "/api/v1/auth/device/", body, content_type="application/json", **headers
    )

    assert_contract_answer(response)
    assert response.status_code in (400, 401, 413, 429), response.content[:300]
    assert Device.objects.count() == 1


@fuzz_settings(40)
@given(token=header_text, scheme=st.sampled_from(["Token ", "token ", "Bearer ", "", "Token  "]))
def test_fuzzed_authorization_headers_on_sync_are_401(tablet: Tablet, token: str, scheme: str):
    response = _client().get("/api/v1/sync/info/", HTTP_AUTHORIZATION=scheme + token)

    assert_contract_answer(response)
    assert response.status_code == 401


def test_an_unknown_format_parameter_is_ignored_not_a_404(tablet: Tablet) -> None:
    # Found by the fuzzer: DRF answered `?format=x` with a 404 whose body had no `code`.
    response = _client().get("/api/v1/sync/pull/", {"format": "x"}, **tablet.headers)
    schema = _client().get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert schema.status_code == 200
    assert schema["Content-Type"].startswith("application/vnd.oai.openapi+json")
