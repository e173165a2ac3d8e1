"""The outbox as the sync engine fills it: changes made here become immutable batches, parents
first, their bytes fixed before the first send; a batch too large is replaced by two halves."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from tablet_client.store import LocalRecord, LocalStore, OutboxBatch
from tablet_client.sync.contract import ENVELOPE_BYTES, SCHEMA_VERSION, ClientBug, json_bytes
from tablet_client.sync.enrolment import Enrolment
from tablet_client.sync.stats import SyncStats


class Outbox:
    """Freezes local changes into batches; `batch_records` caps a batch below the server's limit."""

    def __init__(
        self,
        *,
        store: LocalStore,
        enrolment: Enrolment,
        stats: SyncStats,
        batch_records: int | None,
    ) -> None:
        self.store = store
        self.enrolment = enrolment
        self.stats = stats
        self.batch_records = batch_records

    def freeze(self) -> None:
        """Put the changes made here into new immutable batches, parents first.

        Only when every earlier batch is acknowledged: a change's `base_version` is then the
        version the server gave to this tablet's previous change of that record.
        """
        if self.store.batch_next() is not None:
            return
        outgoing: list[tuple[LocalRecord, dict[str, Any]]] = []
        for record in self.store.records(where="synced = 0 AND inflight IS NULL"):
            if record.state == "rejected":
                continue  # waits for the surveyor (fix or discard)
            wire = outgoing_wire(record)
            if wire is None:
                if record.pending:  # changed back to the server's values: nothing to send
                    record.pending = {}
                    self.store.record_put(record)
                continue
            outgoing.append((record, wire))
        if not outgoing:
            return
        rank = {name: i for i, name in enumerate(self.enrolment.model_order())}
        outgoing.sort(
            key=lambda pair: (rank.get(pair[0].model, len(rank)), pair[0].recorded_at or "")
        )
        with self.store.atomic():
            for chunk in self._chunks(outgoing):
                batch_id = self.add([wire for _, wire in chunk])
                for record, wire in chunk:
                    record.inflight = batch_id
                    record.sent_op = wire["op"]
                    record.sent_data = wire.get("data")
                    record.pending = {}
                    record.ever_sent = True
                    self.store.record_put(record)

    def _chunks(
        self, outgoing: list[tuple[LocalRecord, dict[str, Any]]]
    ) -> Iterable[list[tuple[LocalRecord, dict[str, Any]]]]:
        info = self.enrolment.info()
        max_records = int(info.get("max_batch_records", 1000))
        if self.batch_records:
            max_records = min(max_records, self.batch_records)
        max_bytes = int(info.get("max_batch_bytes", 5 * 1024 * 1024)) - ENVELOPE_BYTES
        chunk: list[tuple[LocalRecord, dict[str, Any]]] = []
        size = 0
        for pair in outgoing:
            length = len(json_bytes(pair[1])) + 1
            if chunk and (len(chunk) >= max_records or size + length > max_bytes):
                yield chunk
                chunk, size = [], 0
            chunk.append(pair)
            size += length
        if chunk:
            yield chunk

    def add(self, wires: list[dict[str, Any]], position: float | None = None) -> str:
        """A new batch in the outbox: its bytes are fixed now and sent as they are every time."""
        batch_id = str(uuid.uuid4())
        body = json_bytes(
            {
                "batch_id": batch_id,
                "device_id": self.enrolment.device_id,
                "schema_version": SCHEMA_VERSION,
                "records": wires,
            }
        )
        self.store.batch_add(batch_id, body, position)
        return batch_id

    def split(self, batch: OutboxBatch, body: Any) -> None:
        """Too large for the server: two halves under new batch ids, in its place in the order."""
        records = batch.records
        if len(records) < 2:
            raise ClientBug(f"a single record is larger than the server takes: {body}")
        if isinstance(body, dict):  # the server's limits may have changed since `info`
            info = self.enrolment.info()
            for limit in ("max_batch_records", "max_batch_bytes"):
                if isinstance(body.get(limit), int):
                    info[limit] = body[limit]
            self.store.setting_put("info", info)
        following = self.store.batch_after(batch.position)
        step = ((following if following is not None else batch.position + 1) - batch.position) / 3
        middle = len(records) // 2
        with self.store.atomic():
            # Never the old id with other content: the halves are new batches.
            self.store.batch_set_state(batch.batch_id, "split")
            for number, half in enumerate((records[:middle], records[middle:]), start=1):
                batch_id = self.add(half, position=batch.position + number * step)
                for wire in half:
                    record = self.store.record(wire["model"], wire["id"])
                    if record is not None and record.inflight == batch.batch_id:
                        record.inflight = batch_id
                        self.store.record_put(record)
        self.stats.splits += 1

    def forget(self, record: LocalRecord) -> None:
        """The record left this tablet's view: drop it, but send on what was changed here."""
        self.store.record_remove(record.model, record.id)
        if record.pending and not record.deleted:
            # Nothing typed on a tablet is lost: the server keeps it for review (a conflict).
            wire = outgoing_wire(record)
            if wire is not None:
                self.add([wire])

    def pending_count(self) -> int:
        """Records and batches still to be acknowledged (0 when everything reached the server)."""
        unsent = self.store.records(
            where="synced = 0 AND state = '' AND (pending != '{}' OR deleted = 1 "
            "OR inflight IS NOT NULL)"
        )
        return len(unsent) + len(self.store.batches("pending"))


class _Absent:
    pass


_ABSENT = _Absent()


def outgoing_wire(record: LocalRecord) -> dict[str, Any] | None:
    """The wire record for what changed here, or None when nothing needs sending."""
    wire: dict[str, Any] = {"model": record.model, "id": record.id}
    if record.deleted:
        # A delete names the version it was made on (None: the last one this tablet sent).
        return {**wire, "op": "delete", "base_version": record.base_version}
    if record.version is None:
        if not record.pending and record.ever_sent:
            return None  # held on the server: it is applied there when its parent arrives
        data = dict(record.data or {})
        base = None  # created here and never acknowledged
    else:
        server = record.server or {}
        data = {k: v for k, v in record.pending.items() if server.get(k, _ABSENT) != v}
        if not data:
            return None
        base = record.base_version or record.version
    wire.update({"op": "upsert", "base_version": base, "data": data})
    if record.recorded_at:
        wire["recorded_at"] = record.recorded_at
    return wire
