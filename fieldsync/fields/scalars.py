"""Dates, booleans and references to other records."""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

from fieldsync.fields.base import FieldError, Spec

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class Date(Spec):
    """A calendar date, "YYYY-MM-DD"."""

    __slots__ = ()
    WRONG_FORMAT = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."

    def check(self, value: Any) -> str:
        if isinstance(value, datetime.datetime):
            raise FieldError("Expected a date but got a datetime.")
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                pass
            else:
                return value
        raise FieldError(self.WRONG_FORMAT)

    def to_wire(self, value: Any) -> str | None:
        return None if value is None else value.isoformat()

    def to_model(self, value: Any) -> datetime.date | None:
        return None if value is None else datetime.date.fromisoformat(value)


class Boolean(Spec):
    """JSON true or false, nothing else."""

    __slots__ = ()

    def check(self, value: Any) -> bool:
        if value is True or value is False:
            return value
        raise FieldError("Must be a valid boolean.")


class UUIDRef(Spec):
    """The id of another record: canonical lowercase hyphenated string."""

    __slots__ = ()

    def check(self, value: Any) -> str:
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, str) and len(value) <= 45:  # the longest form: urn:uuid:...
            try:
                return str(uuid.UUID(value))
            except ValueError:
                pass
        raise FieldError("Must be a valid UUID.")

    def to_wire(self, value: Any) -> str | None:
        return None if value is None else str(value)

    def to_model(self, value: Any) -> uuid.UUID | None:
        return None if value is None else uuid.UUID(value)
