"""The local store's tables in SQLite, how a connection to them is opened, and how values are kept
in them (JSON text, timezone-aware ISO timestamps)."""

from __future__ import annotations

import datetime
import json
import sqlite3
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
CREATE TABLE IF NOT EXISTS file (
    sha256 TEXT PRIMARY KEY,    -- the file's name everywhere: on the tablet, in records, upstream
    name TEXT NOT NULL,         -- what the surveyor's record first called it
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    taken_at TEXT NOT NULL,
    uploaded_at TEXT            -- the server has it whole (NULL: not yet known)
);
CREATE TABLE IF NOT EXISTS file_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL UNIQUE REFERENCES file (sha256),
    upload_url TEXT,            -- the tus upload in progress (kept across restarts); NULL: none
    state TEXT NOT NULL,        -- 'pending', or 'failed' (the server will not take it: problem)
    problem TEXT,
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


def connect(path: str | Path) -> sqlite3.Connection:
    """The store's SQLite file, its tables created if new; transactions are opened explicitly."""
    db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    return db


def dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def now() -> str:
    return datetime.datetime.now(tz=datetime.UTC).isoformat()
