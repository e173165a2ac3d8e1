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

from fieldsync.fields.attachments import (
    ATTACHMENT_TYPES,
    IMAGE_TYPES,
    MAX_ATTACHMENTS,
    MAX_NAME_LENGTH,
    AttachmentList,
    sha256_of,
)
from fieldsync.fields.base import (
    MISSING,
    NOT_A_STRING,
    NOT_BLANK,
    NOT_NULL,
    REQUIRED,
    Errors,
    FieldError,
    Spec,
)
from fieldsync.fields.numeric import Coordinate, Decimal, Integer, ascii_natural
from fieldsync.fields.records import assign_to_instance, clean_record, instance_to_wire
from fieldsync.fields.scalars import Boolean, Date, UUIDRef
from fieldsync.fields.text import Choice, ChoiceList, Code, Text

__all__ = [
    "ATTACHMENT_TYPES",
    "IMAGE_TYPES",
    "MAX_ATTACHMENTS",
    "MAX_NAME_LENGTH",
    "MISSING",
    "NOT_A_STRING",
    "NOT_BLANK",
    "NOT_NULL",
    "REQUIRED",
    "AttachmentList",
    "Boolean",
    "Choice",
    "ChoiceList",
    "Code",
    "Coordinate",
    "Date",
    "Decimal",
    "Errors",
    "FieldError",
    "Integer",
    "Spec",
    "Text",
    "UUIDRef",
    "ascii_natural",
    "assign_to_instance",
    "clean_record",
    "instance_to_wire",
    "sha256_of",
]
