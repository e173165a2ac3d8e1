"""Rows as a WatermelonDB field app writes them: the data dictionary's fields
(tests.helpers.records), references to records as `<field>_id`, lists as JSON strings
(watermelondb.md)."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import records

PARENTS = {"accident": "accident_id", "related_victim": "related_victim_id", "victim": "victim_id"}


def as_columns(data: dict[str, Any]) -> dict[str, Any]:
    """A record's wire fields as the columns of its WatermelonDB row."""
    return {
        PARENTS.get(name, name): json.dumps(value) if isinstance(value, list) else value
        for name, value in data.items()
    }


def accident(**changes: Any) -> dict[str, Any]:
    # reporting_organisation and reported_on are left unset: the server fills them in.
    return as_columns(records.accident()) | changes


def victim(accident_id: str | None, **changes: Any) -> dict[str, Any]:
    return as_columns(records.victim(accident=accident_id)) | changes


def assistance(victim_id: str, **changes: Any) -> dict[str, Any]:
    return as_columns(records.assistance(victim=victim_id)) | changes
