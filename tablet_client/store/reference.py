"""The reference data on the tablet (provinces, ordnance types...), kept as the server sends it."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from tablet_client.store.schema import dump


class ReferenceTable:
    """Reads and writes `reference` rows, keyed by (model, code)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def put(self, model: str, code: str, version: int | None, data: Any) -> None:
        self.db.execute(
            "INSERT INTO reference (model, code, version, data, pull_mark) VALUES (?, ?, ?, ?, 1) "
            "ON CONFLICT (model, code) DO UPDATE SET version = excluded.version, "
            "data = excluded.data, pull_mark = 1",
            (model, code, version, dump(data)),
        )

    def remove(self, model: str, code: str) -> None:
        self.db.execute("DELETE FROM reference WHERE model = ? AND code = ?", (model, code))

    def all(self, model: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
        query = "SELECT model, code, data FROM reference"
        rows = (
            self.db.execute(query + " WHERE model = ?", (model,))
            if model is not None
            else self.db.execute(query)
        )
        return {(m, code): json.loads(data) for m, code, data in rows}

    # -- a pull from scratch: what it did not bring is gone from the server ---------------------
    def pull_marks_reset(self) -> None:
        self.db.execute("UPDATE reference SET pull_mark = 0")

    def unmarked_remove(self) -> int:
        return self.db.execute("DELETE FROM reference WHERE pull_mark = 0").rowcount
