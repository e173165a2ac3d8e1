"""Small readers shared by the workflow tests."""

from __future__ import annotations

from typing import Any

from fieldsync.models import RecordVersion


def versions(model: str, record_id: str) -> list[tuple[Any, ...]]:
    """(version, op, source, username, device name) of every version of a record, in order."""
    return [
        (
            v.version,
            v.op,
            v.source,
            v.user.username if v.user else None,
            v.device.name if v.device else None,
        )
        for v in RecordVersion.objects.filter(model=model, record_id=record_id)
        .select_related("user", "device")
        .order_by("version")
    ]


def pulled(changes: list[dict[str, Any]], model: str) -> dict[str, dict[str, Any]]:
    """The changes of one wire model in a pull page, by record id."""
    return {change["id"]: change for change in changes if change["model"] == model}
