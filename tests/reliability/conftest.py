"""Fixtures of the fault tests (the servers and tablets they drive are in tests.helpers)."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
