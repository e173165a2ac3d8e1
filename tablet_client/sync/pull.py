"""Pulling the server's changes page by page, the cursor saved in the same local transaction as
the page; a pull from scratch (first sync, or a server that cannot continue from the cursor)
removes what it did not bring."""

from __future__ import annotations

from typing import Any

from tablet_client.store import LocalRecord, LocalStore
from tablet_client.sync.contract import (
    PULL,
    AuthRefused,
    ClientBug,
    refuse_unexpected,
    reply_code,
    reply_detail,
)
from tablet_client.sync.enrolment import Enrolment
from tablet_client.sync.outbox import Outbox
from tablet_client.sync.retry import Requester
from tablet_client.sync.stats import SyncStats


class Puller:
    """Applies pulled changes to the local copies; `pull_limit` is the page size asked for."""

    def __init__(
        self,
        *,
        store: LocalStore,
        requester: Requester,
        enrolment: Enrolment,
        outbox: Outbox,
        stats: SyncStats,
        pull_limit: int,
    ) -> None:
        self.store = store
        self.requester = requester
        self.enrolment = enrolment
        self.outbox = outbox
        self.stats = stats
        self.pull_limit = pull_limit

    def pull(self) -> None:
        """Bring the server's changes; the cursor is saved with each page, in one transaction."""
        references = {
            m["name"] for m in self.enrolment.info().get("models", []) if m.get("reference")
        }
        cursor = self.store.setting("cursor")
        if cursor is None and not self.store.setting("pull_from_scratch"):
            self._begin_from_scratch()
        resynced = False
        while True:
            params = {"limit": str(self.pull_limit)}
            if cursor is not None:
                params["cursor"] = cursor
            reply = self.requester.call("GET", PULL, params=params)
            code = reply_code(reply)
            if (reply.status, code) in ((409, "resync_required"), (400, "invalid_cursor")):
                if cursor is None or resynced:
                    raise ClientBug(f"pull from scratch answered {reply.status} {code}")
                # The server cannot continue from here (a restore, another server): start again.
                self.stats.resyncs += 1
                resynced = True
                with self.store.atomic():
                    self.store.setting_put("cursor", None)
                    self._begin_from_scratch()
                cursor = None
                continue
            if reply.status == 401:
                raise AuthRefused(code, reply_detail(reply))
            refuse_unexpected(reply, "pull")
            page = reply.body
            with self.store.atomic():
                for change in page["changes"]:
                    self._apply_change(change, references)
                self.store.setting_put("cursor", page["cursor"])
                if not page["has_more"] and self.store.setting("pull_from_scratch"):
                    self._end_from_scratch()
            self.stats.changes_pulled += len(page["changes"])
            cursor = page["cursor"]
            if not page["has_more"]:
                return

    def _begin_from_scratch(self) -> None:
        with self.store.atomic():
            self.store.pull_marks_reset()
            self.store.setting_put("pull_from_scratch", True)

    def _end_from_scratch(self) -> None:
        """A pull from scratch brings everything visible: what it did not bring is gone."""
        for record in self.store.unmarked_synced_records():
            self.store.record_remove(record.model, record.id)
        self.store.unmarked_reference_remove()
        self.store.setting_put("pull_from_scratch", None)

    def _apply_change(self, change: dict[str, Any], references: set[str]) -> None:
        model, record_id, op = change["model"], str(change["id"]), change["op"]
        if model in references:
            if op == "delete":
                self.store.reference_remove(model, record_id)
            else:
                self.store.reference_put(model, record_id, change.get("version"), change["data"])
            return
        record = self.store.record(model, record_id)
        if op == "delete":  # deleted on the server, or out of this device's view
            if record is not None:
                self.outbox.forget(record)
            return
        version, data = int(change["version"]), dict(change["data"])
        if record is None:
            record = LocalRecord(model=model, id=record_id, data=data, version=version, server=data)
            self.store.record_put(record, pull_mark=True)
            return
        if record.version is not None and version < record.version:
            self.store.record_put(record, pull_mark=True)  # older than what we know
            return
        if record.version is None and record.pending:
            record.base_version = version  # edits of a held record, now applied on the server
        record.server, record.version = data, version
        if record.state == "held":
            record.state = ""
        if not record.deleted:
            in_flight = record.sent_data if record.sent_op == "upsert" else None
            record.data = {**data, **(in_flight or {}), **record.pending}
        self.store.record_put(record, pull_mark=True)
