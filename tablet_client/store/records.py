"""The records on the tablet, as the surveyor sees them and as the server last said (`record`)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from tablet_client.store.schema import dump, load


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


class RecordTable:
    """Reads and writes `record` rows as `LocalRecord`s."""

    _RECORD_COLUMNS = (
        "model, id, version, data, server, base_version, pending, inflight, sent_op, sent_data, "
        "state, deleted, synced, ever_sent, recorded_at"
    )

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def get(self, model: str, record_id: str) -> LocalRecord | None:
        row = self.db.execute(
            f"SELECT {self._RECORD_COLUMNS} FROM record WHERE model = ? AND id = ?",  # noqa: S608
            (model, record_id),
        ).fetchone()
        return None if row is None else self._record_from_row(row)

    def select(self, *, where: str = "1 = 1", params: tuple[Any, ...] = ()) -> list[LocalRecord]:
        rows = self.db.execute(
            f"SELECT {self._RECORD_COLUMNS} FROM record WHERE {where} ORDER BY model, id",  # noqa: S608
            params,
        ).fetchall()
        return [self._record_from_row(row) for row in rows]

    def put(self, record: LocalRecord, *, pull_mark: bool = False) -> None:
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
                dump(record.data),
                dump(record.server),
                record.base_version,
                dump(record.pending),
                record.inflight,
                record.sent_op,
                dump(record.sent_data),
                record.state,
                int(record.deleted),
                int(record.synced),
                int(record.ever_sent),
                record.recorded_at,
            ),
        )

    def remove(self, model: str, record_id: str) -> None:
        self.db.execute("DELETE FROM record WHERE model = ? AND id = ?", (model, record_id))

    # -- a pull from scratch: what it did not bring is gone from the server ---------------------
    def pull_marks_reset(self) -> None:
        self.db.execute("UPDATE record SET pull_mark = 0")

    def unmarked_synced(self) -> list[LocalRecord]:
        return self.select(where="pull_mark = 0 AND synced = 1")

    @staticmethod
    def _record_from_row(row: tuple[Any, ...]) -> LocalRecord:
        return LocalRecord(
            model=row[0],
            id=row[1],
            version=row[2],
            data=load(row[3]),
            server=load(row[4]),
            base_version=row[5],
            pending=load(row[6]) or {},
            inflight=row[7],
            sent_op=row[8],
            sent_data=load(row[9]),
            state=row[10],
            deleted=bool(row[11]),
            ever_sent=bool(row[13]),
            recorded_at=row[14],
        )
