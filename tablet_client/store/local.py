"""`LocalStore`: the tablet's one SQLite connection, its transactions and settings, and each
table's reads and writes under the names the sync engine uses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tablet_client.store.files import FileTable, LocalFile, PendingFile
from tablet_client.store.outbox import OutboxBatch, OutboxTable
from tablet_client.store.records import LocalRecord, RecordTable
from tablet_client.store.reference import ReferenceTable
from tablet_client.store.review import Notice, NoticeTable, Rejection, RejectionTable
from tablet_client.store.schema import connect


class LocalStore:
    """The tablet's SQLite database. Use `atomic()` around changes that must land together."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self.db = connect(self.path)
        self._depth = 0
        self._records = RecordTable(self.db)
        self._reference = ReferenceTable(self.db)
        self._outbox = OutboxTable(self.db)
        self._rejections = RejectionTable(self.db)
        self._notices = NoticeTable(self.db)
        self._files = FileTable(self.db)

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
    def record(self, model: str, record_id: str) -> LocalRecord | None:
        return self._records.get(model, record_id)

    def records(self, *, where: str = "1 = 1", params: tuple[Any, ...] = ()) -> list[LocalRecord]:
        return self._records.select(where=where, params=params)

    def record_put(self, record: LocalRecord, *, pull_mark: bool = False) -> None:
        self._records.put(record, pull_mark=pull_mark)

    def record_remove(self, model: str, record_id: str) -> None:
        self._records.remove(model, record_id)

    # -- reference data -------------------------------------------------------------------------
    def reference_put(self, model: str, code: str, version: int | None, data: Any) -> None:
        self._reference.put(model, code, version, data)

    def reference_remove(self, model: str, code: str) -> None:
        self._reference.remove(model, code)

    def reference(self, model: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
        return self._reference.all(model)

    # -- a pull from scratch: what it did not bring is gone from the server ---------------------
    def pull_marks_reset(self) -> None:
        self._records.pull_marks_reset()
        self._reference.pull_marks_reset()

    def unmarked_synced_records(self) -> list[LocalRecord]:
        return self._records.unmarked_synced()

    def unmarked_reference_remove(self) -> int:
        return self._reference.unmarked_remove()

    # -- outbox ---------------------------------------------------------------------------------
    def batch_add(self, batch_id: str, body: bytes, position: float | None = None) -> None:
        self._outbox.add(batch_id, body, position)

    def batch_next(self) -> OutboxBatch | None:
        """The first batch not yet acknowledged."""
        return self._outbox.next()

    def batch_after(self, position: float) -> float | None:
        return self._outbox.after(position)

    def batch_set_state(self, batch_id: str, state: str, response: Any = None) -> None:
        self._outbox.set_state(batch_id, state, response)

    def batches(self, state: str | None = None) -> list[OutboxBatch]:
        return self._outbox.all(state)

    # -- rejected records and notices, for the surveyor -----------------------------------------
    def rejection_put(self, rejection: Rejection) -> None:
        self._rejections.put(rejection)

    def rejection(self, model: str, record_id: str) -> Rejection | None:
        return self._rejections.get(model, record_id)

    def rejections(self) -> list[Rejection]:
        return self._rejections.all()

    def rejection_remove(self, model: str, record_id: str) -> None:
        self._rejections.remove(model, record_id)

    def notice_add(self, notice: Notice) -> None:
        self._notices.add(notice)

    def notices(self) -> list[Notice]:
        return self._notices.all()

    # -- files, by sha256, and the file outbox ---------------------------------------------------
    def file_put(self, sha256: str, name: str, content_type: str, data: bytes) -> bool:
        return self._files.put(sha256, name, content_type, data)

    def file(self, sha256: str) -> LocalFile | None:
        return self._files.get(sha256)

    def file_data(self, sha256: str) -> bytes | None:
        return self._files.data(sha256)

    def files(self) -> list[LocalFile]:
        return self._files.all()

    def file_enqueue(self, sha256: str) -> None:
        self._files.enqueue(sha256)

    def files_pending(self, state: str | None = "pending") -> list[PendingFile]:
        """The file outbox in order (`state=None`: failed files too)."""
        return self._files.pending(state)

    def file_set_upload(self, sha256: str, upload_url: str | None) -> None:
        self._files.set_upload(sha256, upload_url)

    def file_uploaded(self, sha256: str) -> None:
        self._files.uploaded(sha256)

    def file_fail(self, sha256: str, problem: str) -> None:
        self._files.fail(sha256, problem)
