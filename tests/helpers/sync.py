"""Fixtures and builders of the sync contract tests: seeded reference data, accounts, enrolled
tablets over HTTP (`Tablet`), and wire records to push (a plugin of tests/conftest.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from fieldsync.models import Organisation, Role, User

PASSWORD = "correct horse battery staple"


@pytest.fixture
def seeded(db: None) -> None:
    call_command("seed_reference_data", verbosity=0)


class Tablet:
    """A tablet as the contract sees it: a token, a device id, JSON over HTTP."""

    def __init__(self, client: Client, user: User, device_id: uuid.UUID | None = None) -> None:
        self.client = client
        self.user = user
        self.device_id = device_id or uuid.uuid4()
        response = client.post(
            "/api/v1/auth/device/",
            {
                "username": user.username,
                "password": PASSWORD,
                "device_id": str(self.device_id),
                "device_name": f"tablet of {user.username}",
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        self.token = response.json()["token"]

    @property
    def headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Token {self.token}"}

    def envelope(self, records: list[dict[str, Any]], batch_id: str | None = None) -> dict:
        return {
            "batch_id": batch_id or str(uuid.uuid4()),
            "device_id": str(self.device_id),
            "schema_version": 1,
            "records": records,
        }

    def push_raw(self, body: bytes | str, **extra: Any) -> Any:
        return self.client.post(
            "/api/v1/sync/push/", body, content_type="application/json", **self.headers, **extra
        )

    def push(self, records: list[dict[str, Any]], batch_id: str | None = None) -> Any:
        return self.push_raw(json.dumps(self.envelope(records, batch_id)))

    def push_ok(self, records: list[dict[str, Any]], batch_id: str | None = None) -> list[dict]:
        response = self.push(records, batch_id)
        assert response.status_code == 200, response.content
        return response.json()["results"]

    def pull(self, cursor: str | None = None, limit: int | None = None) -> Any:
        params = {}
        if cursor is not None:
            params["cursor"] = cursor
        if limit is not None:
            params["limit"] = str(limit)
        return self.client.get("/api/v1/sync/pull/", params, **self.headers)

    def pull_all(self, cursor: str | None = None, limit: int = 1000) -> tuple[list[dict], str]:
        changes: list[dict] = []
        while True:
            response = self.pull(cursor, limit)
            assert response.status_code == 200, response.content
            body = response.json()
            changes.extend(body["changes"])
            cursor = body["cursor"]
            if not body["has_more"]:
                return changes, cursor


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(
        username: str,
        role: str = Role.SURVEYOR,
        organisation: str = "HALO",
        personal_data: bool = False,
    ) -> User:
        user = User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            organisation=Organisation.objects.get(pk=organisation),
            is_staff=role == Role.NRA_STAFF,
        )
        if personal_data:
            from django.contrib.auth.models import Permission

            user.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
            user = User.objects.get(pk=user.pk)
        return user

    return make


@pytest.fixture
def make_tablet(seeded: None, make_user: Callable[..., User]) -> Callable[..., Tablet]:
    def make(
        username: str = "surveyor-halo",
        role: str = Role.SURVEYOR,
        organisation: str = "HALO",
        personal_data: bool = False,
        user: User | None = None,
    ) -> Tablet:
        if user is None:
            user = User.objects.filter(username=username).first() or make_user(
                username, role, organisation, personal_data
            )
        return Tablet(Client(), user)

    return make


@pytest.fixture
def tablet(make_tablet: Callable[..., Tablet]) -> Tablet:
    return make_tablet()


def accident(
    record_id: str | None = None,
    base_version: int | None = None,
    op: str = "upsert",
    recorded_at: str | None = "2026-11-20T08:15:00+07:00",
    **fields: Any,
) -> dict:
    data = {
        "occurred_on": "2026-11-18",
        "province": "LA-XI",
        "district": "0901",
        "village": "Ban Nameuang",
        "classification": "civilian",
        "device_category": "cluster_submunition",
        "ordnance_type": "BLU-26",
        "activity": "farming",
        "latitude": 19.45,
        "longitude": 103.2,
    }
    data.update(fields)
    return _record("accident", record_id, base_version, op, recorded_at, data)


def victim(
    accident_id: str, record_id: str | None = None, base_version: int | None = None, **fields: Any
) -> dict:
    data = {
        "victim_type": "direct",
        "accident": accident_id,
        "outcome": "injured",
        "sex": "male",
        "age_years": 12,
        "consent": "guardian",
        "full_name": "Somchai K.",
        "guardian_name": "Bounmy K.",
        "injuries": ["hand_fingers"],
    }
    data.update(fields)
    return _record("victim", record_id, base_version, "upsert", None, data)


def assistance(
    victim_id: str, record_id: str | None = None, base_version: int | None = None, **fields: Any
) -> dict:
    data = {
        "victim": victim_id,
        "pillar": "physical_rehabilitation",
        "service_type": "prosthesis",
        "provider_organisation": "COPE",
        "status": "referred",
    }
    data.update(fields)
    return _record("assistance", record_id, base_version, "upsert", None, data)


def delete(model: str, record_id: str, base_version: int | None) -> dict:
    return {"model": model, "id": record_id, "op": "delete", "base_version": base_version}


def _record(
    model: str,
    record_id: str | None,
    base_version: int | None,
    op: str,
    recorded_at: str | None,
    data: dict,
) -> dict:
    record = {
        "model": model,
        "id": record_id or str(uuid.uuid4()),
        "op": op,
        "base_version": base_version,
        "data": data,
    }
    if recorded_at:
        record["recorded_at"] = recorded_at
    return record
