"""Fixtures of the import and export tests: the sync tests' accounts and tablets, an NRA officer
who imports, and the sample files of docs/samples/."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from exchange.imports import ImportPlan, import_plan
from fieldsync.models import Role, User
from tests.sync.conftest import PASSWORD, Tablet, make_tablet, make_user, seeded

__all__ = ["PASSWORD", "Tablet", "make_tablet", "make_user", "seeded"]

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"


@pytest.fixture
def officer(seeded: None, make_user: Callable[..., User]) -> User:
    """An NRA data officer who may see personal data."""
    return make_user("nra-officer", role=Role.NRA_STAFF, organisation="NRA", personal_data=True)


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def xlsx_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    """A workbook with these sheets (name -> rows, the header first)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plan_of(
    content: bytes, user: User, file_name: str = "file.csv", kind: str | None = None
) -> ImportPlan:
    return import_plan(content=content, file_name=file_name, user=user, kind=kind)
