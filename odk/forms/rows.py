"""The cells of an XLSForm: survey rows with English and Lao texts, choice rows, settings.

Lao text is rendered from the same lazy strings as the admin's (the Lao catalogue), so a label
is translated once for the whole project.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from accidents.choices import YesNoUnknown
from fieldsync.fields.attachments import MAX_ATTACHMENTS

Row = dict[str, str]
XLSForm = dict[str, list[Row]]

ENGLISH = "English (en)"
LAO = "Lao (lo)"


class Interpolated:
    """A lazy string and its %-parameters: formatted only when rendered in a language."""

    def __init__(self, text: Any, **params: Any) -> None:
        self.text = text
        self.params = params

    def __str__(self) -> str:
        return str(self.text) % self.params


def columns(rows: Iterable[Row]) -> list[str]:
    """A sheet's columns: every key of its rows, in the order they first appear."""
    return list(dict.fromkeys(key for row in rows for key in row))


def bilingual(column: str, text: Any) -> Row:
    """`column` in English and Lao: a lazy string rendered in each language."""
    with override("en"):
        english = str(text)
    with override("lo"):
        lao = str(text)
    return {f"{column}::{ENGLISH}": english, f"{column}::{LAO}": lao}


def question(
    kind: str,
    name: str,
    label: Any = None,
    *,
    hint: Any = None,
    message: Any = None,
    **columns: str,
) -> Row:
    """One survey row: labels, hints and constraint messages in both languages."""
    row: Row = {"type": kind, "name": name, **columns}
    if label is not None:
        row |= bilingual("label", label)
    if hint is not None:
        row |= bilingual("hint", hint)
    if message is not None:
        row |= bilingual("constraint_message", message)
    return row


def calculate(name: str, calculation: str) -> Row:
    return {"type": "calculate", "name": name, "calculation": calculation}


def max_length(model: type[models.Model], field: str) -> int:
    """The model's column length is the dictionary's "text ≤ N" (one source)."""
    length = getattr(model._meta.get_field(field), "max_length", None)
    if length is None:
        raise ValueError(f"{model.__name__}.{field} has no length limit")
    return length


def text(
    model: type[models.Model], name: str, label: Any, *, hint: Any = None, **columns: str
) -> Row:
    """A text question limited to its model field's length."""
    limit = max_length(model, name)
    return question(
        "text",
        name,
        label,
        hint=hint,
        constraint=f"string-length(.) <= {limit}",
        message=Interpolated(_("At most %(count)s characters."), count=limit),
        **columns,
    )


def photos(repeat: str, name: str, label: Any, **columns: str) -> list[Row]:
    """A repeat of one image each, at most the attachment limit (attachments.md)."""
    return [
        question("begin_repeat", repeat, label, **columns),
        question(
            "image",
            name,
            label,
            constraint=f"position(..) <= {MAX_ATTACHMENTS}",
            message=Interpolated(_("At most %(count)s files."), count=MAX_ATTACHMENTS),
        ),
        {"type": "end_repeat", "name": repeat},
    ]


def vocabulary(list_name: str, choices: Iterable[tuple[str, Any]]) -> list[Row]:
    """Choice rows of a vocabulary (TextChoices' `choices`: labels already translated)."""
    return [
        {"list_name": list_name, "name": code} | bilingual("label", label)
        for code, label in choices
    ]


def named(list_name: str, code: str, english: str, lao: str, **columns: str) -> Row:
    """A reference row as a choice: its Lao name when it has one, its English name otherwise."""
    return {
        "list_name": list_name,
        "name": code,
        f"label::{ENGLISH}": english,
        f"label::{LAO}": lao or english,
        **columns,
    }


def yes_no() -> list[Row]:
    yes, no = YesNoUnknown.YES, YesNoUnknown.NO
    return vocabulary("yes_no", [(yes.value, yes.label), (no.value, no.label)])


def settings(form_id: str, title: Any, version: str, instance_name: str) -> list[Row]:
    """One settings row; the title in English (an XForm title has no translations)."""
    with override("en"):
        english_title = str(title)
    return [
        {
            "form_id": form_id,
            "form_title": english_title,
            "version": version,
            "default_language": ENGLISH,
            "instance_name": instance_name,
        }
    ]
