"""The tablet's local store: one SQLite file (stdlib sqlite3) that survives the app being killed.

It holds the records as the surveyor sees them, with what the server last said about each, the
reference data, the outbox of immutable batches, the pull cursor, the records the server
rejected (kept for the surveyor) and the conflict notices. Nothing here knows about accidents
or victims: records are wire dicts of any model.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS record (
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER,            -- the server's version last known; NULL: never acknowledged
    data TEXT,                  -- the record as the surveyor sees it; NULL: deleted locally
    server TEXT,                -- the server's copy at `version` (NULL: none known)
    base_version INTEGER,       -- the version the pending changes were made on
    pending TEXT NOT NULL,      -- fields changed here and not yet in a batch
    inflight TEXT,              -- the batch carrying this record, not yet acknowledged
    sent_op TEXT,               -- what that batch carries for it: 'upsert' or 'delete'
    sent_data TEXT,             -- ... and the fields it sends
    state TEXT NOT NULL,        -- '', 'held' or 'rejected'
    deleted INTEGER NOT NULL,   -- deleted here, the delete not yet acknowledged
    synced INTEGER NOT NULL,    -- equals the server's copy at `version`, nothing to send
    ever_sent INTEGER NOT NULL, -- the server has seen it in some batch
    recorded_at TEXT,           -- the tablet clock at the last change made here
    pull_mark INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (model, id)
);
CREATE TABLE IF NOT EXISTS reference (
    model TEXT NOT NULL,
    code TEXT NOT NULL,
    version INTEGER,
    data TEXT NOT NULL,
    pull_mark INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (model, code)
);
CREATE TABLE IF NOT EXISTS outbox (
    batch_id TEXT PRIMARY KEY,
    position REAL NOT NULL,
    body TEXT NOT NULL,         -- the exact bytes sent, every time: a batch is never changed
    created_at TEXT NOT NULL,
    state TEXT NOT NULL,        -- 'pending', 'acked' or 'split' (replaced by two halves)
    acked_at TEXT,
    response TEXT
);
CREATE TABLE IF NOT EXISTS rejection (
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    code TEXT NOT NULL,
    errors TEXT NOT NULL,
    record TEXT NOT NULL,       -- the record as it was sent
    at TEXT NOT NULL,
    PRIMARY KEY (model, id)
);
CREATE TABLE IF NOT EXISTS notice (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    status TEXT NOT NULL,
    conflict_fields TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    sent TEXT,                  -- the values this tablet sent (kept on the server for review)
    server TEXT,                -- the server's copy that replaced them here
    batch_id TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


@dataclass
class LocalRecord:
    """One record on the tablet (see the `record` table for the meaning of each field)."""

    model: str
    id: str
    data: dict[str, Any] | None
    version: int | None = None
    server: dict[str, Any] | None = None
    base_version: int | None = None
    pending: dict[str, Any] = field(default_factory=dict)
    inflight: str | None = None
    sent_op: str | None = None
    sent_data: dict[str, Any] | None = None
    state: str = ""
    deleted: bool = False
    ever_sent: bool = False
    recorded_at: str | None = None

    @property
    def synced(self) -> bool:
        return (
            self.version is not None
            and not self.pending
            and self.inflight is None
            and not self.deleted
            and self.state == ""
        )


@dataclass(frozen=True)
class OutboxBatch:
    batch_id: str
    position: float
    body: bytes
    state: str

    @property
    def records(self) -> list[dict[str, Any]]:
        return list(json.loads(self.body)["records"])


@dataclass(frozen=True)
class Rejection:
    model: str
    id: str
    batch_id: str
    code: str
    errors: dict[str, list[str]]
    record: dict[str, Any]


@dataclass(frozen=True)
class Notice:
    """The server did not take this tablet's values as sent: the surveyor is told."""

    model: str
    id: str
    status: str
    conflict_fields: list[str]
    deleted: bool
    sent: dict[str, Any] | None
    server: dict[str, Any] | None
    batch_id: str


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _now() -> str:
    return datetime.datetime.now(tz=datetime.UTC).isoformat()


class LocalStore:
    """The tablet's SQLite database. Use `atomic()` around changes that must land together."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)
        self._depth = 0

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One local transaction (nested calls join the outer one)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._depth = 0

    # -- settings (token, device id, cursor...) --------------------------------------------------
    def setting(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def setting_put(self, key: str, value: Any) -> None:
        if value is None:
            self.db.execute("DELETE FROM setting WHERE key = ?", (key,))
        else:
            self.db.execute(
                "INSERT INTO setting (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    # -- records --------------------------------------------------------------------------------
    _RECORD_COLUMNS = (
        "model, id, version, data, server, base_version, pending, inflight, sent_op, sent_data, "
        "state, deleted, synced, ever_sent, recorded_at"
    )

    def record(self, model: str, record_id: str) -> LocalRecord | None:
        row = self.db.execute(
            f"SELECT {self._RECORD_COLUMNS} FROM record WHERE model = ? AND id = ?",  # noqa: S608
            (model, record_id),
        ).fetchone()
        return None if row is None else self._record_from_row(row)

    def records(self, *, where: str = "1 = 1", params: tuple[Any, ...] = ()) -> list[LocalRecord]:
        rows = self.db.execute(
            f"SELECT {self._RECORD_COLUMNS} FROM record WHERE {where} ORDER BY model, id",  # noqa: S608
            params,
        ).fetchall()
        return [self._record_from_row(row) for row in rows]

    def record_put(self, record: LocalRecord, *, pull_mark: bool = False) -> None:
        self.db.execute(
            f"INSERT INTO record ({self._RECORD_COLUMNS}, pull_mark) "  # noqa: S608
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) "
            "ON CONFLICT (model, id) DO UPDATE SET version = excluded.version, "
            "data = excluded.data, server = excluded.server, "
            "base_version = excluded.base_version, pending = excluded.pending, "
            "inflight = excluded.inflight, sent_op = excluded.sent_op, "
            "sent_data = excluded.sent_data, state = excluded.state, "
            "deleted = excluded.deleted, synced = excluded.synced, "
            "ever_sent = excluded.ever_sent, recorded_at = excluded.recorded_at"
            + (", pull_mark = 1" if pull_mark else ""),
            (
                record.model,
                record.id,
                record.version,
                _dump(record.data),
                _dump(record.server),
                record.base_version,
                _dump(record.pending),
                record.inflight,
                record.sent_op,
                _dump(record.sent_data),
                record.state,
                int(record.deleted),
                int(record.synced),
                int(record.ever_sent),
                record.recorded_at,
            ),
        )

    def record_remove(self, model: str, record_id: str) -> None:
        self.db.execute("DELETE FROM record WHERE model = ? AND id = ?", (model, record_id))

    @staticmethod
    def _record_from_row(row: tuple[Any, ...]) -> LocalRecord:
        return LocalRecord(
            model=row[0],
            id=row[1],
            version=row[2],
            data=_load(row[3]),
            server=_load(row[4]),
            base_version=row[5],
            pending=_load(row[6]) or {},
            inflight=row[7],
            sent_op=row[8],
            sent_data=_load(row[9]),
            state=row[10],
            deleted=bool(row[11]),
            ever_sent=bool(row[13]),
            recorded_at=row[14],
        )

    # -- reference data -------------------------------------------------------------------------
    def reference_put(self, model: str, code: str, version: int | None, data: Any) -> None:
        self.db.execute(
            "INSERT INTO reference (model, code, version, data, pull_mark) VALUES (?, ?, ?, ?, 1) "
            "ON CONFLICT (model, code) DO UPDATE SET version = excluded.version, "
            "data = excluded.data, pull_mark = 1",
            (model, code, version, _dump(data)),
        )

    def reference_remove(self, model: str, code: str) -> None:
        self.db.execute("DELETE FROM reference WHERE model = ? AND code = ?", (model, code))

    def reference(self, model: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
        query = "SELECT model, code, data FROM reference"
        rows = (
            self.db.execute(query + " WHERE model = ?", (model,))
            if model is not None
            else self.db.execute(query)
        )
        return {(m, code): json.loads(data) for m, code, data in rows}

    # -- a pull from scratch: what it did not bring is gone from the server ---------------------
    def pull_marks_reset(self) -> None:
        self.db.execute("UPDATE record SET pull_mark = 0")
        self.db.execute("UPDATE reference SET pull_mark = 0")

    def unmarked_synced_records(self) -> list[LocalRecord]:
        return self.records(where="pull_mark = 0 AND synced = 1")

    def unmarked_reference_remove(self) -> int:
        return self.db.execute("DELETE FROM reference WHERE pull_mark = 0").rowcount

    # -- outbox ---------------------------------------------------------------------------------
    def batch_add(self, batch_id: str, body: bytes, position: float | None = None) -> None:
        if position is None:
            row = self.db.execute("SELECT MAX(position) FROM outbox").fetchone()
            position = (row[0] or 0.0) + 1.0
        self.db.execute(
            "INSERT INTO outbox (batch_id, position, body, created_at, state) "
            "VALUES (?, ?, ?, ?, 'pending')",
            (batch_id, position, body.decode("utf-8"), _now()),
        )

    def batch_next(self) -> OutboxBatch | None:
        """The first batch not yet acknowledged."""
        row = self.db.execute(
            "SELECT batch_id, position, body, state FROM outbox WHERE state = 'pending' "
            "ORDER BY position LIMIT 1"
        ).fetchone()
        return None if row is None else OutboxBatch(row[0], row[1], row[2].encode(), row[3])

    def batch_after(self, position: float) -> float | None:
        row = self.db.execute(
            "SELECT MIN(position) FROM outbox WHERE position > ?", (position,)
        ).fetchone()
        return row[0]

    def batch_set_state(self, batch_id: str, state: str, response: Any = None) -> None:
        self.db.execute(
            "UPDATE outbox SET state = ?, acked_at = ?, response = ? WHERE batch_id = ?",
            (state, _now() if state == "acked" else None, _dump(response), batch_id),
        )

    def batches(self, state: str | None = None) -> list[OutboxBatch]:
        query = "SELECT batch_id, position, body, state FROM outbox"
        params: tuple[Any, ...] = ()
        if state is not None:
            query += " WHERE state = ?"
            params = (state,)
        rows = self.db.execute(query + " ORDER BY position", params).fetchall()
        return [OutboxBatch(r[0], r[1], r[2].encode(), r[3]) for r in rows]

    # -- rejected records and notices, for the surveyor -----------------------------------------
    def rejection_put(self, rejection: Rejection) -> None:
        self.db.execute(
            "INSERT INTO rejection (model, id, batch_id, code, errors, record, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (model, id) DO UPDATE SET "
            "batch_id = excluded.batch_id, code = excluded.code, errors = excluded.errors, "
            "record = excluded.record, at = excluded.at",
            (
                rejection.model,
                rejection.id,
                rejection.batch_id,
                rejection.code,
                _dump(rejection.errors),
                _dump(rejection.record),
                _now(),
            ),
        )

    def rejection(self, model: str, record_id: str) -> Rejection | None:
        found = [r for r in self.rejections() if (r.model, r.id) == (model, record_id)]
        return found[0] if found else None

    def rejections(self) -> list[Rejection]:
        rows = self.db.execute(
            "SELECT model, id, batch_id, code, errors, record FROM rejection ORDER BY at, model, id"
        ).fetchall()
        return [Rejection(r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5])) for r in rows]

    def rejection_remove(self, model: str, record_id: str) -> None:
        self.db.execute("DELETE FROM rejection WHERE model = ? AND id = ?", (model, record_id))

    def notice_add(self, notice: Notice) -> None:
        self.db.execute(
            "INSERT INTO notice (model, id, status, conflict_fields, deleted, sent, server, "
            "batch_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                notice.model,
                notice.id,
                notice.status,
                _dump(notice.conflict_fields),
                int(notice.deleted),
                _dump(notice.sent),
                _dump(notice.server),
                notice.batch_id,
                _now(),
            ),
        )

    def notices(self) -> list[Notice]:
        rows = self.db.execute(
            "SELECT model, id, status, conflict_fields, deleted, sent, server, batch_id "
            "FROM notice ORDER BY seq"
        ).fetchall()
        return [
            Notice(r[0], r[1], r[2], json.loads(r[3]), bool(r[4]), _load(r[5]), _load(r[6]), r[7])
            for r in rows
        ]
