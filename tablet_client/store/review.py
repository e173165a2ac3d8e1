"""Rejected records and notices, kept for the surveyor (`rejection`, `notice`)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from tablet_client.store.schema import dump, load, now


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


class RejectionTable:
    """The records the server rejected, one per record, until fixed or given up."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def put(self, rejection: Rejection) -> None:
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
                dump(rejection.errors),
                dump(rejection.record),
                now(),
            ),
        )

    def get(self, model: str, record_id: str) -> Rejection | None:
        found = [r for r in self.all() if (r.model, r.id) == (model, record_id)]
        return found[0] if found else None

    def all(self) -> list[Rejection]:
        rows = self.db.execute(
            "SELECT model, id, batch_id, code, errors, record FROM rejection ORDER BY at, model, id"
        ).fetchall()
        return [Rejection(r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5])) for r in rows]

    def remove(self, model: str, record_id: str) -> None:
        self.db.execute("DELETE FROM rejection WHERE model = ? AND id = ?", (model, record_id))


class NoticeTable:
    """The conflict notices, in the order they came."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def add(self, notice: Notice) -> None:
        self.db.execute(
            "INSERT INTO notice (model, id, status, conflict_fields, deleted, sent, server, "
            "batch_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                notice.model,
                notice.id,
                notice.status,
                dump(notice.conflict_fields),
                int(notice.deleted),
                dump(notice.sent),
                dump(notice.server),
                notice.batch_id,
                now(),
            ),
        )

    def all(self) -> list[Notice]:
        rows = self.db.execute(
            "SELECT model, id, status, conflict_fields, deleted, sent, server, batch_id "
            "FROM notice ORDER BY seq"
        ).fetchall()
        return [
            Notice(r[0], r[1], r[2], json.loads(r[3]), bool(r[4]), load(r[5]), load(r[6]), r[7])
            for r in rows
        ]
