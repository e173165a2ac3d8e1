"""Fixtures of the figures tests: NRA staff and their server device that pushes through the
engine (tablets, accounts, the broker and the worker come from tests.helpers)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any
from unittest.mock import patch

import pytest

from fieldsync.models import RecordVersion, Role, User
from fieldsync.services.devices import server_device
from fieldsync.services.push import batch_push
from figures import slices
from tests.helpers.figures import Push


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
