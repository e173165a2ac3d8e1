"""A real Celery worker against Redis keeps the figures current after a push (no eager mode)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from redis import Redis

from config.env import BASE_DIR
from fieldsync.models import Role
from figures import slices
from figures.models import DirtySlice
from tests.sync.conftest import accident, victim

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]
READY_SECONDS = 60
FIGURES_SECONDS = 30


def _database_url() -> str:
    """The database pytest-django is using (its test database), as a URL for the worker."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


@contextmanager
def running_worker(queue: str, broker_url: str, log_path: Path) -> Iterator[None]:
    """`celery -A config worker` on `queue` of the test Redis, until the block ends."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url,
    }
    env.pop("CACHE_URL", None)
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--queues", queue, "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--loglevel=INFO", "--hostname", f"{queue}@%h"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + READY_SECONDS
        while " ready." not in log_path.read_text(errors="replace"):
            assert process.poll() is None, log_path.read_text(errors="replace")
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.2)
        yield
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # warm shutdown of the group we started
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        log.close()


@pytest.fixture
def worker_queue(transactional_db: None, broker) -> Iterator[str]:
    """A queue of the test Redis for this test alone; tasks go there (not eager)."""
    queue = f"statistics-test-{uuid.uuid4().hex[:8]}"
    broker_url = os.environ["TEST_REDIS_URL"]
    broker(broker_url, queue=queue)
    yield queue
    redis = Redis.from_url(broker_url)
    redis.delete(queue, *redis.keys(f"_kombu.binding*{queue}"))
    redis.close()


@pytest.fixture
def worker(worker_queue: str, tmp_path: Path) -> Iterator[None]:
    with running_worker(worker_queue, os.environ["TEST_REDIS_URL"], tmp_path / "worker.log"):
        yield


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
