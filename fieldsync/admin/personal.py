"""Personal data in the engine's admin: which fields are personal, who may see them, the mask."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest

from fieldsync.models import User

MASK = "•••"

# Wire model -> its personal fields, hidden from readers without the personal-data permission.
# Domain apps declare theirs (`hide_personal_fields`); fieldsync knows no domain model.
_personal_fields: dict[str, frozenset[str]] = {}


def hide_personal_fields(wire_model: str, fields: Sequence[str]) -> None:
    """Mask these fields of `wire_model` wherever the engine's admin shows raw record data."""
    _personal_fields[wire_model] = frozenset(fields)


def sees_personal_data(request: HttpRequest) -> bool:
    user = request.user
    return isinstance(user, User) and user.sees_personal_data()


def mask_personal_data(value: Any, personal: frozenset[str] = frozenset()) -> Any:
    """`value` (JSON) with the personal fields masked; a dict naming its `model` switches set."""
    if isinstance(value, dict):
        model = value.get("model")
        if isinstance(model, str):
            personal = _personal_fields.get(model, frozenset())
        return {
            key: MASK if key in personal else mask_personal_data(item, personal)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_personal_data(item, personal) for item in value]
    return value


def masked_value(value: Any, *, personal: bool, visible: bool) -> Any:
    """One field's value as a reader may see it."""
    return MASK if personal and not visible and value not in (None, "", []) else value


def personal_fields_of(wire_model: str) -> frozenset[str]:
    return _personal_fields.get(wire_model, frozenset())
