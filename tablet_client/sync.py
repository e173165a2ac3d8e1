"""The reference tablet client's sync engine: what a tablet app does, per the sync contract v1.

Work is recorded offline into the local store. `push()` sends the outbox: batches are frozen
(immutable, their bytes stored before the first send) and sent in order, each resent with the
same batch id and body until the server acknowledges it, and every result is applied as the
contract's table says. `pull()` brings the server's changes page by page, saving the cursor in
the same local transaction as the page. See docs/field-simulation.md.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tablet_client.store import LocalRecord, LocalStore, Notice, OutboxBatch, Rejection
from tablet_client.transport import LinkDown, Reply, Transport

ENROL = "/api/v1/auth/device/"
INFO = "/api/v1/sync/info/"
PUSH = "/api/v1/sync/push/"
PULL = "/api/v1/sync/pull/"
SCHEMA_VERSION = 1
ENVELOPE_BYTES = 512  # batch_id, device_id, schema_version and brackets, generously
TRANSIENT = frozenset({429, 500, 502, 503, 504})


class SyncInterrupted(Exception):
    """The link failed too often: this sync session stops; the outbox and cursor are kept."""


class ClientBug(Exception):
    """The server refused what a correct client never sends (e.g. `409 batch_id_reused`)."""


class AuthRefused(Exception):
    """The token or credentials were refused (`401`); the code says why (`device_revoked`...)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass
class SyncStats:
    """What this client did, for progress lines and the simulation's summary."""

    batches_acked: int = 0
    records_sent: int = 0  # records in acknowledged batches
    resends: int = 0  # a batch sent again after a lost request or response, or a back-off
    splits: int = 0
    link_failures: int = 0
    backoffs: int = 0
    waited: float = 0.0
    outcomes: Counter[str] = field(default_factory=Counter)
    changes_pulled: int = 0
    resyncs: int = 0
    interrupted: int = 0


Key = tuple[str, str]


class TabletClient:
    """One tablet: its local store, its link to the server, and the sync rules of the contract.

    `sleep` and `clock` are injectable (tests and the simulation do not wait for real);
    `max_attempts` bounds the tries of one request in one session, `max_wait` each back-off.
    """

    def __init__(
        self,
        *,
        store: LocalStore,
        transport: Transport,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime.datetime] | None = None,
        max_attempts: int = 8,
        max_wait: float = 30.0,
        backoff: float = 0.5,
        pull_limit: int = 500,
        batch_records: int | None = None,
        seed: int | str | None = None,
    ) -> None:
        self.store = store
        self.transport = transport
        self.sleep = sleep
        self.clock = clock or (lambda: datetime.datetime.now(tz=datetime.UTC))
        self.max_attempts = max_attempts
        self.max_wait = max_wait
        self.backoff = backoff
        self.pull_limit = pull_limit
        self.batch_records = batch_records
        self.rng = random.Random(seed)  # noqa: S311  (back-off jitter, not secrets)
        self.stats = SyncStats()

    # -- identity ----------------------------------------------------------------------------------
    @property
    def device_id(self) -> str:
        device_id = self.store.setting("device_id")
        if device_id is None:
            device_id = str(uuid.uuid4())  # generated once, kept for the tablet's life
            self.store.setting_put("device_id", device_id)
        return str(device_id)

    @property
    def user(self) -> dict[str, Any]:
        return dict(self.store.setting("user", {}))

    def enrol(self, *, username: str, password: str, device_name: str = "") -> dict[str, Any]:
        """Log the tablet in (`POST /auth/device/`); keeps the token and the user's role."""
        body = _json_bytes(
            {
                "username": username,
                "password": password,
                "device_id": self.device_id,
                "device_name": device_name,
            }
        )
        reply = self._call("POST", ENROL, body=body, authenticated=False)
        if reply.status == 401:
            raise AuthRefused(_code(reply), _detail(reply))
        if reply.status != 201:
            raise ClientBug(f"enrolment answered {reply.status}: {reply.body}")
        with self.store.atomic():
            self.store.setting_put("token", reply.body["token"])
            self.store.setting_put("user", reply.body["user"])
        self.info(refresh=True)
        return dict(reply.body["user"])

    def info(self, *, refresh: bool = False) -> dict[str, Any]:
        """The server's capabilities (limits, wire models in parent-first order), cached."""
        cached = self.store.setting("info")
        if cached is not None and not refresh:
            return dict(cached)
        reply = self._call("GET", INFO)
        self._refuse_unexpected(reply, "info")
        self.store.setting_put("info", reply.body)
        return dict(reply.body)

    # -- offline work ------------------------------------------------------------------------------
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

    def rejections(self) -> list[Rejection]:
        return self.store.rejections()

    def notices(self) -> list[Notice]:
        return self.store.notices()

    # -- sync --------------------------------------------------------------------------------------
    def sync(self) -> None:
        """A sync session: push the outbox, then pull. Raises SyncInterrupted on a dead link."""
        try:
            self.push()
            self.pull()
        except SyncInterrupted:
            self.stats.interrupted += 1
            raise

    def push(self) -> None:
        """Send what is waiting: first the batches already frozen, then the new changes."""
        self._drain()
        self._freeze()
        self._drain()

    def pending_count(self) -> int:
        """Records and batches still to be acknowledged (0 when everything reached the server)."""
        unsent = self.store.records(
            where="synced = 0 AND state = '' AND (pending != '{}' OR deleted = 1 "
            "OR inflight IS NOT NULL)"
        )
        return len(unsent) + len(self.store.batches("pending"))

    # -- push --------------------------------------------------------------------------------------
    def _freeze(self) -> None:
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
            wire = self._outgoing(record)
            if wire is None:
                if record.pending:  # changed back to the server's values: nothing to send
                    record.pending = {}
                    self.store.record_put(record)
                continue
            outgoing.append((record, wire))
        if not outgoing:
            return
        rank = {name: i for i, name in enumerate(self._model_order())}
        outgoing.sort(
            key=lambda pair: (rank.get(pair[0].model, len(rank)), pair[0].recorded_at or "")
        )
        with self.store.atomic():
            for chunk in self._chunks(outgoing):
                batch_id = self._batch_add([wire for _, wire in chunk])
                for record, wire in chunk:
                    record.inflight = batch_id
                    record.sent_op = wire["op"]
                    record.sent_data = wire.get("data")
                    record.pending = {}
                    record.ever_sent = True
                    self.store.record_put(record)

    def _outgoing(self, record: LocalRecord) -> dict[str, Any] | None:
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

    def _chunks(
        self, outgoing: list[tuple[LocalRecord, dict[str, Any]]]
    ) -> Iterable[list[tuple[LocalRecord, dict[str, Any]]]]:
        info = self.info()
        max_records = int(info.get("max_batch_records", 1000))
        if self.batch_records:
            max_records = min(max_records, self.batch_records)
        max_bytes = int(info.get("max_batch_bytes", 5 * 1024 * 1024)) - ENVELOPE_BYTES
        chunk: list[tuple[LocalRecord, dict[str, Any]]] = []
        size = 0
        for pair in outgoing:
            length = len(_json_bytes(pair[1])) + 1
            if chunk and (len(chunk) >= max_records or size + length > max_bytes):
                yield chunk
                chunk, size = [], 0
            chunk.append(pair)
            size += length
        if chunk:
            yield chunk

    def _batch_add(self, wires: list[dict[str, Any]], position: float | None = None) -> str:
        """A new batch in the outbox: its bytes are fixed now and sent as they are every time."""
        batch_id = str(uuid.uuid4())
        body = _json_bytes(
            {
                "batch_id": batch_id,
                "device_id": self.device_id,
                "schema_version": SCHEMA_VERSION,
                "records": wires,
            }
        )
        self.store.batch_add(batch_id, body, position)
        return batch_id

    def _drain(self) -> None:
        while (batch := self.store.batch_next()) is not None:
            self._send(batch)

    def _send(self, batch: OutboxBatch) -> None:
        """Send one batch until the server answers it; the same batch id and bytes every time."""
        reply = self._call("POST", PUSH, body=batch.body, counts_as_resend=True)
        if reply.status == 200:
            self._acknowledge(batch, reply.body)
        elif reply.status == 413:
            self._split(batch, reply.body)
        elif reply.status == 409 and _code(reply) == "batch_id_reused":
            raise ClientBug(f"batch {batch.batch_id} was refused as reused: batches are immutable")
        elif reply.status == 401:
            raise AuthRefused(_code(reply), _detail(reply))
        else:
            raise ClientBug(f"push answered {reply.status}: {reply.body}")

    def _split(self, batch: OutboxBatch, body: Any) -> None:
        """Too large for the server: two halves under new batch ids, in its place in the order."""
        records = batch.records
        if len(records) < 2:
            raise ClientBug(f"a single record is larger than the server takes: {body}")
        if isinstance(body, dict):  # the server's limits may have changed since `info`
            info = self.info()
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
                batch_id = self._batch_add(half, position=batch.position + number * step)
                for wire in half:
                    record = self.store.record(wire["model"], wire["id"])
                    if record is not None and record.inflight == batch.batch_id:
                        record.inflight = batch_id
                        self.store.record_put(record)
        self.stats.splits += 1

    def _acknowledge(self, batch: OutboxBatch, body: Any) -> None:
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
                self._forget(record)
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

    def _forget(self, record: LocalRecord) -> None:
        """The record left this tablet's view: drop it, but send on what was changed here."""
        self.store.record_remove(record.model, record.id)
        if record.pending and not record.deleted:
            # Nothing typed on a tablet is lost: the server keeps it for review (a conflict).
            wire = self._outgoing(record)
            if wire is not None:
                self._batch_add([wire])

    # -- pull --------------------------------------------------------------------------------------
    def pull(self) -> None:
        """Bring the server's changes; the cursor is saved with each page, in one transaction."""
        references = {m["name"] for m in self.info().get("models", []) if m.get("reference")}
        cursor = self.store.setting("cursor")
        if cursor is None and not self.store.setting("pull_from_scratch"):
            self._begin_from_scratch()
        resynced = False
        while True:
            params = {"limit": str(self.pull_limit)}
            if cursor is not None:
                params["cursor"] = cursor
            reply = self._call("GET", PULL, params=params)
            code = _code(reply)
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
                raise AuthRefused(code, _detail(reply))
            self._refuse_unexpected(reply, "pull")
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
                self._forget(record)
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

    # -- requests ----------------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        authenticated: bool = True,
        counts_as_resend: bool = False,
    ) -> Reply:
        """One request, tried again (same bytes) after a lost message or a `429`/`503`."""
        token = self.store.setting("token") if authenticated else None
        if authenticated and token is None:
            raise AuthRefused("not_enrolled", "Enrol the tablet first.")
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1 and counts_as_resend:
                self.stats.resends += 1
            try:
                reply = self.transport.send(method, path, body=body, params=params, token=token)
            except LinkDown:
                self.stats.link_failures += 1
                self._wait(self._backoff(attempt))
                continue
            if reply.status in TRANSIENT:
                self.stats.backoffs += 1
                self._wait(_retry_after(reply) or self._backoff(attempt))
                continue
            return reply
        raise SyncInterrupted(f"{method} {path}: no answer after {self.max_attempts} attempts")

    def _backoff(self, attempt: int) -> float:
        return float(min(self.max_wait, self.backoff * 2 ** (attempt - 1) * self.rng.uniform(1, 2)))

    def _wait(self, seconds: float) -> None:
        seconds = max(0.0, min(seconds, self.max_wait))
        self.stats.waited += seconds
        self.sleep(seconds)

    def _refuse_unexpected(self, reply: Reply, what: str) -> None:
        if reply.status == 401:
            raise AuthRefused(_code(reply), _detail(reply))
        if reply.status != 200 or not isinstance(reply.body, dict):
            raise ClientBug(f"{what} answered {reply.status}: {reply.body}")

    def _model_order(self) -> list[str]:
        return [m["name"] for m in self.info().get("models", [])]

    def _live(self, model: str, record_id: str) -> LocalRecord:
        record = self.store.record(model, record_id)
        if record is None or record.data is None:
            raise KeyError(f"{model} {record_id} is not on this tablet.")
        return record

    def _now(self) -> str:
        return self.clock().isoformat()


class _Absent:
    pass


_ABSENT = _Absent()


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _code(reply: Reply) -> str:
    return str(reply.body.get("code", "")) if isinstance(reply.body, dict) else ""


def _detail(reply: Reply) -> str:
    return str(reply.body.get("detail", "")) if isinstance(reply.body, dict) else ""


def _retry_after(reply: Reply) -> float | None:
    """`Retry-After` in seconds (a number or an HTTP date), or None when absent or unreadable."""
    value = next((v for k, v in reply.headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.datetime.now(tz=datetime.UTC)).total_seconds())
