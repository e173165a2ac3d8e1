"""Who may write what (sync contract, "Who may write what"): the one place every writer asks.

Each adapter says, for a record as it stands, which organisation's accounts of each role may
write it (`SyncAdapter.writers`); this module applies that to a sender. The reconciler asks for
every pushed record, on the record as stored before the change and as it would be stored after
it, including a held record when it is released; the partner API asks the same questions before
it writes anything (to answer 403 without storing a batch), then pushes through the reconciler,
which asks again; imports push through the reconciler too. So no door can disagree.

NRA staff may write any record. Everyone else is refused with code `forbidden`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fieldsync.registry import Errors, ParentOf, SyncAdapter, Viewer

FORBIDDEN = "forbidden"
ROLE_NAMES = {"surveyor": "Surveyor", "partner": "Partner", "nra_staff": "NRA staff"}


def may_write_model(viewer: Viewer, adapter: SyncAdapter, record: Mapping[str, Any]) -> bool:
    """Whether accounts of the viewer's role may write any record of this kind at all (decided
    before a missing parent is known: a partner's victim is refused at once, never held)."""
    if viewer.is_nra:
        return True
    return viewer.role in adapter.writers(record, _no_parent)


def write_refusal(
    viewer: Viewer,
    adapter: SyncAdapter,
    record: Mapping[str, Any],
    parent: ParentOf,
    *,
    stored: bool = False,
) -> Errors | None:
    """Why the viewer may not write `record` (wire data; its parents by `parent`), or None.

    `stored`: the record as it is on the server (before a change); otherwise as it would be
    stored after it.
    """
    if viewer.is_nra:
        return None
    right = adapter.writers(record, parent).get(viewer.role)
    role = ROLE_NAMES.get(viewer.role, viewer.role)
    if right is None:
        return {"non_field_errors": [f"{role} accounts may not write {adapter.wire_name} records."]}
    organisation, field = right
    if viewer.organisation and organisation == viewer.organisation:
        return None
    if stored:
        return {"non_field_errors": ["This record belongs to another organisation."]}
    return {
        field: [
            f"Only NRA staff may write {adapter.wire_name} records for another organisation "
            f"than yours ({viewer.organisation or 'none'})."
        ]
    }


def move_refusal(
    viewer: Viewer,
    adapter: SyncAdapter,
    stored: Mapping[str, Any],
    record: Mapping[str, Any],
) -> Errors | None:
    """Moving a stored record to another organisation (its reporter, its provider) is for NRA
    staff alone, whoever else may write it."""
    if viewer.is_nra:
        return None
    moved = [f for f in adapter.organisation_fields if record.get(f) != stored.get(f)]
    if not moved:
        return None
    return {
        field: [f"Only NRA staff may move {adapter.wire_name} records to another organisation."]
        for field in moved
    }


def stored_refusal(viewer: Viewer, adapter: SyncAdapter, instance: Any) -> Errors | None:
    """`write_refusal` for a record as stored (its parents read from the instance)."""
    if viewer.is_nra:
        return None
    return write_refusal(
        viewer, adapter, adapter.to_wire(instance), instance_parents(instance), stored=True
    )


def instance_parents(instance: Any) -> ParentOf:
    """The parents of a stored (or built) instance, by wire field: its related objects."""
    return lambda field: getattr(instance, field, None)


def _no_parent(field: str) -> None:
    return None
