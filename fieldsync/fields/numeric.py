"""Numbers: integers, decimals (money, measures) and GPS coordinates."""

from __future__ import annotations

import re
from decimal import Decimal as _Decimal
from decimal import InvalidOperation
from typing import Any

from fieldsync.fields.base import FieldError, Spec

_MAX_NUMBER_STRING = 100
_ASCII_NATURAL = re.compile(r"[0-9]{1,18}")


def ascii_natural(text: str | None) -> int | None:
    """The number that `text` spells in at most 18 ASCII digits, or None for anything else.

    For query parameters and headers: `str.isdigit()` takes '²', which `int()` then refuses (a
    500), `int()` takes Lao or Arabic-Indic digits, and 4,300 digits or more make it raise.
    """
    if text is None or not _ASCII_NATURAL.fullmatch(text):
        return None
    return int(text)


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
