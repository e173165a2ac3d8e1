"""The tablet's local store: one SQLite file (stdlib sqlite3) that survives the app being killed.

It holds the records as the surveyor sees them, with what the server last said about each, the
reference data, the outbox of immutable batches, the pull cursor, the records the server
rejected (kept for the surveyor), the conflict notices, and the files (photos, documents) by
sha256 with the outbox of files still to upload. Nothing here knows about accidents or victims:
records are wire dicts of any model.

`LocalStore` (`local`) owns the connection, transactions and settings and hands each table's
work to its module: `records`, `reference`, `outbox`, `review` (rejections and notices), `files`
(the files and the file outbox); the tables themselves are in `schema`.
"""

from tablet_client.store.files import LocalFile, PendingFile
from tablet_client.store.local import LocalStore
from tablet_client.store.outbox import OutboxBatch
from tablet_client.store.records import LocalRecord
from tablet_client.store.review import Notice, Rejection
from tablet_client.store.schema import SCHEMA

__all__ = [
    "SCHEMA",
    "LocalFile",
    "LocalRecord",
    "LocalStore",
    "Notice",
    "OutboxBatch",
    "PendingFile",
    "Rejection",
]
