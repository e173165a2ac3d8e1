"""The duplicate scan has a queue of its own: with a real worker and Redis, the figures are
refreshed while the scans wait in their queue (no worker serving it), and a worker serving the
scan queue then groups the reports."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from redis import Redis

from accidents.models import DuplicateGroup
from figures import slices
from tests.helpers.figures import assert_figures_equal_the_records, running_worker
from tests.helpers.sync import accident, victim
from victims.models import CasualtyFigure

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]
SECONDS = 30


@pytest.fixture
def scan_queue(worker_queue: str) -> str:
    """The scan queue of this test alone (as `DUPLICATES_QUEUE` names it in production)."""
    return f"{worker_queue}-duplicates"


def wait_for(condition, message: str) -> None:
    deadline = time.monotonic() + SECONDS
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.2)


def test_figures_never_wait_behind_the_duplicate_scan(
    worker_queue: str, scan_queue: str, make_tablet, monkeypatch, tmp_path: Path
):
    # given a worker for the default queue only, and two reports of one accident pushed
    monkeypatch.setattr(slices, "REFRESH_DELAY_SECONDS", 0)
    tablet = make_tablet()
    a, b = accident(), accident(occurred_on="2026-11-19")
    redis_url = os.environ["TEST_REDIS_URL"]
    with running_worker(worker_queue, redis_url, tmp_path / "worker.log"):
        tablet.push_ok([a, b, victim(a["id"]), victim(b["id"])])
        # then the figures are refreshed while the scans wait in their own queue
        wait_for(lambda: CasualtyFigure.objects.exists(), "the figures were not refreshed")
        assert_figures_equal_the_records()
        redis = Redis.from_url(redis_url)
        assert redis.llen(scan_queue) >= 1
        redis.close()
        assert not DuplicateGroup.objects.exists()
    # and a worker serving the scan queue groups the two reports
    with running_worker(scan_queue, redis_url, tmp_path / "scan-worker.log"):
        wait_for(lambda: DuplicateGroup.objects.exists(), "the scan did not run")
    assert DuplicateGroup.objects.get().members.count() == 2
