"""Convergence checks: does a tablet's store hold exactly what the server shows its user?"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tablet_client.store import LocalStore

Key = tuple[str, str]


@dataclass(frozen=True)
class StoreView:
    """What a store shows: live records at their versions, reference data, and what waits."""

    records: dict[Key, tuple[int | None, dict[str, Any]]]
    reference: dict[Key, dict[str, Any]]
    #: created here, never acknowledged: held on the server or rejected, kept for the surveyor
    unacknowledged: frozenset[Key]
    #: changes not yet acknowledged by the server (the store has not converged while any)
    unsent: frozenset[Key]
    outbox: int
    #: files still to upload (those the server refused are the surveyor's to see, not counted)
    files_waiting: int = 0


def store_view(store: LocalStore) -> StoreView:
    records: dict[Key, tuple[int | None, dict[str, Any]]] = {}
    unacknowledged: set[Key] = set()
    unsent: set[Key] = set()
    for record in store.records():
        key = (record.model, record.id)
        if record.version is None and record.state in ("held", "rejected"):
            unacknowledged.add(key)
            continue
        if not record.synced:
            unsent.add(key)
        if record.data is not None:
            records[key] = (record.version, record.data)
    return StoreView(
        records=records,
        reference=store.reference(),
        unacknowledged=frozenset(unacknowledged),
        unsent=frozenset(unsent),
        outbox=len(store.batches("pending")),
        files_waiting=len(store.files_pending()),
    )


def store_differences(tablet: LocalStore, fresh: LocalStore, *, limit: int = 10) -> list[str]:
    """How a tablet's store differs from a fresh pull of its user (empty: converged)."""
    mine, theirs = store_view(tablet), store_view(fresh)
    problems: list[str] = []
    if mine.outbox:
        problems.append(f"{mine.outbox} batches still in the outbox")
    if mine.files_waiting:
        problems.append(f"{mine.files_waiting} files still to upload")
    for model, record_id in sorted(mine.unsent):
        problems.append(f"{model} {record_id}: changes not acknowledged")
    for key in sorted(mine.records.keys() - theirs.records.keys()):
        problems.append(f"{key[0]} {key[1]}: on the tablet, not in the server's view")
    for key in sorted(theirs.records.keys() - mine.records.keys()):
        problems.append(f"{key[0]} {key[1]}: in the server's view, missing on the tablet")
    for key in sorted(mine.records.keys() & theirs.records.keys()):
        if mine.records[key] != theirs.records[key]:
            problems.append(
                f"{key[0]} {key[1]}: tablet v{mine.records[key][0]} "
                f"{_diff(mine.records[key][1], theirs.records[key][1])} server "
                f"v{theirs.records[key][0]}"
            )
    if mine.reference != theirs.reference:
        problems.append("reference data differs")
    if len(problems) > limit:
        problems = [*problems[:limit], f"... and {len(problems) - limit} more"]
    return problems


def _diff(mine: dict[str, Any], theirs: dict[str, Any]) -> str:
    fields = sorted(k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k))
    shown = {k: [mine.get(k), theirs.get(k)] for k in fields[:4]}
    return json.dumps(shown, ensure_ascii=False, default=str)
