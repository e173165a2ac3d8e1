"""The outbox: immutable batches, kept in the order they are sent, with the server's answer."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from tablet_client.store.schema import dump, now


@dataclass(frozen=True)
class OutboxBatch:
    batch_id: str
    position: float
    body: bytes
    state: str

    @property
    def records(self) -> list[dict[str, Any]]:
        return list(json.loads(self.body)["records"])


class OutboxTable:
    """Reads and writes `outbox` rows; a batch's body is never changed once added."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def add(self, batch_id: str, body: bytes, position: float | None = None) -> None:
        if position is None:
            row = self.db.execute("SELECT MAX(position) FROM outbox").fetchone()
            position = (row[0] or 0.0) + 1.0
        self.db.execute(
            "INSERT INTO outbox (batch_id, position, body, created_at, state) "
            "VALUES (?, ?, ?, ?, 'pending')",
            (batch_id, position, body.decode("utf-8"), now()),
        )

    def next(self) -> OutboxBatch | None:
        """The first batch not yet acknowledged."""
        row = self.db.execute(
            "SELECT batch_id, position, body, state FROM outbox WHERE state = 'pending' "
            "ORDER BY position LIMIT 1"
        ).fetchone()
        return None if row is None else OutboxBatch(row[0], row[1], row[2].encode(), row[3])

    def after(self, position: float) -> float | None:
        row = self.db.execute(
            "SELECT MIN(position) FROM outbox WHERE position > ?", (position,)
        ).fetchone()
        return row[0]

    def set_state(self, batch_id: str, state: str, response: Any = None) -> None:
        self.db.execute(
            "UPDATE outbox SET state = ?, acked_at = ?, response = ? WHERE batch_id = ?",
            (state, now() if state == "acked" else None, dump(response), batch_id),
        )

    def all(self, state: str | None = None) -> list[OutboxBatch]:
        query = "SELECT batch_id, position, body, state FROM outbox"
        params: tuple[Any, ...] = ()
        if state is not None:
            query += " WHERE state = ?"
            params = (state,)
        rows = self.db.execute(query + " ORDER BY position", params).fetchall()
        return [OutboxBatch(r[0], r[1], r[2].encode(), r[3]) for r in rows]
