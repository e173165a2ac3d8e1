"""A pushed record checked as a whole: its fields by its adapter, its parents resolved against the
rows the transaction holds, and the sender's right to touch what it refers to."""

from __future__ import annotations

import uuid
from typing import Any

from fieldsync.registry import Errors, SyncAdapter
from fieldsync.services.reconcile.context import SenderContexts
from fieldsync.services.reconcile.items import Held, Item, Key, Rejected
from fieldsync.services.reconcile.store import RecordStore


class RecordValidator:
    """Validates full records and checks scope; raises Rejected (or Held) when one fails."""

    def __init__(self, store: RecordStore, contexts: SenderContexts) -> None:
        self.store = store
        self.contexts = contexts

    def validated(
        self, item: Item, adapter: SyncAdapter, data: dict[str, Any], *, check_parents: bool = True
    ) -> dict[str, Any]:
        """Validate a full record; resolve its parents first (held if one is not here yet)."""
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
        if missing is not None and check_parents:
            raise Held(*missing)
        return clean

    def check_scope(self, item: Item, key: Key) -> None:
        """A non-NRA sender may only touch records its organisation sees (or this one created)."""
        if key in self.store.created:
            return
        audience = self.store.audiences.get(key, frozenset())
        if item.user.organisation_id not in audience:
            raise Rejected(
                {"non_field_errors": ["This record belongs to another organisation."]},
                code="forbidden",
            )
