"""Committed changes reach subscribers through one hook, after commit and never before."""

from __future__ import annotations

import json

import pytest

from fieldsync import hooks
from tests.sync.conftest import Tablet, accident, victim

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(monkeypatch) -> list[dict]:
    calls: list[dict] = []
    monkeypatch.setattr(hooks, "_subscribers", [lambda changed: calls.append(dict(changed))])
    return calls


def test_a_push_tells_subscribers_which_records_changed_after_commit(
    tablet: Tablet, received: list[dict], django_capture_on_commit_callbacks
) -> None:
    a = accident()
    v = victim(a["id"])

    with django_capture_on_commit_callbacks(execute=True):
        tablet.push_ok([a, v, accident(district="0101")])  # the third is rejected

    assert received == [{"accident": frozenset({a["id"]}), "victim": frozenset({v["id"]})}]


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
