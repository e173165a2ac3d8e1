"""Fixtures of the statistics tests: the sync tests' tablets and accounts (shared by import), an
NRA server device that pushes through the engine, and the Celery broker switched per test."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from typing import Any
from unittest.mock import patch

import kombu.pools
import pytest
from django.core.cache import cache

from config.celery import app as celery_app
from fieldsync.models import RecordVersion, Role, User
from fieldsync.services.devices import server_device
from fieldsync.services.push import batch_push
from figures import slices
from tests.sync.conftest import PASSWORD, Tablet, make_tablet, make_user, seeded, tablet

__all__ = ["PASSWORD", "Tablet", "make_tablet", "make_user", "seeded", "tablet"]

Push = Callable[..., list[dict[str, Any]]]


@pytest.fixture
def nra_user(seeded: None, make_user: Callable[..., User]) -> User:
    return make_user("nra-stats", role=Role.NRA_STAFF, organisation="NRA")


@pytest.fixture
def push(nra_user: User, django_capture_on_commit_callbacks: Any) -> Push:
    """Push records as NRA staff through `batch_push`; `refresh=False` leaves the work owed."""
    device = server_device(user=nra_user, name="statistics-tests")

    def run(records: list[dict[str, Any]], *, refresh: bool = True) -> list[dict[str, Any]]:
        batch_id = uuid.uuid4()
        envelope = {
            "batch_id": str(batch_id),
            "device_id": str(device.device_id),
            "schema_version": 1,
            "records": records,
        }
        # Off: the commit asks for no refresh, in a test transaction or not.
        scheduling = (
            nullcontext() if refresh else patch.object(slices, "statistics_refresh_request")
        )
        with scheduling, django_capture_on_commit_callbacks(execute=refresh):
            result = batch_push(
                device=device,
                batch_id=batch_id,
                envelope=envelope,
                source=RecordVersion.Source.SYSTEM,
            )
        assert result.http_status == 200, result.body
        return result.body["results"]

    return run


def _reset_producers() -> None:
    """Forget broker connections made with the previous settings (tests only)."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu.pools.reset()  # kombu's registry would hand back a producer pool on the closed pool


@pytest.fixture
def broker() -> Iterator[Callable[..., None]]:
    """`broker(url, queue=...)`: tasks go to that broker (not eager) until the test ends."""
    conf = celery_app.conf
    saved = {name: conf[name] for name in ("broker_url", "task_always_eager", "task_default_queue")}

    def use(url: str, *, queue: str | None = None) -> None:
        conf.update(broker_url=url, task_always_eager=False)
        if queue is not None:
            conf.update(task_default_queue=queue)
        _reset_producers()

    cache.delete(slices.REFRESH_KEY)
    yield use
    conf.update(saved)
    _reset_producers()
    cache.delete(slices.REFRESH_KEY)
