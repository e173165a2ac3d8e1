"""Rows as a WatermelonDB field app writes them: the data dictionary's fields, references to
records as `<field>_id`, lists as JSON strings (watermelondb.md)."""

from __future__ import annotations

import json
from typing import Any


def accident(**changes: Any) -> dict[str, Any]:
    columns = {
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
        # Defaulted by the server when absent, but a WatermelonDB row always has every column:
        # an app leaving them unset sends "" (the schema marks them not optional).
        "reporting_organisation": "HALO",
        "reported_on": "2026-11-20",
    }
    return columns | changes


def victim(accident_id: str | None, **changes: Any) -> dict[str, Any]:
    columns = {
        "victim_type": "direct",
        "accident_id": accident_id,
        "outcome": "injured",
        "sex": "male",
        "age_years": 12,
        "consent": "guardian",
        "full_name": "Somchai K.",
        "guardian_name": "Bounmy K.",
        "injuries": json.dumps(["hand_fingers"]),
    }
    return columns | changes


def assistance(victim_id: str, **changes: Any) -> dict[str, Any]:
    columns = {
        "victim_id": victim_id,
        "pillar": "physical_rehabilitation",
        "service_type": "prosthesis",
        "provider_organisation": "COPE",
        "status": "referred",
    }
    return columns | changes
