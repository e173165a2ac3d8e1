"""Who may download a file, and which files records name that the server has not received."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fieldsync.fields import FieldError, sha256_of
from fieldsync.models import Attachment, AttachmentRef
from fieldsync.registry import Viewer, registry


def attachment_visible_to(sha256: str, viewer: Viewer) -> bool:
    """Whether `viewer` may download the file (contract: attachments.md, Download).

    Whoever may see a record naming the file, in a field shown to them: a victim's photos and
    consent document are personal, so only to those who see the victim's personal fields. NRA
    staff with the personal-data permission see every file, named by a record or not yet.
    """
    if viewer.is_nra and viewer.sees_personal_data:
        return True
    fields_by_record: dict[str, dict[str, set[str]]] = {}
    for model, record_id, field in AttachmentRef.objects.filter(sha256=sha256).values_list(
        "model", "record_id", "field"
    ):
        fields_by_record.setdefault(model, {}).setdefault(str(record_id), set()).add(field)
    for model, records in fields_by_record.items():
        adapter = registry.get(model)
        if adapter is None:
            continue
        visible = adapter.scope(adapter.queryset().filter(pk__in=list(records)), viewer)
        for instance in visible:
            hidden = adapter.hidden_fields(instance, viewer)
            if records[str(instance.pk)] - hidden:
                return True
    return False


def batch_attachments_missing(records: Any) -> list[str]:
    """The files a push's records name that the server lacks (the push answer's list)."""
    return attachments_missing(attachments_named_in(records))


def attachments_named_in(records: Any) -> list[str]:
    """The files a push's records name (upserts of models with attachment fields), in order;
    whatever is not a well-formed reference is left to the record's validation."""
    named: list[str] = []
    for record in records if isinstance(records, list) else ():
        if not isinstance(record, dict) or not isinstance(record.get("data"), dict):
            continue
        model = record.get("model")
        adapter = registry.get(model) if isinstance(model, str) else None
        for field in adapter.attachment_fields if adapter is not None else ():
            items = record["data"].get(field)
            for item in items if isinstance(items, list) else ():
                try:
                    named.append(sha256_of(item.get("sha256") if isinstance(item, dict) else None))
                except FieldError:
                    continue
    return named


def attachments_received(sha256s: Iterable[str]) -> set[str]:
    """The files of `sha256s` the server holds whole."""
    wanted = set(sha256s)
    if not wanted:
        return set()
    return set(Attachment.objects.filter(sha256__in=wanted).values_list("sha256", flat=True))


def attachments_missing(sha256s: Iterable[str]) -> list[str]:
    """The files of `sha256s` named by records but not received yet, in the order given."""
    ordered = list(dict.fromkeys(sha256s))
    received = attachments_received(ordered)
    return [sha for sha in ordered if sha not in received]
