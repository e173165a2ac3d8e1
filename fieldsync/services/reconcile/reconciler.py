"""The coordinator of a transaction's reconciliation: parse, load, decide round after round, then
write once."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from fieldsync.changelog import ChangeSet
from fieldsync.models import RecordVersion
from fieldsync.registry import registry
from fieldsync.services.reconcile.context import SenderContexts
from fieldsync.services.reconcile.decide import Decider
from fieldsync.services.reconcile.items import Item, Key
from fieldsync.services.reconcile.parsing import parse_batch, parse_released
from fieldsync.services.reconcile.store import RecordStore
from fieldsync.services.reconcile.validation import RecordValidator
from fieldsync.services.reconcile.writer import OutcomeWriter


class Reconciler:
    """Decides pushed records in memory, then writes them in bulk (one instance per transaction)."""

    def __init__(
        self, *, source: str = RecordVersion.Source.SYNC, changes: ChangeSet | None = None
    ) -> None:
        self.source = source
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.changes = changes if changes is not None else ChangeSet()
        self.decided: list[Item] = []
        self.contexts = SenderContexts(today=self.today)
        self.store = RecordStore(self.contexts, self.changes)
        self.writer = OutcomeWriter(
            store=self.store,
            contexts=self.contexts,
            changes=self.changes,
            source=source,
            now=self.now,
        )
        self.decider = Decider(
            store=self.store,
            validator=RecordValidator(self.store, self.contexts),
            writer=self.writer,
            contexts=self.contexts,
            changes=self.changes,
            source=source,
            now=self.now,
        )

    def run(self, items: Sequence[Item]) -> None:
        """Decide `items`, then every held record their outcome releases, round after round."""
        pending, settled = parse_batch(items, now=self.now)
        self.decided.extend(settled)
        while pending:
            self.store.load(pending)
            for item in self._in_dependency_order(pending):
                self.decider.decide(item)
                self.decided.append(item)
            released = self.store.lock_released(pending)
            if not released:
                break
            pending, refused = parse_released(released, now=self.now)
            self.decided.extend(refused)

    def write(self) -> dict[str, set[str]]:
        """Write every decision in bulk; the change log flush stays the caller's last write."""
        return self.writer.write(self.decided)

    def _in_dependency_order(self, items: Sequence[Item]) -> list[Item]:
        """Parents first: by model order, then records that refer to others in the same round."""
        model_rank = {m: i for i, m in enumerate(registry.order({i.model for i in items}))}
        by_key = {item.key: item for item in items}
        depth: dict[Key, int] = {}
        parent_id = self.store.parent_id

        def depth_of(item: Item, trail: frozenset[Key]) -> int:
            if item.key in depth:
                return depth[item.key]
            result = 0
            for ref in registry[item.model].parents:
                parent_key = (ref.model, parent_id(item, ref.field) or "")
                parent = by_key.get(parent_key)
                if parent is not None and parent_key not in trail:
                    result = max(result, depth_of(parent, trail | {item.key}) + 1)
            depth[item.key] = result
            return result

        return sorted(items, key=lambda i: (model_rank[i.model], depth_of(i, frozenset())))
