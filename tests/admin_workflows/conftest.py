"""Fixtures for the NRA review workflows: tablets over HTTP (tests/sync) and NRA staff in admin."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fieldsync.models import Role, User
from fieldsync.services.accounts import account_create_or_update
from tests.sync.conftest import (  # noqa: F401  (fixtures shared with the sync tests)
    PASSWORD,
    Tablet,
    make_tablet,
    make_user,
    seeded,
    tablet,
)


@pytest.fixture
def make_staff(seeded: None) -> Callable[..., User]:  # noqa: F811  (the imported fixture)
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
def staff_browser(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client
