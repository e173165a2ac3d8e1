"""The generic column machinery: a column, and the layout of one kind of record's sheet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from exchange.columns.values import Reader, read_text
from fieldsync.fields import FieldError, Spec


@dataclass(frozen=True)
class Column:
    """One import column: the wire field it fills (or the parent it names) and how it reads."""

    name: str
    field: str
    read: Reader = read_text
    #: For `<parent>_legacy_id` columns: the parent's wire model.
    parent: str | None = None


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of record, in the order of the sample files."""

    model: str
    columns: tuple[Column, ...]
    specs: Mapping[str, Spec]

    def column(self, name: str) -> Column | None:
        return self._by_name.get(name)

    @cached_property
    def _by_name(self) -> dict[str, Column]:
        return {column.name: column for column in self.columns}

    def position(self, column: str) -> int:
        """Where a column comes in the layout (the row as a whole, "", first)."""
        names = [c.name for c in self.columns]
        return names.index(column) + 1 if column in names else 0

    def column_of_field(self, field: str) -> str:
        """The column to blame for a wire field's error ("" for the row as a whole)."""
        for column in self.columns:
            if column.field == field:
                return column.name
        return ""

    def empty_value(self, field: str) -> Any:
        """The wire value of an empty cell: the field's default or blank, or nothing at all
        (the field is left out) when the field is required or defaults to the sender's values."""
        try:
            return self.specs[field].missing()
        except FieldError:
            return _LEAVE_OUT


_LEAVE_OUT: Any = object()


def leaves_out(value: Any) -> bool:
    return value is _LEAVE_OUT
