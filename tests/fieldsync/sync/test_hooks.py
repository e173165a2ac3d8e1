"""Changed records reach subscribers through one hook, inside the changing transaction."""

from __future__ import annotations

import json

import pytest

from fieldsync import hooks
from tests.helpers.sync import Tablet, accident, victim

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(monkeypatch) -> list[dict]:
    calls: list[dict] = []

    def record(changed) -> None:
        calls.append({model: frozenset(records) for model, records in changed.items()})

    monkeypatch.setattr(hooks, "_subscribers", [record])
    return calls


def test_a_push_tells_subscribers_which_records_changed_and_how(
    tablet: Tablet, received: list[dict], monkeypatch
) -> None:
    a = accident()
    v = victim(a["id"])
    tablet.push_ok([a, v, accident(district="0101")])  # the third is rejected
    before_after: list = []
    monkeypatch.setattr(hooks, "_subscribers", [lambda changed: before_after.append(changed)])

    tablet.push_ok([accident(a["id"], base_version=1, province="LA-VT", district="0101")])

    assert received == [{"accident": frozenset({a["id"]}), "victim": frozenset({v["id"]})}]
    old, new = before_after[0]["accident"][a["id"]]
    assert (old["province"], new["province"], new["reference"]) == (
        "LA-XI",
        "LA-VT",
        old["reference"],
    )


def test_a_replay_or_a_push_that_changes_nothing_tells_no_one(
    tablet: Tablet, received: list[dict], django_capture_on_commit_callbacks
) -> None:
    a = accident()
    body = tablet.envelope([a])
    with django_capture_on_commit_callbacks(execute=True):
        tablet.push_raw(json.dumps(body))
    received.clear()

    with django_capture_on_commit_callbacks(execute=True):
        tablet.push_raw(json.dumps(body))
        tablet.push_ok([a])  # unchanged

    assert received == []
