"""The WatermelonDB pull: every change after `last_pulled_at` the device may see, in one answer
(contract watermelondb.md, "Pull"), read from the same change log as the v1 pull.

`timestamp` is the highest sequence number of the last commit, never a clock. The server keeps,
per device, the timestamps it handed out with their commits' nonces: a `last_pulled_at` it did
not hand out, or whose commit a restore replaced, is not honoured (`ResyncRequired`).

WatermelonDB takes the whole answer at once, and a first sync of an NRA device is every record
in the country: the answer is written out table by table, a few hundred rows at a time, never
held whole in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from fieldsync import changelog
from fieldsync.cursors import ResyncRequired
from fieldsync.models import Change, Device, SyncCommit, WatermelonState
from fieldsync.models.watermelon import ISSUED_KEPT
from fieldsync.registry import Viewer
from fieldsync.selectors import audiences_of, change_rows, present_changes
from fieldsync.watermelon.tables import Table, tables

PRESENT_CHUNK = 500  # change rows read and presented at a time


@dataclass(frozen=True)
class Migration:
    """What a migration sync asks for: tables added, and columns added to tables."""

    from_version: int
    tables: frozenset[str] = field(default_factory=frozenset)
    columns: frozenset[str] = field(default_factory=frozenset)  # tables with new columns

    @property
    def whole_tables(self) -> frozenset[str]:
        return self.tables | self.columns


@dataclass(frozen=True)
class Pull:
    """A pull the server can honour: its timestamp, and its answer written out in pieces."""

    viewer: Viewer
    since: int | None
    timestamp: int
    schema_version: int
    migration: Migration | None

    def chunks(self) -> Iterator[bytes]:
        """`{"changes": Changes, "timestamp": int}` as UTF-8 JSON, piece by piece."""
        yield b'{"changes":{'
        for number, table in enumerate(tables()):
            yield (b"," if number else b"") + _dump(table.name) + b':{"created":[],"updated":['
            deleted: list[str] = []
            first_row = True
            for change in self._changes(table):
                if change["op"] == "delete":
                    if self.since is not None:  # a first sync starts from nothing
                        deleted.append(change["id"])
                    continue
                # Every row in `updated`, never `created` (apps use sendCreatedAsUpdated).
                version, data = change["version"], change["data"]
                row = table.row(change["id"], version, data, self.schema_version)
                yield (b"" if first_row else b",") + _dump(row)
                first_row = False
            yield b'],"deleted":' + _dump(deleted) + b"}"
        yield b'},"timestamp":' + str(self.timestamp).encode() + b"}"

    def _changes(self, table: Table) -> Iterator[dict[str, Any]]:
        query = self._rows(table)
        seen: set[str] = set()
        last = 0
        while True:
            chunk = change_rows(query.filter(pk__gt=last).order_by("pk")[:PRESENT_CHUNK])
            if not chunk:
                return
            last = chunk[-1].pk
            rows = [row for row in chunk if row.record_id not in seen]  # one row per record
            seen.update(row.record_id for row in rows)
            yield from present_changes(rows, self.viewer)

    def _rows(self, table: Table) -> QuerySet[Change]:
        seen = Change.objects.filter(
            model=table.adapter.wire_name,
            audience__in=audiences_of(self.viewer),
            seq__lte=self.timestamp,
        )
        if self.since is None:
            # A first sync: what exists now; what was gone before it is no news to this device.
            return seen.filter(deleted=False, visible=True)
        if self.migration is not None and table.name in self.migration.whole_tables:
            # Records of migrated tables are sent whole, changed or not.
            return seen.filter(Q(seq__gt=self.since) | Q(deleted=False, visible=True))
        return seen.filter(seq__gt=self.since)


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def watermelon_pull(
    *,
    device: Device,
    last_pulled_at: int | None,
    schema_version: int,
    migration: Migration | None = None,
) -> Pull:
    """The pull `device` asked for (its answer is read when written out); raises
    ResyncRequired for a `last_pulled_at` the server cannot honour."""
    state = WatermelonState.objects.filter(device=device).first()
    if last_pulled_at is not None and not _honourable(state, last_pulled_at):
        raise ResyncRequired
    timestamp, nonce = _last_commit()
    _remember(device, last_pulled_at, timestamp, nonce)
    return Pull(
        viewer=Viewer.for_user(device.user),
        since=last_pulled_at,
        timestamp=timestamp,
        schema_version=schema_version,
        migration=migration,
    )


def _honourable(state: WatermelonState | None, last_pulled_at: int) -> bool:
    """Handed to this device, and its commit is still the one the server has."""
    if state is None:
        return False
    nonces = {int(seq): str(nonce) for seq, nonce in state.issued}
    if last_pulled_at not in nonces:
        return False
    return changelog.commit_nonce(last_pulled_at) == nonces[last_pulled_at]


def _last_commit() -> tuple[int, str]:
    """The highest committed sequence number and its commit's nonce. Every number below it is
    committed too (numbers are taken under the counter's lock, held until commit)."""
    commit = SyncCommit.objects.order_by("-seq_high").first()
    if commit is None:  # an empty change log: WatermelonDB wants a timestamp above 0
        with transaction.atomic():
            _, high = changelog.take_sequence(1)
        return high, changelog.commit_nonce(high) or ""
    return commit.seq_high, commit.nonce


def _remember(device: Device, base: int | None, timestamp: int, nonce: str) -> None:
    """The base of the device's unsynced edits, and the timestamp it may send back (kept
    beside those of a pull of the same device still running, never instead of them)."""
    now = timezone.now()
    with transaction.atomic():
        state, _ = WatermelonState.objects.select_for_update().get_or_create(device=device)
        issued = [entry for entry in state.issued if int(entry[0]) != timestamp]
        state.issued = sorted([*issued, [timestamp, nonce]])[-ISSUED_KEPT:]
        state.pull_base = base
        state.pulled_at = now
        state.save(update_fields=["issued", "pull_base", "pulled_at"])
    Device.objects.filter(pk=device.pk).update(last_pull_at=now)
