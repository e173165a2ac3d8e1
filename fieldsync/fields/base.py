"""The base of every wire field: `Spec`, `FieldError`, `MISSING` and the shared messages."""

from __future__ import annotations

from typing import Any

REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
NOT_BLANK = "This field may not be blank."
NOT_A_STRING = "Not a valid string."

Errors = dict[str, list[str]]


class FieldError(ValueError):
    """A wire value that cannot be accepted; `messages` are shown to the surveyor."""

    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = list(messages)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""Marks a field absent from a record (None is a value: JSON null)."""


class Spec:
    """One wire field. `clean` returns the canonical value or raises FieldError.

    `required`: must be present when a record is created. `null`: JSON null is a value.
    `default`: the value of an optional field left out (else `empty`, else None if nullable).
    """

    __slots__ = ("default", "null", "required")

    def __init__(self, *, required: bool = False, null: bool = False, default: Any = MISSING):
        self.required = required
        self.null = null
        self.default = default

    def clean(self, value: Any) -> Any:
        if value is None:
            if self.null:
                return None
            raise FieldError(NOT_NULL)
        return self.check(value)

    def check(self, value: Any) -> Any:
        """Clean a value that is not None."""
        raise NotImplementedError

    def empty(self) -> Any:
        """Canonical value of an optional, non-nullable field left out (MISSING: none)."""
        return MISSING

    def missing(self) -> Any:
        """The canonical value of this field when a record leaves it out."""
        if not self.required:
            if self.default is not MISSING:
                return self.clean(self.default)
            if self.null:
                return None
            empty = self.empty()
            if empty is not MISSING:
                return empty
        raise FieldError(REQUIRED)

    def to_wire(self, value: Any) -> Any:
        """The canonical wire value of a model attribute."""
        return value

    def to_model(self, value: Any) -> Any:
        """The model attribute value of a canonical wire value."""
        return value
