"""Applying a checked plan: all its batches pushed through the engine in one transaction, or
nothing kept."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.db import transaction

from exchange.imports.base import DEVICE_NAME, Progress, no_progress
from exchange.imports.plan import ImportPlan
from exchange.imports.reading import Row
from exchange.imports.report import ImportRejected, RowError
from fieldsync.models import RecordVersion, User
from fieldsync.services.devices import server_device
from fieldsync.services.push import batches_push_atomically

APPLIED_OUTCOMES = frozenset({"applied", "unchanged", "merged", "conflict"})


class _Envelopes(list[dict[str, Any]]):
    """The envelopes, ticking `progress` as the engine takes up each one."""

    def __init__(self, envelopes: list[dict[str, Any]], progress: Progress) -> None:
        super().__init__(envelopes)
        self.progress = progress

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.progress(list(super().__iter__()), "importing"))


def import_plan_apply(
    *, plan: ImportPlan, user: User, progress: Progress = no_progress
) -> dict[str, int]:
    """Apply a checked plan in one transaction; returns the engine's outcomes per status.

    Raises ImportRejected (and keeps nothing) if the engine refuses or holds any record.
    """
    if not plan.report.ok:
        raise ValueError("Only a file without rejected rows can be imported.")
    device = server_device(user=user, name=DEVICE_NAME)
    by_id = {row.id: row for row in plan.rows}
    with transaction.atomic():
        responses = batches_push_atomically(
            device=device,
            envelopes=_Envelopes(plan.envelopes(device), progress),
            source=RecordVersion.Source.IMPORT,
        )
        outcomes: Counter[str] = Counter()
        refused: list[RowError] = []
        for response in responses:
            for result in response["results"]:
                outcomes[str(result["status"])] += 1
                if result["status"] not in APPLIED_OUTCOMES:
                    refused += _refusals(by_id[result["id"]], result)
        if refused:
            raise ImportRejected(refused)  # rolls back every batch
    return dict(sorted(outcomes.items()))


def _refusals(row: Row, result: dict[str, Any]) -> list[RowError]:
    if result["status"] == "held":
        waiting = result.get("waiting_for", {})
        message = f"Waits for the {waiting.get('model')} {waiting.get('id')}."
        return [RowError(row.sheet, row.number, row.legacy_id, "", [message])]
    errors = result.get("errors") or {"": [result["status"]]}
    return [
        RowError(row.sheet, row.number, row.legacy_id, row.layout.column_of_field(name), texts)
        for name, texts in errors.items()
    ]
