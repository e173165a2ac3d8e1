"""A pushed record checked as a whole: its fields by its adapter, its parents resolved against the
rows the transaction holds, and the sender's right to touch what it refers to."""

from __future__ import annotations

import uuid
from typing import Any

from fieldsync import write_rules
from fieldsync.registry import Errors, ParentOf, SyncAdapter, Viewer, registry
from fieldsync.services.reconcile.context import SenderContexts
from fieldsync.services.reconcile.items import Held, Item, Key, Rejected
from fieldsync.services.reconcile.store import RecordStore


class RecordValidator:
    """Validates full records and checks scope; raises Rejected (or Held) when one fails."""

    def __init__(self, store: RecordStore, contexts: SenderContexts) -> None:
        self.store = store
        self.contexts = contexts
        # Whether a viewer may write a record created in this transaction, by its version: the
        # children of a new accident ask it once each, not once per child.
        self._writable_created: dict[tuple[Key, int, Viewer], bool] = {}

    def validated(
        self, item: Item, adapter: SyncAdapter, data: dict[str, Any], *, check_parents: bool = True
    ) -> dict[str, Any]:
        """Validate a full record and the sender's right to store it (write rules); resolve its
        parents first (held if one is not here yet: the rules are checked again at release)."""
        context = self.contexts.context(item)
        current = self.store.current
        missing: tuple[str, str] | None = None
        deleted: Errors = {}
        for ref in adapter.parents:
            value = data.get(ref.field)
            try:
                parent_id = str(uuid.UUID(str(value))) if value is not None else None
            except ValueError:
                continue
            if parent_id is None:
                continue
            if parent_id == item.record_id:
                raise Rejected({ref.field: ["A record cannot refer to itself."]})
            parent = current.get((ref.model, parent_id))
            if parent is None:
                missing = missing or (ref.model, parent_id)
                continue
            if parent.is_deleted:
                deleted[ref.field] = [f"The {ref.model} {parent_id} was deleted."]
                continue
            if not item.user.is_nra:
                self.check_scope(item, (ref.model, parent_id))
            context.parents.setdefault(ref.model, {})[parent_id] = parent
        clean, errors = adapter.validate(data, context)
        errors = {**errors, **deleted} if check_parents else errors
        if errors:
            raise Rejected(errors)
        viewer = self.contexts.viewer(item)
        if not write_rules.may_write_model(viewer, adapter, clean):
            self._forbid(write_rules.write_refusal(viewer, adapter, clean, lambda field: None))
        if missing is None:
            self._forbid(
                write_rules.write_refusal(viewer, adapter, clean, self._parents(adapter, clean))
            )
        elif check_parents:
            raise Held(*missing)
        return clean

    def check_stored(self, item: Item, key: Key) -> None:
        """The sender may see and write the record as stored (before its change)."""
        self.check_scope(item, key)
        adapter = registry[key[0]]
        viewer = self.contexts.viewer(item)
        self._forbid(write_rules.stored_refusal(viewer, adapter, self.store.current[key]))

    def check_moves(
        self, item: Item, adapter: SyncAdapter, stored: dict[str, Any], record: dict[str, Any]
    ) -> None:
        """An edit moves no record to another organisation (NRA staff excepted)."""
        viewer = self.contexts.viewer(item)
        self._forbid(write_rules.move_refusal(viewer, adapter, stored, record))

    def check_scope(self, item: Item, key: Key) -> None:
        """A non-NRA sender may only touch records its organisation sees. A record created in
        this transaction is seen by those who may write it: its creator, not the sender of a
        record held for it (nor any other organisation) until stored."""
        if key in self.store.created:
            viewer = self.contexts.viewer(item)
            instance = self.store.created[key]
            asked = (key, instance.version, viewer)
            if asked not in self._writable_created:
                refusal = write_rules.stored_refusal(viewer, registry[key[0]], instance)
                self._writable_created[asked] = refusal is None
            if self._writable_created[asked]:
                return
        elif item.user.organisation_id in self.store.audiences.get(key, frozenset()):
            return
        self._forbid({"non_field_errors": ["This record belongs to another organisation."]})

    def _parents(self, adapter: SyncAdapter, record: dict[str, Any]) -> ParentOf:
        """The record's parents as this transaction holds them (loaded, or created in it)."""
        models = {ref.field: ref.model for ref in adapter.parents}
        current = self.store.current

        def parent(field: str) -> Any:
            value = record.get(field)
            if value is None or field not in models:
                return None
            return current.get((models[field], str(uuid.UUID(str(value)))))

        return parent

    def _forbid(self, errors: Errors | None) -> None:
        if errors:
            raise Rejected(errors, code=write_rules.FORBIDDEN)
