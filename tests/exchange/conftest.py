"""Fixtures of the import and export tests: an NRA officer who imports (accounts and tablets come
from tests.helpers.sync)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fieldsync.models import Role, User


@pytest.fixture
def officer(seeded: None, make_user: Callable[..., User]) -> User:
    """An NRA data officer who may see personal data."""
    return make_user("nra-officer", role=Role.NRA_STAFF, organisation="NRA", personal_data=True)
