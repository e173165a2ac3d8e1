"""Property-based calls of every operation of the project's own OpenAPI document (schemathesis).

Requests generated from the document go through the WSGI application in-process (the test's
database transaction), with an NRA token that sees everything. No response may be a 5xx, and
every response must match what the document says of its status, content type, headers and body.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers.partner_api import OPERATIONS, World

pytestmark = pytest.mark.django_db
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
REFERENCE_CODES = {
    "provinces": "LA-XI",
    "districts": "0901",
    "ordnance-types": "2.75IN",
    "organisations": "COPE",
    "service-types": "prosthesis",
}


@pytest.fixture
def generous_rates(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"partner_read": "100000/min", "partner_write": "100000/min"},
    }


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Keep the test's connection open between requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _existing_id(world: World, path: str) -> str | None:
    """An id that exists, for operations on one record (generated ids mostly miss)."""
    resource = path.split("/")[3]
    records = {
        "accidents": world.accident_a,
        "victims": world.victim_v,
        "assistance": world.assistance_cope,
    }
    if resource in records:
        return records[resource]["id"]
    return REFERENCE_CODES.get(resource)


def _run(world: World, examples: int, modes: list[GenerationMode]) -> list[str]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", WSGIHandler())
    # In-process (WSGI), nothing decodes a gzip answer for the checks: ask for none.
    headers = {
        "Authorization": f"Token {world.tablets['nra_personal'].token}",
        "Accept-Encoding": "identity",
    }
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        fixed = _existing_id(world, operation.path) if "{id}" in operation.path else None
        for mode in modes:
            variants: list[dict[str, Any]] = [{}]
            if fixed is not None:
                variants.append({"path_parameters": {"id": fixed}})
            for variant in variants:
                strategy = operation.as_strategy(generation_mode=mode, **variant)

                @given(case=strategy)
                @settings(
                    max_examples=examples,
                    deadline=None,
                    database=None,
                    derandomize=True,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                def call(case: Any) -> None:
                    case.call_and_validate(headers=headers, checks=CHECKS)

                try:
                    call()
                except Unsatisfiable:  # nothing in this operation can be made invalid
                    assert mode == GenerationMode.NEGATIVE, operation.label
        tested.append(operation.label)
    return tested


def test_no_operation_answers_5xx_or_breaks_its_schema(
    world: World, generous_rates: None, in_test_transaction: None
) -> None:
    tested = _run(world, examples=8, modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])

    expected = {f"{method.upper()} {path}" for path, ops in OPERATIONS.items() for method in ops}
    assert expected - set(tested) == {"GET /api/v1/schema/"}  # schemathesis skips its source


@pytest.mark.slow
def test_no_operation_answers_5xx_or_breaks_its_schema_at_length(
    world: World, generous_rates: None, in_test_transaction: None
) -> None:
    _run(world, examples=80, modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
