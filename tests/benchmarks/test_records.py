"""The benchmarks' records are what a surveyor fills in, and the server takes every one."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.records import Records
from tests.helpers.sync import Tablet

pytestmark = pytest.mark.django_db


def test_the_benchmark_records_are_realistic_and_all_applied(tablet: Tablet) -> None:
    records = Records(seed=3).mixed(500)
    assert Counter(r["model"] for r in records) == {
        "accident": 100,
        "victim": 300,
        "assistance": 100,
    }
    accident = records[0]["data"]
    assert {"description", "latitude", "ordnance_type", "prior_risk_education"} <= set(accident)
    casualty = records[1]["data"]
    assert casualty["full_name"] and casualty["injuries"] and casualty["consent"] != "none"
    assert records[3]["data"]["victim_type"] == "indirect"
    assert {"started_on", "completed_on", "cost_lak"} <= set(records[4]["data"])
    results = tablet.push_ok(records)
    assert Counter(r["status"] for r in results) == {"applied": 500}
