"""A batch costs a bounded number of queries, independent of its size."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.helpers.sync import Tablet, accident, assistance, victim

pytestmark = pytest.mark.django_db


def _mixed(count: int) -> list[dict]:
    records: list[dict] = []
    while len(records) < count:
        a = accident()
        v = victim(a["id"])
        records += [a, v, assistance(v["id"])]
    return records[:count]


def _queries_for(tablet: Tablet, records: list[dict]) -> int:
    body = json.dumps(tablet.envelope(records))
    with CaptureQueriesContext(connection) as captured:
        response = tablet.push_raw(body)
    assert response.status_code == 200
    assert {r["status"] for r in response.json()["results"]} == {"applied"}
    return len(captured)


@pytest.mark.postgres
def test_query_count_of_a_push_does_not_grow_with_the_batch(tablet: Tablet) -> None:
    small = _queries_for(tablet, _mixed(30))
    large = _queries_for(tablet, _mixed(1000))

    assert large == small
    assert large <= 60


def test_query_count_is_bounded_on_any_database(tablet: Tablet) -> None:
    # SQLite splits bulk statements by its variable limit, so only a bound holds there.
    assert _queries_for(tablet, _mixed(300)) <= 120


def test_edits_cost_a_bounded_number_of_queries(tablet: Tablet) -> None:
    records = _mixed(90)
    tablet.push_ok(records)
    edits = [
        {**r, "base_version": 1, "data": {**r["data"], "notes": "checked"}}
        if r["model"] == "assistance"
        else {**r, "base_version": 1, "data": {**r["data"], "sex": "female"}}
        if r["model"] == "victim"
        else {**r, "base_version": 1, "data": {**r["data"], "village": "Ban Na"}}
        for r in records
    ]
    body = json.dumps(tablet.envelope(edits))

    with CaptureQueriesContext(connection) as captured:
        response = tablet.push_raw(body)

    assert {r["status"] for r in response.json()["results"]} == {"applied"}
    assert len(captured) <= 80
