"""A record's fields as a sync adapter validates them (the `data` of a wire record, no envelope),
for the validation and adapter tests of accidents and victims. Wire records, with model, id, op
and base version, are built by tests.helpers.sync."""

from __future__ import annotations

from typing import Any

ACCIDENT_ID = "5b0f4c1e-6f0a-4c51-9d43-6c1e7a1b2c3d"
CASUALTY_ID = "0c9e8d7f-1a2b-4c3d-8e9f-0a1b2c3d4e5f"


def accident(**changes: Any) -> dict[str, Any]:
    data = {
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
    }
    data.update(changes)
    return data


def victim(**changes: Any) -> dict[str, Any]:
    data = {
        "victim_type": "direct",
        "accident": ACCIDENT_ID,
        "outcome": "injured",
        "sex": "male",
        "age_years": 12,
        "consent": "guardian",
        "full_name": "Somchai K.",
        "guardian_name": "Bounmy K.",
        "injuries": ["hand_fingers"],
    }
    data.update(changes)
    return data


def family_member(**changes: Any) -> dict[str, Any]:
    data = victim(
        victim_type="indirect",
        accident=None,
        related_victim=CASUALTY_ID,
        relationship="parent",
        outcome="",
        injuries=[],
    )
    data.update(changes)
    return data


def assistance(**changes: Any) -> dict[str, Any]:
    data = {
        "victim": CASUALTY_ID,
        "pillar": "physical_rehabilitation",
        "service_type": "prosthesis",
        "provider_organisation": "COPE",
        "status": "referred",
    }
    data.update(changes)
    return data
