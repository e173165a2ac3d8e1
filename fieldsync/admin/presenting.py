"""Records as staff read them in the review pages: which record (an accident's reference; for a
victim, its accident and its sex, age and outcome), field labels, and values as labels.

Built from the registry (the model fields behind the wire fields, the adapters' parents and
`summary_fields`): fieldsync knows no domain model. Personal fields are never part of a summary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from fieldsync.admin.base import admin_url_of
from fieldsync.admin.personal import MASK, personal_fields_of
from fieldsync.admin.record_form import field_label, model_field, reference_model
from fieldsync.models import RecordVersion
from fieldsync.registry import SyncAdapter, registry

NOTHING = "∅"


@dataclass(frozen=True)
class RecordLink:
    """One record named for staff, with its admin page."""

    kind: str  # the model's name: "accident", "victim"
    summary: str
    url: str | None


def value_label(adapter: SyncAdapter, name: str, value: Any, *, visible: bool = True) -> str:
    """A wire value as staff read it: a vocabulary's label, a reference's name, yes or no."""
    if name in personal_fields_of(adapter.wire_name) and not visible:
        return MASK if value not in (None, "", []) else NOTHING
    if value is None or value == "" or value == []:
        return NOTHING
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    vocabulary = adapter.list_vocabularies.get(name)
    field = model_field(adapter, name)
    if vocabulary is None and field is not None and field.choices:
        vocabulary = field.choices
    if vocabulary is not None:
        labels = {str(code): str(label) for code, label in vocabulary}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    related = reference_model(adapter, name)
    if related is not None:
        row = related._default_manager.filter(pk=value).first()
        return str(row) if row is not None else str(value)
    return str(value)


def record_links(model: str, instance: Any) -> list[RecordLink]:
    """The record and the records it belongs to (a victim, then its accident), each named."""
    adapter = registry.get(model)
    if adapter is None or instance is None:
        return []
    links = [
        RecordLink(
            kind=str(adapter.model._meta.verbose_name),
            summary=_summary(adapter, instance),
            url=admin_url_of(model, str(instance.pk)),
        )
    ]
    for ref in adapter.parents:
        parent = getattr(instance, ref.field, None)
        if parent is not None and ref.model != model:
            links.extend(record_links(ref.model, parent))
    return links


def received_links(model: str, record_id: str, data: Any) -> list[RecordLink]:
    """Which record a received one is: itself when stored, else the records it belongs to."""
    adapter = registry.get(model)
    if adapter is None:
        return []
    instance = _stored(adapter, record_id)
    if instance is not None:
        return record_links(model, instance)
    links: list[RecordLink] = []
    for ref in adapter.parents:
        parent_adapter = registry.get(ref.model)
        parent_id = data.get(ref.field) if isinstance(data, dict) else None
        if parent_adapter is not None and parent_id and ref.model != model:
            links.extend(record_links(ref.model, _stored(parent_adapter, str(parent_id))))
    return links


def _stored(adapter: SyncAdapter, record_id: str) -> Any:
    try:
        return adapter.queryset().filter(pk=record_id).first()
    except (ValueError, ValidationError):  # not an id at all
        return None


def record_summaries(rows: Sequence[Any]) -> dict[tuple[str, str], str]:
    """(model, record id) -> how staff know the record, for rows with `model` and `record_id`
    (a page of a list: one query per model)."""
    ids: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if registry.get(row.model) is not None:
            ids[row.model].add(str(row.record_id))
    summaries: dict[tuple[str, str], str] = {}
    for model, record_ids in ids.items():
        for instance in _instances(model, record_ids):
            summary = " · ".join(link.summary for link in reversed(record_links(model, instance)))
            summaries[(model, str(instance.pk))] = summary
    return summaries


def labelled_changes(
    adapter: SyncAdapter, changes: Mapping[str, Any], *, visible: bool
) -> list[tuple[str, str, str]]:
    """A version's {field: [old, new]} as (label, old, new) labels."""
    rows = []
    for name, pair in sorted(changes.items()):
        old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        rows.append(
            (
                field_label(adapter, name),
                value_label(adapter, name, old, visible=visible),
                value_label(adapter, name, new, visible=visible),
            )
        )
    return rows


def _summary(adapter: SyncAdapter, instance: Any) -> str:
    if adapter.summary_fields is None:
        return str(instance)
    wire = adapter.to_wire(instance)
    personal = personal_fields_of(adapter.wire_name)
    parts = [
        f"{field_label(adapter, name)}: {value_label(adapter, name, wire.get(name))}"
        for name in adapter.summary_fields
        if name not in personal
    ]
    return ", ".join(parts) or str(adapter.model._meta.verbose_name)


def _instances(model: str, record_ids: Iterable[str]) -> list[models.Model]:
    adapter = registry[model]
    return list(adapter.queryset().filter(pk__in=list(record_ids)))


@dataclass(frozen=True)
class VersionStory:
    """One stored version of a record as staff read it."""

    version: int
    op: str
    who: str
    when: Any
    changes: list[tuple[str, str, str]]


@dataclass(frozen=True)
class ConflictStory:
    """Each side of a conflict: what the tablet did, and what the server changed meanwhile."""

    tablet_op: str  # "delete" or "upsert"
    tablet_who: str
    tablet_when: Any
    base_version: int | None
    server_versions: list[VersionStory]


def conflict_story(conflict: Any, *, visible: bool) -> ConflictStory:
    """What the deleting (or editing) tablet did vs. the versions the server stored since the
    version it worked from (all of them when it never had one)."""
    adapter = registry[conflict.model]
    payload = conflict.inbox_record.payload if conflict.inbox_record is not None else {}
    payload = payload if isinstance(payload, dict) else {}
    device = conflict.device
    base = conflict.base_version
    if base is None and device is not None:
        sent = RecordVersion.objects.filter(
            model=conflict.model, record_id=conflict.record_id, device=device
        ).order_by("-version")
        base = sent.values_list("version", flat=True).first()
    versions = RecordVersion.objects.filter(
        model=conflict.model,
        record_id=conflict.record_id,
        version__gt=base or 0,
        version__lte=conflict.server_version,
    ).select_related("user", "device")
    return ConflictStory(
        tablet_op=str(payload.get("op") or "upsert"),
        tablet_who=_who(device.user if device else None, device),
        tablet_when=parse_datetime(str(payload.get("recorded_at") or "")) or conflict.created_at,
        base_version=base,
        server_versions=[
            VersionStory(
                version=v.version,
                op=v.op,
                who=_who(v.user, v.device),
                when=v.created_at,
                changes=labelled_changes(
                    adapter,
                    v.changes if v.op != "create" else {k: [None, x] for k, x in v.data.items()},
                    visible=visible,
                ),
            )
            for v in versions.order_by("version")
        ],
    )


def _who(user: Any, device: Any) -> str:
    name = getattr(user, "username", "") or gettext("the server")
    return f"{name} ({device.name})" if device is not None and device.name else name
