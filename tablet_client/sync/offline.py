"""What the surveyor does on the tablet without a network: create, edit, delete, and settle the
records the server rejected (fix or discard). Each change waits in the store for the next push."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from tablet_client.store import LocalRecord, LocalStore


class OfflineWork:
    """Changes to the local copy; `clock` stamps each change (a tablet's clock may be wrong)."""

    def __init__(self, *, store: LocalStore, clock: Callable[[], datetime.datetime]) -> None:
        self.store = store
        self.clock = clock

    def create(self, model: str, data: Mapping[str, Any], *, record_id: str | None = None) -> str:
        """Record a new record here (no network); returns its id, a UUID made on the tablet."""
        record_id = record_id or str(uuid.uuid4())
        if self.store.record(model, record_id) is not None:
            raise ValueError(f"{model} {record_id} exists already.")
        self.store.record_put(
            LocalRecord(
                model=model,
                id=record_id,
                data=dict(data),
                pending=dict(data),
                recorded_at=self._now(),
            )
        )
        return record_id

    def edit(self, model: str, record_id: str, changes: Mapping[str, Any]) -> None:
        """Change some fields here; a rejected record edited is a fixed record (sent again)."""
        record = self._live(model, record_id)
        if record.state == "rejected":
            self.fix(model, record_id, changes)
            return
        with self.store.atomic():
            if not record.pending and record.inflight is None and record.version is not None:
                record.base_version = record.version  # the version the surveyor is looking at
            record.data = {**(record.data or {}), **changes}
            record.pending.update(changes)
            record.recorded_at = self._now()
            self.store.record_put(record)

    def delete(self, model: str, record_id: str) -> None:
        """Delete here; the server is told (with `base_version`) unless it never saw the record."""
        record = self._live(model, record_id)
        with self.store.atomic():
            self.store.rejection_remove(model, record_id)
            if record.version is None and not record.ever_sent and record.inflight is None:
                self.store.record_remove(model, record_id)  # the server never saw it
                return
            record.data = None
            record.deleted = True
            record.pending = {}
            record.state = ""
            record.base_version = record.version  # the version the surveyor deleted
            record.recorded_at = self._now()
            self.store.record_put(record)

    def fix(self, model: str, record_id: str, changes: Mapping[str, Any]) -> None:
        """The surveyor corrects a rejected record: it is sent again, in a new batch."""
        rejection = self.store.rejection(model, record_id)
        record = self._live(model, record_id)
        if rejection is None or record.state != "rejected":
            raise ValueError(f"{model} {record_id} is not rejected.")
        sent = rejection.record
        with self.store.atomic():
            if sent.get("op") == "upsert":
                values = {**dict(sent.get("data") or {}), **record.pending, **changes}
                if record.version is not None:
                    record.base_version = sent.get("base_version") or record.version
            else:
                values = {**record.pending, **changes}
            record.data = {**(record.data or {}), **values}
            record.pending = {**record.pending, **values}
            record.state = ""
            record.recorded_at = self._now()
            self.store.rejection_remove(model, record_id)
            self.store.record_put(record)

    def discard(self, model: str, record_id: str) -> None:
        """The surveyor gives up a rejected change: back to the server's copy (if any)."""
        record = self._live(model, record_id)
        with self.store.atomic():
            self.store.rejection_remove(model, record_id)
            if record.version is None:
                if record.ever_sent:  # the server keeps it; a delete lets go of any held copy
                    record.data, record.deleted, record.pending = None, True, {}
                    record.state = ""
                    self.store.record_put(record)
                else:
                    self.store.record_remove(model, record_id)
                return
            record.state = ""
            record.data = {**(record.server or {}), **record.pending}
            self.store.record_put(record)

    def get(self, model: str, record_id: str) -> dict[str, Any] | None:
        record = self.store.record(model, record_id)
        return None if record is None or record.data is None else dict(record.data)

    def _live(self, model: str, record_id: str) -> LocalRecord:
        record = self.store.record(model, record_id)
        if record is None or record.data is None:
            raise KeyError(f"{model} {record_id} is not on this tablet.")
        return record

    def _now(self) -> str:
        return self.clock().isoformat()
