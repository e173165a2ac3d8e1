"""Text and vocabulary fields: free text, reference codes, one choice, a list of choices."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from fieldsync.fields.base import MISSING, NOT_A_STRING, NOT_BLANK, FieldError, Spec

_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_string(value: str) -> None:
    # PostgreSQL refuses NUL in text and lone surrogates cannot be encoded as UTF-8.
    if "\x00" in value:
        raise FieldError("Null characters are not allowed.")
    if not value.isascii():
        surrogate = _SURROGATE.search(value)
        if surrogate:
            raise FieldError(f"Surrogate characters are not allowed: U+{ord(surrogate[0]):X}.")


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
