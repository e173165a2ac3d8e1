"""Shared fixtures; markers for tests that need a real service (they run in CI)."""

from __future__ import annotations

import os
import shutil

import pytest
from django.db import connection

# Fixtures that several folders use (a conftest below tests/ may not declare plugins).
pytest_plugins = ["tests.helpers.sync", "tests.helpers.admin", "tests.helpers.figures"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="run the long fault and load tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = connection.vendor == "postgresql"
    redis_url = os.environ.get("TEST_REDIS_URL", "")
    has_node = bool(shutil.which("node") and shutil.which("npm"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL)"))
        if "redis" in item.keywords and not redis_url:
            item.add_marker(pytest.mark.skip(reason="needs Redis (TEST_REDIS_URL)"))
        if "node" in item.keywords and not has_node:
            item.add_marker(pytest.mark.skip(reason="needs Node.js 20 and npm (CI has them)"))
        if "slow" in item.keywords and not config.getoption("--run-slow"):
            item.add_marker(pytest.mark.skip(reason="long variant: run with --run-slow (CI does)"))
