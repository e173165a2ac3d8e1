"""The fix-and-apply page of a held or rejected record: its form (or JSON), the engine's reasons
beside the fields, and what applying it did. The admin view only wires it to the request."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext

from fieldsync.admin.personal import mask_personal_data
from fieldsync.admin.record_form import JsonFixError, RecordFixForm, field_label, json_fix_data
from fieldsync.messages import message_translated
from fieldsync.models import REVIEWABLE, InboxRecord, InboxStatus, User
from fieldsync.registry import registry
from fieldsync.services.review import (
    ReviewError,
    inbox_record_data,
    inbox_record_fix,
    inbox_record_fix_initial,
)

Refusal = tuple[str, str, list[str]]  # wire field, its label, the messages


@dataclass
class FixPage:
    record: InboxRecord
    hidden: frozenset[str]
    can_fix: bool
    form: RecordFixForm | None
    json_text: str
    json_error: str = ""
    json_refusals: list[Refusal] = field(default_factory=list)

    @classmethod
    def of(cls, record: InboxRecord, *, hidden: frozenset[str]) -> FixPage:
        """The page before anything is sent: the form filled with what applying would store."""
        data = inbox_record_data(inbox_record=record)
        can_fix = data is not None and record.status in REVIEWABLE
        shown = mask_personal_data(data, hidden) if data is not None else None
        form = None
        if can_fix:
            initial = inbox_record_fix_initial(inbox_record=record)
            form = RecordFixForm(initial=initial, wire_model=record.model, hidden=hidden)
        return cls(
            record=record,
            hidden=hidden,
            can_fix=can_fix,
            form=form,
            json_text=json.dumps(shown, indent=2, ensure_ascii=False, sort_keys=True),
        )

    def submit(self, posted: QueryDict, *, by: User) -> InboxRecord | None:
        """Apply the form (or the JSON) sent: the replacement record, or None with the errors
        kept on the page."""
        fixed: dict[str, Any] | None = None
        as_json = posted.get("mode") == "json"
        if as_json:
            self.json_text = posted.get("data", "")
            try:
                fixed = json_fix_data(self.json_text, wire_model=self.record.model)
            except JsonFixError as error:
                self.json_error = str(error)
        else:
            self.form = RecordFixForm(posted, wire_model=self.record.model, hidden=self.hidden)
            fixed = self.form.wire_data() if self.form.is_valid() else None
        if fixed is None:
            return None
        try:
            return inbox_record_fix(inbox_record_id=self.record.pk, data=fixed, by=by)
        except ReviewError as error:
            if as_json or self.form is None:
                self.json_error = str(error)
                self.json_refusals = labelled(self.record, error.errors)
            else:
                self.form.add_error(None, str(error))
                self.form.add_engine_errors(error.errors)
            return None

    def context(self) -> dict[str, Any]:
        form, refused = self.form, errors_of(self.record)
        return {
            "form": form,
            "rows": [(form[name], refused.get(name, [])) for name in form.fields] if form else [],
            "refusals": [
                r for r in refusals(self.record) if form is None or r[0] not in form.fields
            ],
            "json_text": self.json_text,
            "json_error": self.json_error,
            "json_refusals": self.json_refusals,
            "json_open": bool(self.json_error),
            "can_fix": self.can_fix,
        }


def fixed_message(replacement: InboxRecord) -> str:
    if replacement.status == InboxStatus.UNCHANGED:
        return gettext("The record already holds these values: the received record is resolved.")
    return gettext("The record was fixed and applied (%(status)s).") % {
        "status": replacement.get_status_display()
    }


def errors_of(record: InboxRecord) -> dict[str, list[str]]:
    """Why the engine refused the record, per wire field, in the reader's language."""
    result = record.result if isinstance(record.result, dict) else {}
    errors = result.get("errors")
    if not isinstance(errors, dict):
        return {}
    return {
        str(name): [message_translated(str(m)) for m in _listed(found)]
        for name, found in errors.items()
    }


def refusals(record: InboxRecord) -> list[Refusal]:
    """(wire field, its label, messages) of the engine's refusal of a record."""
    return labelled(record, errors_of(record))


def labelled(record: InboxRecord, errors: Mapping[str, Any]) -> list[Refusal]:
    adapter = registry.get(record.model)
    rows = []
    for name, found in errors.items():
        label = field_label(adapter, name) if adapter is not None else name
        if name == "non_field_errors":
            label = gettext("The record")
        rows.append((name, label, [message_translated(str(m)) for m in _listed(found)]))
    return rows


def _listed(messages: Any) -> list[Any]:
    return messages if isinstance(messages, list) else [messages]
