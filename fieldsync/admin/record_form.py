"""The fix-and-apply form of a held or rejected record, built from what the registry knows.

fieldsync knows no domain model: each wire field of an adapter becomes a form field from the
Django model field behind it (its label, its vocabulary, the reference table it points to), and
the vocabularies of list fields come from the adapter (`list_vocabularies`). Reference data is
chosen from a select, and read by code or by name as the spreadsheet import reads it.
"""

from __future__ import annotations

import datetime
import decimal
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fieldsync.admin.personal import MASK
from fieldsync.registry import SyncAdapter, registry

EMPTY_CHOICE = ("", "—")


def name_key(text: str) -> str:
    """How names compare (as the import compares them): Unicode-normalised, case, spaces,
    hyphens and dots ignored ("Xieng Khouang" is "xiengkhouang")."""
    return re.sub(r"[\s\-'.]", "", unicodedata.normalize("NFKC", text).casefold())


def model_field(adapter: SyncAdapter, name: str) -> models.Field[Any, Any] | None:
    try:
        field = adapter.model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def field_label(adapter: SyncAdapter, name: str) -> str:
    """A wire field's label in the reader's language (its model field's verbose name)."""
    field = model_field(adapter, name)
    label = str(field.verbose_name) if field is not None else name.replace("_", " ")
    return label[:1].upper() + label[1:]


def reference_model(adapter: SyncAdapter, name: str) -> type[models.Model] | None:
    """The reference table a wire field holds a code of (None for a record id or no link)."""
    field = model_field(adapter, name)
    if field is None or not field.many_to_one or field.related_model is None:
        return None
    related = field.related_model
    if not isinstance(related, type):
        return None
    try:
        if not registry.for_model(related).reference:
            return None  # a synced record (an accident, a victim): an id, not a choice
    except KeyError:
        pass  # not synced (an organisation): reference data all the same
    return related


class ReferenceNames:
    """A reference table read by code or by any of its names (English, Lao, short code)."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.rows = list(model._default_manager.order_by("pk"))
        self.by_key: dict[str, list[models.Model]] = {}
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField) and not f.choices and not f.primary_key
        ]
        for row in self.rows:
            keys = {name_key(str(getattr(row, attname) or "")) for attname in names} - {""}
            for key in keys:
                self.by_key.setdefault(key, []).append(row)
        for row in self.rows:  # a code wins over a name spelt the same
            self.by_key[name_key(str(row.pk))] = [row]

    def choices(self) -> list[tuple[str, str]]:
        return [EMPTY_CHOICE, *((str(row.pk), str(row)) for row in self.rows)]

    def code(self, text: str, record: Mapping[str, Any], adapter: SyncAdapter) -> str:
        """The code of `text`; a name several rows share is read within the record's other
        references (a district name within the record's province). Unknown text is returned
        as is: the engine then refuses it with its own message."""
        found = self.by_key.get(name_key(text), [])
        if len(found) > 1:
            found = [row for row in found if self._fits(row, record, adapter)] or found
        if len(found) > 1:
            raise ValidationError(
                gettext("The name “%(name)s” fits several: %(codes)s. Choose one.")
                % {"name": text, "codes": ", ".join(str(row) for row in found)}
            )
        return str(found[0].pk) if found else text

    def misfit(self, code: str, record: Mapping[str, Any], adapter: SyncAdapter) -> str | None:
        """The record's field a row does not belong with (a district outside its province)."""
        for row in self.rows:
            if str(row.pk) == code:
                return _misfit(row, record, adapter)
        return None

    def _fits(self, row: models.Model, record: Mapping[str, Any], adapter: SyncAdapter) -> bool:
        return _misfit(row, record, adapter) is None


def _misfit(row: models.Model, record: Mapping[str, Any], adapter: SyncAdapter) -> str | None:
    for field in row._meta.concrete_fields:
        if not field.many_to_one:
            continue
        for name, value in record.items():
            same_table = reference_model(adapter, name) is field.related_model
            if same_table and value and str(getattr(row, field.attname)) != str(value):
                return name
    return None


class ReferenceChoiceField(forms.ChoiceField):
    """A select of a reference table that also takes a code or a name typed in."""

    def __init__(self, names: ReferenceNames, **kwargs: Any) -> None:
        super().__init__(choices=names.choices, **kwargs)
        self.names = names

    def validate(self, value: Any) -> None:
        """Only whether it is required: a name is read as a code by the form's `clean`."""
        forms.Field.validate(self, value)

    def known(self, code: str) -> bool:
        return any(str(row.pk) == code for row in self.names.rows)


class RecordFixForm(forms.Form):
    """A record's writable fields, labelled, with vocabularies and reference data as selects.
    Personal fields the reader may not see are shown masked and never sent."""

    def __init__(
        self,
        *args: Any,
        wire_model: str,
        hidden: frozenset[str] = frozenset(),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.adapter = registry[wire_model]
        self.hidden = hidden
        names: dict[type[models.Model], ReferenceNames] = {}
        for name in self.adapter.writable_fields:
            field = _form_field(self.adapter, name, names)
            if name in hidden:
                field = forms.CharField(label=field.label, required=False, disabled=True)
                self.initial[name] = MASK
            elif name in self.adapter.attachment_fields:
                # Files arrive from the device that took them; a fix keeps the record's list.
                field = forms.JSONField(
                    label=field.label,
                    required=False,
                    disabled=True,
                    help_text=_("Files come from the device that took them."),
                )
            self.fields[name] = field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in _parents_first(self.adapter, self.fields):
            field = self.fields[name]
            if isinstance(field, ReferenceChoiceField) and cleaned.get(name):
                try:
                    cleaned[name] = field.names.code(cleaned[name], cleaned, self.adapter)
                except ValidationError as error:
                    self.add_error(name, error)
                    continue
                if not field.known(cleaned[name]):
                    self.add_error(
                        name, gettext("Unknown: “%(value)s”.") % {"value": cleaned[name]}
                    )
                    continue
                other = field.names.misfit(cleaned[name], cleaned, self.adapter)
                if other is not None:
                    self.add_error(name, self._misfit_message(name, other, cleaned))
        return cleaned

    def _misfit_message(self, name: str, other: str, cleaned: Mapping[str, Any]) -> str:
        field, other_field = self.fields[name], self.fields[other]
        labels = [dict(f.choices) for f in (field, other_field)]  # type: ignore[attr-defined]
        return gettext("%(value)s is not in %(other)s.") % {
            "value": labels[0].get(cleaned[name], cleaned[name]),
            "other": labels[1].get(cleaned.get(other), cleaned.get(other)),
        }

    def wire_data(self) -> dict[str, Any]:
        """The cleaned fields as wire values (masked personal fields left out)."""
        data = {}
        for name in self.fields:
            if name in self.hidden or name not in self.cleaned_data:
                continue
            if name in self.adapter.attachment_fields:
                continue
            data[name] = _to_wire(model_field(self.adapter, name), self.cleaned_data[name])
        return data

    def add_engine_errors(self, errors: Mapping[str, Any]) -> None:
        """Put the engine's refusals beside the fields they concern, in the reader's language."""
        for name, messages in errors.items():
            listed = messages if isinstance(messages, list) else [messages]
            text = [gettext(str(message)) for message in listed]
            self.add_error(name if name in self.fields else None, text)


class JsonFixError(ValueError):
    """A JSON fix that cannot be read; the message says where."""


def json_fix_data(text: str, *, wire_model: str) -> dict[str, Any]:
    """The record fields of a JSON fix, with reference names read as codes (as the import does).
    Raises JsonFixError with the line and column of a typo."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise JsonFixError(
            gettext("The JSON is not valid at line %(line)d, column %(column)d: %(problem)s.")
            % {"line": error.lineno, "column": error.colno, "problem": error.msg}
        ) from None
    if not isinstance(data, dict):
        raise JsonFixError(gettext("The data must be a JSON object of the record's fields."))
    adapter = registry[wire_model]
    names: dict[type[models.Model], ReferenceNames] = {}
    for name in _parents_first(adapter, list(data)):
        related, value = reference_model(adapter, name), data[name]
        if related is not None and isinstance(value, str) and value:
            reader = names.setdefault(related, ReferenceNames(related))
            try:
                data[name] = reader.code(value, data, adapter)
            except ValidationError as error:
                raise JsonFixError(f"{name}: {' '.join(error.messages)}") from None
    return data


def _parents_first(adapter: SyncAdapter, names: Iterable[str]) -> list[str]:
    """Reference fields in an order where a province is read before its districts."""

    def links(name: str) -> int:
        related = reference_model(adapter, name)
        if related is None:
            return 0
        return sum(1 for f in related._meta.concrete_fields if f.many_to_one)

    return sorted(names, key=links)


def _form_field(
    adapter: SyncAdapter, name: str, names: dict[type[models.Model], ReferenceNames]
) -> forms.Field:
    field = model_field(adapter, name)
    label = field_label(adapter, name)
    required = field is not None and not field.blank and not field.has_default()
    vocabulary = adapter.list_vocabularies.get(name)
    if vocabulary is not None:
        return forms.MultipleChoiceField(
            label=label, choices=vocabulary, required=False, widget=forms.CheckboxSelectMultiple
        )
    related = reference_model(adapter, name)
    if related is not None:
        reader = names.setdefault(related, ReferenceNames(related))
        return ReferenceChoiceField(reader, label=label, required=required)
    if field is None:
        return forms.CharField(label=label, required=False)
    if field.many_to_one:
        return forms.CharField(
            label=label,
            required=required,
            max_length=64,
            help_text=_("The id of the record it belongs to."),
        )
    if field.choices:
        return forms.ChoiceField(
            label=label, choices=[EMPTY_CHOICE, *field.choices], required=required
        )
    if isinstance(field, models.BooleanField):
        return forms.BooleanField(label=label, required=False)
    if isinstance(field, models.DateField):
        return forms.DateField(
            label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
        )
    if isinstance(field, models.IntegerField):
        return forms.IntegerField(label=label, required=required)
    if isinstance(field, models.DecimalField):
        return forms.DecimalField(label=label, required=required)
    if isinstance(field, models.TextField):
        return forms.CharField(
            label=label,
            required=required,
            strip=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            max_length=field.max_length,
        )
    max_length = getattr(field, "max_length", None)
    return forms.CharField(label=label, required=required, strip=False, max_length=max_length)


def _to_wire(field: models.Field[Any, Any] | None, value: Any) -> Any:
    if value in ("", None):
        return None if field is not None and field.null else ("" if value == "" else None)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value
