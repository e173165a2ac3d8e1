"""The files on the tablet (photos, scanned documents), named by their sha256, and the file
outbox: the files still to upload, each with the tus upload that is bringing it to the server."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from tablet_client.store.schema import now


@dataclass(frozen=True)
class LocalFile:
    sha256: str
    name: str
    content_type: str
    size: int
    uploaded: bool


@dataclass(frozen=True)
class PendingFile:
    """A file waiting in the outbox; `upload_url` is the upload to resume (None: create one)."""

    sha256: str
    name: str
    content_type: str
    size: int
    upload_url: str | None
    state: str
    problem: str | None


class FileTable:
    """Reads and writes `file` and `file_outbox` rows; a file's bytes never change."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def put(self, sha256: str, name: str, content_type: str, data: bytes) -> bool:
        """Keep the file's bytes (once per content); False if the tablet had them already."""
        cursor = self.db.execute(
            "INSERT INTO file (sha256, name, content_type, size, data, taken_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
            (sha256, name, content_type, len(data), data, now()),
        )
        return cursor.rowcount == 1

    def get(self, sha256: str) -> LocalFile | None:
        row = self.db.execute(
            "SELECT sha256, name, content_type, size, uploaded_at FROM file WHERE sha256 = ?",
            (sha256,),
        ).fetchone()
        return None if row is None else _local_file(row)

    def data(self, sha256: str) -> bytes | None:
        row = self.db.execute("SELECT data FROM file WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else bytes(row[0])

    def all(self) -> list[LocalFile]:
        rows = self.db.execute(
            "SELECT sha256, name, content_type, size, uploaded_at FROM file "
            "ORDER BY taken_at, sha256"
        ).fetchall()
        return [_local_file(row) for row in rows]

    # -- the file outbox -------------------------------------------------------------------------
    def enqueue(self, sha256: str) -> None:
        """Wait to upload the file, unless it is waiting already or the server has it."""
        self.db.execute(
            "INSERT INTO file_outbox (sha256, state, added_at) "
            "SELECT sha256, 'pending', ? FROM file WHERE sha256 = ? AND uploaded_at IS NULL "
            "ON CONFLICT (sha256) DO NOTHING",
            (now(), sha256),
        )

    def pending(self, state: str | None = "pending") -> list[PendingFile]:
        query = (
            "SELECT o.sha256, f.name, f.content_type, f.size, o.upload_url, o.state, o.problem "
            "FROM file_outbox o JOIN file f ON f.sha256 = o.sha256"
        )
        params: tuple[str, ...] = ()
        if state is not None:
            query += " WHERE o.state = ?"
            params = (state,)
        rows = self.db.execute(query + " ORDER BY o.seq", params).fetchall()
        return [PendingFile(*row) for row in rows]

    def set_upload(self, sha256: str, upload_url: str | None) -> None:
        self.db.execute(
            "UPDATE file_outbox SET upload_url = ? WHERE sha256 = ?", (upload_url, sha256)
        )

    def uploaded(self, sha256: str) -> None:
        """The server has the file whole: the outbox forgets it, the tablet keeps the bytes."""
        self.db.execute("DELETE FROM file_outbox WHERE sha256 = ?", (sha256,))
        self.db.execute("UPDATE file SET uploaded_at = ? WHERE sha256 = ?", (now(), sha256))

    def fail(self, sha256: str, problem: str) -> None:
        """The server will never take this file as it is: kept, not sent again, shown."""
        self.db.execute(
            "UPDATE file_outbox SET state = 'failed', problem = ?, upload_url = NULL "
            "WHERE sha256 = ?",
            (problem, sha256),
        )


def _local_file(row: tuple[Any, ...]) -> LocalFile:
    return LocalFile(row[0], row[1], row[2], row[3], uploaded=row[4] is not None)
