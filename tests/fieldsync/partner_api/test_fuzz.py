"""Property-based fuzzing of the partner API with hostile input the OpenAPI document does not
describe (schemathesis keeps to the document): numbers in other scripts, forged cursors, odd
filters and headers, junk and deeply nested bodies. Every answer is a 2xx or a 4xx with the
contract's error body; never a 5xx, never HTML. A longer run with `--run-slow`."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st

from tests.helpers.fuzz import (
    HOSTILE_BODIES,
    assert_contract_answer,
    fuzz_settings,
    header_text,
    json_values,
    junk_bodies,
    query_text,
    readable_length,
)
from tests.helpers.partner_api import World

pytestmark = pytest.mark.django_db
LISTS = [
    "accidents/",
    "victims/",
    "assistance/",
    "provinces/",
    "districts/",
    "ordnance-types/",
    "organisations/",
    "service-types/",
    "statistics/summary/",
    "statistics/breakdown/",
    "statistics/series/",
    "statistics/assistance/",
    "statistics/reports/monitor.csv",
    "exports/accidents.csv",
]
PARAMETERS = [
    "page_size",
    "cursor",
    "ordering",
    "updated_since",
    "include_deleted",
    "province",
    "district",
    "occurred_on_after",
    "occurred_on_before",
    "reported_on_after",
    "started_on_before",
    "accident",
    "victim",
    "related_victim",
    "status",
    "pillar",
    "sex",
    "age_group",
    "kind",
    "year",
    "year_from",
    "year_to",
    "by",
    "verified_only",
    "limit",
]
ASSISTANCE_FIELDS = [
    "victim",
    "pillar",
    "service_type",
    "provider_organisation",
    "status",
    "started_on",
    "completed_on",
    "cost_lak",
    "quantity",
    "notes",
    "id",
    "version",
]


@pytest.fixture
def generous_rates(settings: Any) -> None:
    """No throttling: every fuzzed request reaches the code under test."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"partner_read": "100000/min", "partner_write": "100000/min"},
    }


def _client() -> Client:
    return Client(raise_request_exception=False)


def _cursor_of(world: World, path: str) -> dict[str, Any]:
    """The decoded cursor of a real first page of one row."""
    response = world.api["nra"].get(path, {"page_size": 1})
    token = parse_qs(urlsplit(response.json()["next"]).query)["cursor"][0]
    return json.loads(base64.urlsafe_b64decode(token))


def _encode(cursor: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode()


def _fuzz_list_queries(world: World, examples: int) -> None:
    headers = world.tablets["nra_personal"].headers

    @fuzz_settings(examples)
    @given(
        path=st.sampled_from(LISTS),
        params=st.dictionaries(st.sampled_from(PARAMETERS) | st.text(max_size=8), query_text),
    )
    def call(path: str, params: dict[str, str]) -> None:
        assert_contract_answer(_client().get(f"/api/v1/{path}", params, **headers))

    call()


def test_fuzzed_list_queries_get_a_contract_answer(world: World, generous_rates: None) -> None:
    _fuzz_list_queries(world, examples=60)


@pytest.mark.slow
def test_fuzzed_list_queries_get_a_contract_answer_at_length(
    world: World, generous_rates: None
) -> None:
    _fuzz_list_queries(world, examples=600)


def _fuzz_forged_cursors(world: World, examples: int) -> None:
    """Cursors that decode (base64 JSON) with the right shape but forged sort keys."""
    headers = world.tablets["nra_personal"].headers
    real = {path: _cursor_of(world, path) for path in ("accidents/", "provinces/")}

    @fuzz_settings(examples)
    @given(
        path=st.sampled_from(sorted(real)),
        keys=st.lists(query_text | query_text.map(lambda text: f"{text}\x00"), max_size=3),
        ordering=st.none() | st.lists(st.text(max_size=12), max_size=3),
        junk=st.none() | json_values,
    )
    def call(path: str, keys: list[str], ordering: list[str] | None, junk: Any) -> None:
        """The real ordering with as many keys as it has, mostly; sometimes any shape."""
        size = len(real[path]["k"])
        keys = (keys + keys * size)[:size] if keys and ordering is None else keys
        forged = {"o": real[path]["o"] if ordering is None else ordering, "k": keys}
        token = _encode(forged if junk is None else junk)
        response = _client().get(f"/api/v1/{path}", {"cursor": token}, **headers)

        assert_contract_answer(response)
        assert response.status_code in (200, 400), response.content[:300]
        if response.status_code == 400:
            assert response.json()["code"] == "invalid_cursor"

    call()


def test_forged_list_cursors_are_400_invalid_cursor_or_a_page(
    world: World, generous_rates: None
) -> None:
    _fuzz_forged_cursors(world, examples=60)


@pytest.mark.slow
def test_forged_list_cursors_are_400_invalid_cursor_or_a_page_at_length(
    world: World, generous_rates: None
) -> None:
    _fuzz_forged_cursors(world, examples=600)


def _fuzz_writes(world: World, examples: int) -> None:
    cope = world.tablets["partner"]
    one = f"/api/v1/assistance/{world.assistance_cope['id']}/"

    @fuzz_settings(examples)
    @given(
        method=st.sampled_from(["post", "put", "patch", "delete"]),
        body=st.dictionaries(
            st.sampled_from(ASSISTANCE_FIELDS) | st.text(max_size=10), json_values, max_size=8
        ).map(lambda fields: json.dumps(fields).encode())
        | json_values.map(lambda value: json.dumps(value).encode())
        | junk_bodies,
        headers=st.dictionaries(
            st.sampled_from(["HTTP_IF_MATCH", "HTTP_IDEMPOTENCY_KEY", "CONTENT_LENGTH"]),
            header_text,
        ),
    )
    def call(method: str, body: bytes, headers: dict[str, str]) -> None:
        path = "/api/v1/assistance/" if method == "post" else one
        send = getattr(_client(), method)
        response = send(
            path,
            body,
            content_type="application/json",
            **cope.headers,
            **readable_length(headers, body),
        )
        assert_contract_answer(response)

    for body in HOSTILE_BODIES:
        for method in ("post", "patch"):
            call = example(method=method, body=body, headers={})(call)
    call()


def test_fuzzed_assistance_writes_get_a_contract_answer(world: World, generous_rates: None) -> None:
    _fuzz_writes(world, examples=80)


@pytest.mark.slow
def test_fuzzed_assistance_writes_get_a_contract_answer_at_length(
    world: World, generous_rates: None
) -> None:
    _fuzz_writes(world, examples=800)


@fuzz_settings(40)
@given(token=header_text, scheme=st.sampled_from(["Token ", "token ", "Bearer ", "", "Token  "]))
def test_fuzzed_authorization_headers_are_401(world: World, token: str, scheme: str):
    response = _client().get("/api/v1/provinces/", HTTP_AUTHORIZATION=scheme + token)

    assert_contract_answer(response)
    assert response.status_code == 401
