"""Admin browsers and NRA staff shared by the admin tests (a plugin of tests/conftest.py), and
small readers of a record's history and of a pull page for the review workflow tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fieldsync.models import RecordVersion, Role, User
from fieldsync.services.accounts import account_create_or_update
from tests.helpers.factories import OrganisationFactory, UserFactory
from tests.helpers.sync import PASSWORD


@pytest.fixture
def nra_admin() -> User:
    return UserFactory.create(username="nra-admin", superuser=True)


@pytest.fixture
def admin_browser(client: Client, nra_admin: User) -> Client:
    """An NRA superuser logged into the admin."""
    client.force_login(nra_admin)
    return client


@pytest.fixture
def staff_browser(client: Client) -> Client:
    """NRA staff (the NRA staff group) without the personal-data permission."""
    OrganisationFactory.create(code="NRA")
    staff, _ = account_create_or_update(
        username="noy",
        password="mekong river at dusk",
        role=Role.NRA_STAFF,
        organisation_code="NRA",
    )
    client.force_login(staff)
    return client


# -- the NRA review workflows: tablets over HTTP (tests.helpers.sync) and NRA staff in admin ------
@pytest.fixture
def make_staff(seeded: None) -> Callable[..., User]:
    """NRA staff as `create_account` makes them (the NRA staff group), optionally with the
    personal-data permission."""

    def make(username: str = "noy", personal_data: bool = False) -> User:
        user, _ = account_create_or_update(
            username=username,
            password=PASSWORD,
            role=Role.NRA_STAFF,
            organisation_code="NRA",
            personal_data=personal_data,
        )
        return User.objects.get(pk=user.pk)

    return make


@pytest.fixture
def staff(make_staff: Callable[..., User]) -> User:
    return make_staff("noy", personal_data=True)


@pytest.fixture
def reviewer_browser(staff: User) -> Client:
    """`staff` (NRA staff with the personal-data permission, over the seeded reference data)
    logged into the admin; `staff_browser` is NRA staff without that permission."""
    client = Client()
    client.force_login(staff)
    return client


def versions(model: str, record_id: str) -> list[tuple[Any, ...]]:
    """(version, op, source, username, device name) of every version of a record, in order."""
    return [
        (
            v.version,
            v.op,
            v.source,
            v.user.username if v.user else None,
            v.device.name if v.device else None,
        )
        for v in RecordVersion.objects.filter(model=model, record_id=record_id)
        .select_related("user", "device")
        .order_by("version")
    ]


def pulled(changes: list[dict[str, Any]], model: str) -> dict[str, dict[str, Any]]:
    """The changes of one wire model in a pull page, by record id."""
    return {change["id"]: change for change in changes if change["model"] == model}


def form_post(data: dict[str, Any]) -> dict[str, Any]:
    """Wire data as a browser posts the fix-and-apply form (empty for null, text for numbers)."""
    posted: dict[str, Any] = {}
    for name, value in data.items():
        if value is None or value is False:
            continue
        posted[name] = value if isinstance(value, list) else str(value)
    return posted
