"""The sync tests' tablets and accounts, shared here by import (pytest 9 reads
`pytest_plugins` only from the root conftest)."""

from __future__ import annotations

from tests.sync.conftest import PASSWORD, Tablet, make_tablet, make_user, seeded, tablet

__all__ = ["PASSWORD", "Tablet", "make_tablet", "make_user", "seeded", "tablet"]
