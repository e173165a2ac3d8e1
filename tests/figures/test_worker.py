"""A real Celery worker against Redis keeps the figures current after a push (no eager mode)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.conf import settings

from fieldsync.models import Role
from figures import slices
from figures.models import DirtySlice
from tests.helpers.figures import running_worker
from tests.helpers.sync import accident, victim

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]
FIGURES_SECONDS = 30


def test_a_worker_updates_the_figures_after_a_push(worker: None, make_tablet, monkeypatch):
    # given a surveyor's tablet, NRA staff reading the figures, and a refresh enqueued at once
    monkeypatch.setattr(slices, "REFRESH_DELAY_SECONDS", 0)
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    surveyor = make_tablet()
    nra = make_tablet("nra-worker-test", role=Role.NRA_STAFF, organisation="NRA")

    def casualties() -> int:
        response = nra.client.get("/api/v1/statistics/summary/", {"year": "2026"}, **nra.headers)
        assert response.status_code == 200
        return response.json()["casualties"]

    assert casualties() == 0

    # when the tablet pushes an accident with two casualties over HTTP
    a = accident()
    surveyor.push_ok([a, victim(a["id"]), victim(a["id"], outcome="killed")])

    # then the worker recomputes the slice and the summary shows them (bounded wait)
    deadline = time.monotonic() + FIGURES_SECONDS
    while casualties() != 2:
        assert time.monotonic() < deadline, "the figures did not change"
        time.sleep(0.2)
    assert (
        nra.client.get("/api/v1/statistics/summary/", {"year": "2026"}, **nra.headers).json()[
            "killed"
        ]
        == 1
    )


def test_a_sync_while_the_worker_is_down_is_counted_when_it_returns(
    worker_queue: str, make_tablet, monkeypatch, tmp_path: Path
) -> None:
    # given no worker running (the broker is up), and NRA staff reading the figures
    monkeypatch.setattr(slices, "REFRESH_DELAY_SECONDS", 0)
    surveyor = make_tablet()
    nra = make_tablet("nra-worker-test", role=Role.NRA_STAFF, organisation="NRA")

    def casualties() -> int:
        response = nra.client.get("/api/v1/statistics/summary/", {"year": "2026"}, **nra.headers)
        return int(response.json()["casualties"])

    # when a tablet syncs: the push neither fails nor waits for the missing worker
    a = accident()
    started = time.monotonic()
    surveyor.push_ok([a, victim(a["id"]), victim(a["id"], outcome="killed")])
    push_seconds = time.monotonic() - started

    # then the work owed is stored with the change, and counted once the worker is back
    assert push_seconds < 5
    assert DirtySlice.objects.exists()
    assert casualties() == 0
    with running_worker(worker_queue, os.environ["TEST_REDIS_URL"], tmp_path / "worker.log"):
        deadline = time.monotonic() + FIGURES_SECONDS
        while casualties() != 2:
            assert time.monotonic() < deadline, "the figures did not change"
            time.sleep(0.2)
    assert not DirtySlice.objects.exists()
