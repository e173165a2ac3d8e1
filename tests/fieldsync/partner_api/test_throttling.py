"""Throttling per token: reads and writes counted apart, 429 in JSON with Retry-After."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.partner_api import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"partner_read": "3/min", "partner_write": "1/min"},
    }


def test_a_token_over_its_read_rate_gets_a_json_429_with_retry_after(
    world: World, low_rates: None
) -> None:
    cope = world.api["partner"]

    statuses = [cope.get("provinces/").status_code for _ in range(4)]
    refused = cope.get("assistance/")

    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 61


def test_tokens_are_counted_apart(world: World, low_rates: None) -> None:
    for _ in range(3):
        world.api["partner"].get("victims/")

    assert world.api["partner"].get("victims/").status_code == 429
    assert world.api["nra"].get("victims/").status_code == 200


def test_writes_have_their_own_budget(world: World, low_rates: None) -> None:
    cope = world.api["partner"]
    url = f"assistance/{world.assistance_cope['id']}/"
    for _ in range(3):
        cope.get("provinces/")

    first = cope.send("patch", url, {"notes": "a"}, {"If-Match": '"1"'})
    second = cope.send("patch", url, {"notes": "b"}, {"If-Match": '"2"'})

    assert (first.status_code, second.status_code) == (200, 429)
    assert world.api["nra"].get(url).json()["notes"] == "a"  # the refused write wrote nothing


def test_the_default_rates_come_from_settings(settings: Any) -> None:
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]

    assert set(rates) == {"partner_read", "partner_write"}
