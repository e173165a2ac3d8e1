"""The WatermelonDB pull: every change after `last_pulled_at` the device may see, in one answer
(contract watermelondb.md, "Pull"), read from the same change log as the v1 pull.

`timestamp` is the highest sequence number of the last commit, never a clock. The server keeps,
per device, the timestamps it handed out with their commits' nonces: a `last_pulled_at` it did
not hand out, or whose commit a restore replaced, is not honoured (`ResyncRequired`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fieldsync import changelog
from fieldsync.cursors import ResyncRequired
from fieldsync.models import Change, Device, SyncCommit, WatermelonState
from fieldsync.models.watermelon import ISSUED_KEPT
from fieldsync.registry import Viewer
from fieldsync.selectors import audiences_of, present_changes
from fieldsync.watermelon.tables import Table, tables

PRESENT_CHUNK = 500  # change rows presented per round of queries


@dataclass(frozen=True)
class Migration:
    """What a migration sync asks for: tables added, and columns added to tables."""

    from_version: int
    tables: frozenset[str] = field(default_factory=frozenset)
    columns: frozenset[str] = field(default_factory=frozenset)  # tables with new columns

    @property
    def whole_tables(self) -> frozenset[str]:
        return self.tables | self.columns


def watermelon_pull(
    *,
    device: Device,
    last_pulled_at: int | None,
    schema_version: int,
    migration: Migration | None = None,
) -> dict[str, Any]:
    """`{"changes": Changes, "timestamp": int}` for `device`; raises ResyncRequired."""
    state = WatermelonState.objects.filter(device=device).first()
    if last_pulled_at is not None and not _honourable(state, last_pulled_at):
        raise ResyncRequired
    timestamp, nonce = _last_commit()
    viewer = Viewer.for_user(device.user)
    known = list(tables())
    rows = _rows(viewer, last_pulled_at, timestamp, migration, known)
    changes = _changes(rows, viewer, known, schema_version, first=last_pulled_at is None)
    _remember(device, state, last_pulled_at, timestamp, nonce)
    return {"changes": changes, "timestamp": timestamp}


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


def _rows(
    viewer: Viewer,
    since: int | None,
    until: int,
    migration: Migration | None,
    known: list[Table],
) -> list[Change]:
    seen = Change.objects.filter(audience__in=audiences_of(viewer), seq__lte=until)
    if since is None:
        # A first sync: what exists now; what was gone before it is no news to this device.
        query = seen.filter(deleted=False, visible=True)
    else:
        query = seen.filter(seq__gt=since)
        if migration is not None:
            models = [t.adapter.wire_name for t in known if t.name in migration.whole_tables]
            if models:
                # Records of migrated tables are sent whole, changed or not.
                query = seen.filter(
                    Q(seq__gt=since) | Q(model__in=models, deleted=False, visible=True)
                )
    rows: dict[tuple[str, str], Change] = {}
    for row in query.order_by("seq").iterator(chunk_size=2000):
        rows[(row.model, row.record_id)] = row  # one per record: its latest row
    return list(rows.values())


def _changes(
    rows: list[Change], viewer: Viewer, known: list[Table], at: int, *, first: bool
) -> dict[str, dict[str, list[Any]]]:
    by_model = {t.adapter.wire_name: t for t in known}
    changes: dict[str, dict[str, list[Any]]] = {
        t.name: {"created": [], "updated": [], "deleted": []} for t in known
    }
    for start in range(0, len(rows), PRESENT_CHUNK):
        for change in present_changes(rows[start : start + PRESENT_CHUNK], viewer):
            table = by_model.get(change["model"])
            if table is None:
                continue
            bucket = changes[table.name]
            if change["op"] == "delete":
                if not first:  # a first sync starts from nothing: nothing to delete
                    bucket["deleted"].append(change["id"])
                continue
            # Every row in `updated`, never `created` (apps sync with sendCreatedAsUpdated).
            bucket["updated"].append(table.row(change["id"], change["version"], change["data"], at))
    return changes


def _remember(
    device: Device, state: WatermelonState | None, base: int | None, timestamp: int, nonce: str
) -> None:
    """The base of the device's unsynced edits, and the timestamp it may send back."""
    issued = [entry for entry in (state.issued if state else []) if int(entry[0]) != timestamp]
    issued = [*issued, [timestamp, nonce]][-ISSUED_KEPT:]
    now = timezone.now()
    WatermelonState.objects.update_or_create(
        device=device, defaults={"pull_base": base, "issued": issued, "pulled_at": now}
    )
    Device.objects.filter(pk=device.pk).update(last_pull_at=now)
