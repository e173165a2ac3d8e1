"""Wire fields: small, fast checks that turn a JSON value into its canonical form.

A push validates thousands of records a second, so each record is checked by plain Python
specs rather than a serializer per record. Messages follow Django REST framework's, so a tablet
shows the same text whichever endpoint refused a value.

Canonical forms are what `to_wire` produces from the database, so that a value a tablet sends
and the server's copy compare equal when they mean the same: dates as "YYYY-MM-DD", UUIDs as
lowercase hyphenated strings, decimals as strings with a fixed number of places (or floats where
the spec says so), choice lists in the vocabulary's declaration order. Text is never trimmed:
what a surveyor typed is kept as typed.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal as _Decimal
from decimal import InvalidOperation
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

_SURROGATE = re.compile("[\ud800-\udfff]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_MAX_NUMBER_STRING = 100


def _check_string(value: str) -> None:
    # PostgreSQL refuses NUL in text and lone surrogates cannot be encoded as UTF-8.
    if "\x00" in value:
        raise FieldError("Null characters are not allowed.")
    if not value.isascii():
        surrogate = _SURROGATE.search(value)
        if surrogate:
            raise FieldError(f"Surrogate characters are not allowed: U+{ord(surrogate[0]):X}.")


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


class Text(Spec):
    """Free text of at most `max_length` characters; blank is "" (never null)."""

    __slots__ = ("blank", "max_length")

    def __init__(self, max_length: int, *, blank: bool = True, **options: Any) -> None:
        super().__init__(**options)
        self.max_length = max_length
        self.blank = blank

    def empty(self) -> Any:
        return "" if self.blank else MISSING

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise FieldError(NOT_A_STRING)
        if not value and not self.blank:
            raise FieldError(NOT_BLANK)
        if len(value) > self.max_length:
            raise FieldError(f"Ensure this field has no more than {self.max_length} characters.")
        _check_string(value)
        return value


class Code(Text):
    """A reference code (province, organisation...); whether it exists is the adapter's check."""

    __slots__ = ()

    def __init__(self, **options: Any) -> None:
        super().__init__(64, blank=False, **options)


class Choice(Spec):
    """One code of a vocabulary. With `blank`, "" (or null, stored as "") means none."""

    __slots__ = ("blank", "choices")

    def __init__(self, choices: Iterable[str], *, blank: bool = False, **options: Any) -> None:
        super().__init__(**options)
        self.choices = frozenset(choices)
        self.blank = blank

    def empty(self) -> Any:
        return "" if self.blank else MISSING

    def clean(self, value: Any) -> Any:
        if value is None and self.blank:
            return ""
        return super().clean(value)

    def check(self, value: Any) -> str:
        if isinstance(value, str) and (value in self.choices or (self.blank and value == "")):
            return value
        raise FieldError(f'"{value}" is not a valid choice.')


class ChoiceList(Spec):
    """A list of codes of a vocabulary, canonical in the vocabulary's declaration order."""

    __slots__ = ("order", "unique")

    def __init__(self, choices: Iterable[str], *, unique: bool = True, **options: Any) -> None:
        super().__init__(**options)
        self.order = {code: position for position, code in enumerate(choices)}
        self.unique = unique

    def empty(self) -> list[str]:
        return []

    def check(self, value: Any) -> list[str]:
        if not isinstance(value, list | tuple):
            raise FieldError(f'Expected a list of items but got type "{type(value).__name__}".')
        messages: list[str] = []
        seen: set[str] = set()
        for item in value:
            if not isinstance(item, str) or item not in self.order:
                messages.append(f'"{item}" is not a valid choice.')
            elif item in seen:
                if self.unique:
                    message = f'"{item}" is listed more than once.'
                    if message not in messages:
                        messages.append(message)
            else:
                seen.add(item)
        if messages:
            raise FieldError(*messages)
        return self.to_wire(value)

    def to_wire(self, value: Any) -> list[str]:
        items = value if not self.unique else dict.fromkeys(value)
        last = len(self.order)  # a code no longer in the vocabulary sorts last, never crashes
        return sorted(items, key=lambda code: self.order.get(code, last))

    def to_model(self, value: Any) -> list[str]:
        return list(value)


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


class Integer(Spec):
    """A JSON integer (a float without a fraction is accepted; strings and booleans are not)."""

    __slots__ = ("max_value", "min_value")
    INVALID = "A valid integer is required."

    def __init__(
        self, *, min_value: int | None = None, max_value: int | None = None, **options: Any
    ) -> None:
        super().__init__(**options)
        self.min_value = min_value
        self.max_value = max_value

    def check(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FieldError(self.INVALID)
        if isinstance(value, float):
            if not value.is_integer():
                raise FieldError(self.INVALID)
            value = int(value)
        if self.min_value is not None and value < self.min_value:
            raise FieldError(f"Ensure this value is greater than or equal to {self.min_value}.")
        if self.max_value is not None and value > self.max_value:
            raise FieldError(f"Ensure this value is less than or equal to {self.max_value}.")
        return value


class Boolean(Spec):
    """JSON true or false, nothing else."""

    __slots__ = ()

    def check(self, value: Any) -> bool:
        if value is True or value is False:
            return value
        raise FieldError("Must be a valid boolean.")


class Decimal(Spec):
    """A number with at most `decimal_places` places (a JSON number or a numeric string).

    Canonical: a string with exactly `decimal_places` places ("1500000.00"), or with `as_float`
    a float rounded to them. With `round_places` extra places are rounded (GPS readings),
    otherwise refused (money).
    """

    __slots__ = (
        "as_float",
        "decimal_places",
        "exponent",
        "max_value",
        "min_value",
        "round_places",
        "whole_digits",
    )
    INVALID = "A valid number is required."

    def __init__(
        self,
        max_digits: int,
        decimal_places: int,
        *,
        min_value: int | _Decimal | None = None,
        max_value: int | _Decimal | None = None,
        as_float: bool = False,
        round_places: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.decimal_places = decimal_places
        self.whole_digits = max_digits - decimal_places
        self.exponent = _Decimal(1).scaleb(-decimal_places)
        self.min_value = min_value
        self.max_value = max_value
        self.as_float = as_float
        self.round_places = round_places

    def check(self, value: Any) -> Any:
        if isinstance(value, bool):
            raise FieldError(self.INVALID)
        if isinstance(value, int):
            number = _Decimal(value)
        elif isinstance(value, float):
            number = _Decimal(repr(value))  # the shortest repr: 0.1 stays 0.1
        elif isinstance(value, str | _Decimal):
            if isinstance(value, str) and len(value) > _MAX_NUMBER_STRING:
                raise FieldError("String value too large.")
            try:
                number = _Decimal(value.strip() if isinstance(value, str) else value)
            except InvalidOperation:
                raise FieldError(self.INVALID) from None
        else:
            raise FieldError(self.INVALID)
        if not number.is_finite():
            raise FieldError(self.INVALID)
        self._check_whole_digits(number)
        exponent = number.as_tuple().exponent
        if not self.round_places and isinstance(exponent, int) and exponent < -self.decimal_places:
            number = number.normalize()  # 1.500 has two places, not three
            exponent = number.as_tuple().exponent
            if isinstance(exponent, int) and exponent < -self.decimal_places:
                raise FieldError(
                    f"Ensure that there are no more than {self.decimal_places} decimal places."
                )
        number = number.quantize(self.exponent)
        self._check_whole_digits(number)
        if self.min_value is not None and number < self.min_value:
            raise FieldError(f"Ensure this value is greater than or equal to {self.min_value}.")
        if self.max_value is not None and number > self.max_value:
            raise FieldError(f"Ensure this value is less than or equal to {self.max_value}.")
        return self._wire(number)

    def _check_whole_digits(self, number: _Decimal) -> None:
        if number and number.adjusted() >= self.whole_digits:
            raise FieldError(
                f"Ensure that there are no more than {self.whole_digits} digits before the "
                "decimal point."
            )

    def _wire(self, number: _Decimal) -> Any:
        if not number:
            number = abs(number)  # no "-0.00"
        return float(number) if self.as_float else f"{number:f}"

    def to_wire(self, value: Any) -> Any:
        return None if value is None else self._wire(_Decimal(value).quantize(self.exponent))

    def to_model(self, value: Any) -> _Decimal | None:
        if value is None:
            return None
        text = repr(value) if isinstance(value, float) else str(value)
        return _Decimal(text).quantize(self.exponent)


class Coordinate(Decimal):
    """Decimal degrees (WGS84), rounded to 6 places (about 10 cm); canonical float."""

    __slots__ = ()

    def __init__(self, **options: Any) -> None:
        super().__init__(9, 6, as_float=True, round_places=True, **options)


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
