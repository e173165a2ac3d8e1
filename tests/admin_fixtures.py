"""Admin browsers shared by the apps' admin tests (registered in tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from fieldsync.models import Role, User
from fieldsync.services.accounts import account_create_or_update
from tests.factories import OrganisationFactory, UserFactory


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
