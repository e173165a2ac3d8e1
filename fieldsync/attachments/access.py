"""Who may download a file, and which files records name that the server has not received."""

from __future__ import annotations

from collections.abc import Iterable

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


def record_attachments_missing(model: str, record_ids: Iterable[str]) -> dict[str, list[str]]:
    """Record id -> the files it names that have not arrived (records missing none left out)."""
    refs = list(
        AttachmentRef.objects.filter(model=model, record_id__in=list(record_ids))
        .order_by("record_id", "field", "sha256")
        .values_list("record_id", "sha256")
    )
    received = attachments_received(sha for _, sha in refs)
    missing: dict[str, list[str]] = {}
    for record_id, sha in refs:
        if sha not in received:
            missing.setdefault(str(record_id), []).append(sha)
    return missing
