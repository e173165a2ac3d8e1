"""The server's answer to a batch, applied to the local copies as the contract's table says:
applied, unchanged, merged, conflict (a notice for the surveyor), held, or rejected (kept for the
surveyor to fix or give up)."""

from __future__ import annotations

from typing import Any

from tablet_client.store import LocalStore, Notice, OutboxBatch, Rejection
from tablet_client.sync.contract import ClientBug
from tablet_client.sync.outbox import Outbox
from tablet_client.sync.stats import SyncStats


class PushResults:
    """Applies an acknowledged batch's results, all of them in one local transaction."""

    def __init__(self, *, store: LocalStore, outbox: Outbox, stats: SyncStats) -> None:
        self.store = store
        self.outbox = outbox
        self.stats = stats

    def acknowledge(self, batch: OutboxBatch, body: Any) -> None:
        records = batch.records
        results = body.get("results") if isinstance(body, dict) else None
        if not isinstance(results, list) or len(results) != len(records):
            raise ClientBug(f"batch {batch.batch_id}: {len(records)} records, answer {body}")
        with self.store.atomic():
            for wire, result in zip(records, results, strict=True):
                if (result.get("model"), result.get("id")) != (wire["model"], wire["id"]):
                    raise ClientBug(f"batch {batch.batch_id}: results out of order")
                self._apply_result(batch.batch_id, wire, result)
            self.store.batch_set_state(batch.batch_id, "acked", body)
        self.stats.batches_acked += 1
        self.stats.records_sent += len(records)
        self.stats.outcomes.update(str(result["status"]) for result in results)

    def _apply_result(self, batch_id: str, wire: dict[str, Any], result: dict[str, Any]) -> None:
        """One result of the contract's table, applied to the local copy."""
        status = result["status"]
        model, record_id = wire["model"], wire["id"]
        record = self.store.record(model, record_id)
        if record is not None and record.inflight != batch_id:
            record = None  # forgotten here meanwhile (deleted on the server): only tell
        version = result.get("version")
        if status == "conflict":
            self.store.notice_add(
                Notice(
                    model=model,
                    id=record_id,
                    status=status,
                    conflict_fields=list(result.get("conflict_fields") or []),
                    deleted=bool(result.get("deleted")),
                    sent=wire.get("data"),
                    server=result.get("data"),
                    batch_id=batch_id,
                )
            )
        if status == "rejected":
            self.store.rejection_put(
                Rejection(
                    model=model,
                    id=record_id,
                    batch_id=batch_id,
                    code=str(result.get("code", "invalid")),
                    errors=dict(result.get("errors") or {}),
                    record=wire,
                )
            )
        if status not in ("applied", "unchanged", "merged", "conflict", "held", "rejected"):
            raise ClientBug(f"unknown push status {status!r}")
        if record is None:
            return
        record.inflight, record.sent_op, record.sent_data = None, None, None
        if wire["op"] == "delete" and status in ("applied", "unchanged"):
            self.store.record_remove(model, record_id)
            self.store.rejection_remove(model, record_id)
            return
        if status in ("applied", "unchanged"):
            if version is not None and (record.version is None or version > record.version):
                record.server = {**(record.server or {}), **(wire.get("data") or {})}
                record.version = version
            record.state = ""
        elif status in ("merged", "conflict"):
            if result.get("deleted"):  # a tombstone on the server: it leaves this tablet
                self.outbox.forget(record)
                return
            data = result.get("data")
            newer = version is not None and (record.version is None or version >= record.version)
            if data is not None and newer:
                record.server, record.version = dict(data), version
            if wire["op"] == "delete":
                record.deleted = False  # the delete was refused: the record stays
            record.state = ""
        elif status == "held":
            record.state = "held"
        else:  # rejected: the surveyor sees the errors; the local copy is the server's again
            if wire["op"] == "delete":
                record.deleted = False
            record.state = "rejected"
            if record.version is None:
                self.store.record_put(record)
                return
        if (record.pending or record.deleted) and record.version is not None:
            record.base_version = record.version  # later changes were made on this version
        if not record.deleted and record.version is not None:
            record.data = {**(record.server or {}), **record.pending}
        self.store.record_put(record)
