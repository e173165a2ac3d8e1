"""Attachment references: a record names its files by content (contract: attachments.md)."""

from __future__ import annotations

import re
from typing import Any

from fieldsync.fields.base import NOT_A_STRING, FieldError, Spec
from fieldsync.fields.text import _check_string

#: The file types a record may carry; anything else is refused on upload (415).
ATTACHMENT_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")
IMAGE_TYPES = frozenset(ATTACHMENT_TYPES[:3])
MAX_ATTACHMENTS = 20
MAX_NAME_LENGTH = 255
SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def sha256_of(value: Any) -> str:
    """A sha256 as canonical lowercase hex; FieldError if it is not one."""
    if not isinstance(value, str) or not SHA256.fullmatch(value):
        raise FieldError("Must be a SHA-256 as 64 hexadecimal characters.")
    return value.lower()


class AttachmentList(Spec):
    """A list of `{"sha256", "name", "content_type"}`, at most 20, each file once.

    Keys besides those three are dropped (a client may keep its own, such as a local path).
    """

    __slots__ = ()

    def empty(self) -> list[dict[str, str]]:
        return []

    def check(self, value: Any) -> list[dict[str, str]]:
        if not isinstance(value, list | tuple):
            raise FieldError(f'Expected a list of items but got type "{type(value).__name__}".')
        if len(value) > MAX_ATTACHMENTS:
            raise FieldError(f"Ensure this field has no more than {MAX_ATTACHMENTS} elements.")
        messages: list[str] = []
        cleaned: list[dict[str, str]] = []
        seen: set[str] = set()
        for position, item in enumerate(value, start=1):
            try:
                reference = _reference(item)
            except FieldError as error:
                messages.extend(f"Item {position}: {message}" for message in error.messages)
                continue
            if reference["sha256"] in seen:
                messages.append(f"Item {position}: this file is listed more than once.")
                continue
            seen.add(reference["sha256"])
            cleaned.append(reference)
        if messages:
            raise FieldError(*messages)
        return cleaned

    def to_wire(self, value: Any) -> list[dict[str, str]]:
        return [dict(item) for item in value or ()]

    def to_model(self, value: Any) -> list[dict[str, str]]:
        return [dict(item) for item in value]


def _reference(item: Any) -> dict[str, str]:
    if not isinstance(item, dict):
        raise FieldError('Expected an object with "sha256", "name" and "content_type".')
    errors: list[str] = []
    for key in ("sha256", "name", "content_type"):
        if key not in item:
            errors.append(f'"{key}" is required.')
    if errors:
        raise FieldError(*errors)
    sha256 = sha256_of(item["sha256"])
    name = item["name"]
    if not isinstance(name, str):
        raise FieldError(f'"name": {NOT_A_STRING}')
    if not name or len(name) > MAX_NAME_LENGTH:
        raise FieldError(f'"name" must have 1 to {MAX_NAME_LENGTH} characters.')
    _check_string(name)
    content_type = item["content_type"]
    if content_type not in ATTACHMENT_TYPES:
        raise FieldError(
            f'"content_type" must be one of {", ".join(ATTACHMENT_TYPES)}; got "{content_type}".'
        )
    return {"sha256": sha256, "name": name, "content_type": content_type}
