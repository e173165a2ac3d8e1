"""Whole records: clean a record's fields, read them from and set them on a model instance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fieldsync.fields.base import MISSING, Errors, FieldError, Spec


def clean_record(
    specs: Mapping[str, Spec], data: Mapping[str, Any]
) -> tuple[dict[str, Any], Errors]:
    """Clean every field of `specs` (absent ones take their default); errors per field."""
    cleaned: dict[str, Any] = {}
    errors: Errors = {}
    for name, spec in specs.items():
        value = data.get(name, MISSING)
        try:
            cleaned[name] = spec.missing() if value is MISSING else spec.clean(value)
        except FieldError as error:
            errors[name] = error.messages
    return cleaned, errors


def instance_to_wire(
    specs: Mapping[str, Spec], attnames: Mapping[str, str], instance: Any
) -> dict[str, Any]:
    """The canonical wire values of a model instance (`attnames`: wire name -> attribute)."""
    return {name: spec.to_wire(getattr(instance, attnames[name])) for name, spec in specs.items()}


def assign_to_instance(
    specs: Mapping[str, Spec], attnames: Mapping[str, str], instance: Any, data: Mapping[str, Any]
) -> list[str]:
    """Set canonical wire values on an instance; returns the wire names whose value changed."""
    changed: list[str] = []
    for name, value in data.items():
        spec = specs.get(name)
        if spec is None:
            continue
        attname = attnames[name]
        if spec.to_wire(getattr(instance, attname)) != value:
            setattr(instance, attname, spec.to_model(value))
            changed.append(name)
    return changed
