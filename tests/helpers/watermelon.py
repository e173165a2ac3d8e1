"""WatermelonDB field apps driven from Python: tests/js/watermelon.mjs runs @nozbe/watermelondb
in Node (LokiJS in memory, its own `synchronize()`) and answers one JSON line per command.

`WatermelonApp` is one app on one enrolled device; the `make_watermelon_app` fixture starts apps
against the live server, and `assert_matches_server` (tests.helpers.watermelon_compare) checks a
device's database against the v1 pull of the same user."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fieldsync.models import Role, User
from tests.helpers.node import npm_modules
from tests.helpers.sync import Tablet

#: The tables the app writes, with the columns the server manages (never edited on the device).
RECORD_TABLES: dict[str, tuple[str, ...]] = {
    "accidents": ("server_version", "reference", "status", "killed", "injured"),
    "victims": ("server_version", "age_group"),
    "assistance": ("server_version",),
}
REPLY_TIMEOUT = 60  # seconds; a first sync of the reference data takes well under one


class AppError(Exception):
    """The Node app refused a command (an unknown id or column, a failed request)."""


@dataclass(frozen=True)
class SyncResult:
    """What one `synchronize()` did: its log and the requests it made, or why it failed."""

    reply: dict[str, Any]

    @property
    def ok(self) -> bool:
        return bool(self.reply["ok"])

    @property
    def status(self) -> int | None:
        return self.reply.get("status")

    @property
    def code(self) -> str | None:
        return (self.reply.get("body") or {}).get("code")

    @property
    def log(self) -> dict[str, Any]:
        return self.reply.get("log", {})

    @property
    def pulls(self) -> list[dict[str, Any]]:
        return [entry for entry in self.reply["requests"] if entry["kind"] == "pull"]

    @property
    def pushes(self) -> list[dict[str, Any]]:
        return [entry for entry in self.reply["requests"] if entry["kind"] == "push"]

    @property
    def rejected(self) -> dict[str, list[str]]:
        return self.log.get("rejectedIds") or {}

    def pulled_ids(self, table: str, kind: str = "updated") -> list[str]:
        return [row for pull in self.pulls for row in pull["ids"].get(table, {}).get(kind, [])]

    def pushed(self, table: str, kind: str) -> list[Any]:
        """The rows (created, updated) or ids (deleted) the pushes sent."""
        return [row for push in self.pushes for row in push["changes"].get(table, {}).get(kind, [])]


@dataclass
class WatermelonApp:
    """One field app on one enrolled device of `user`."""

    script: Path
    url: str
    tablet: Tablet
    schema_version: int = 2
    _process: subprocess.Popen[str] | None = None
    _replies: queue.Queue[str] = field(default_factory=queue.Queue)
    _stderr: Any = None

    @property
    def user(self) -> User:
        return self.tablet.user

    def start(self) -> WatermelonApp:
        self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        self._process = subprocess.Popen(
            ["node", str(self.script)],
            cwd=self.script.parent,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            encoding="utf-8",
        )
        threading.Thread(target=self._read, args=(self._process,), daemon=True).start()
        self.call(
            "open",
            url=self.url,
            token=self.tablet.token,
            schemaVersion=self.schema_version,
            records={table: list(columns) for table, columns in RECORD_TABLES.items()},
        )
        return self

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self._replies.put(line)

    def stop(self) -> None:
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def stderr(self) -> str:
        self._stderr.seek(0)
        text: str = self._stderr.read()
        return text[-4000:]

    def call(self, command: str, **args: Any) -> dict[str, Any]:
        assert self._process is not None and self._process.stdin is not None, "app not started"
        self._process.stdin.write(json.dumps({"command": command, **args}) + "\n")
        self._process.stdin.flush()
        try:
            reply: dict[str, Any] = json.loads(self._replies.get(timeout=REPLY_TIMEOUT))
        except queue.Empty:
            raise AppError(f"{command}: no reply in {REPLY_TIMEOUT} s\n{self.stderr()}") from None
        if "error" in reply:
            raise AppError(f"{command}: {reply['error']}")
        return reply

    # -- what a surveyor does ----------------------------------------------------------------
    def create(self, table: str, columns: dict[str, Any], record_id: str | None = None) -> str:
        reply = self.call("create", table=table, columns=columns, id=record_id)
        return str(reply["id"])

    def update(self, table: str, record_id: str, **columns: Any) -> None:
        self.call("update", table=table, id=record_id, columns=columns)

    def delete(self, table: str, record_id: str) -> None:
        self.call("delete", table=table, id=record_id)

    def sync(
        self,
        *,
        lose_push_request: bool = False,
        lose_push_response: bool = False,
        lose_pull_response: bool = False,
    ) -> SyncResult:
        """One `synchronize()`; a lost request never reaches the server, a lost response is
        processed by the server before the app sees the network drop."""
        return SyncResult(
            self.call(
                "sync",
                losePushRequest=lose_push_request,
                losePushResponse=lose_push_response,
                losePullResponse=lose_pull_response,
            )
        )

    def sync_ok(self) -> SyncResult:
        """A sync that succeeds, and in which WatermelonDB itself reported no anomaly."""
        result = self.sync()
        assert result.ok, result.reply
        assert result.reply["logged"] == [], result.reply["logged"]
        return result

    def upgrade(self, schema_version: int) -> None:
        self.call("upgrade", schemaVersion=schema_version)
        self.schema_version = schema_version

    def resync(self) -> dict[str, Any]:
        return self.call("resync")

    # -- what is on the device -----------------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        return self.call("dump")

    def rows(self, table: str) -> dict[str, dict[str, Any]]:
        return {row["id"]: row for row in self.dump()["tables"][table]}

    def row(self, table: str, record_id: str) -> dict[str, Any]:
        return self.rows(table)[record_id]


MakeApp = Callable[..., WatermelonApp]


def watermelon_script() -> Path:
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("needs Node.js 20 and npm (CI has them)")
    return npm_modules("@nozbe/watermelondb") / "watermelon.mjs"


@pytest.fixture
def make_watermelon_app(live_server: Any, make_tablet: Callable[..., Tablet]) -> Iterator[MakeApp]:
    """Starts field apps on new devices (a user given by name is created on first use)."""
    script = watermelon_script()
    started: list[WatermelonApp] = []

    def make(
        username: str = "surveyor-halo",
        role: str = Role.SURVEYOR,
        organisation: str = "HALO",
        schema_version: int = 2,
        personal_data: bool = False,
    ) -> WatermelonApp:
        tablet = make_tablet(username, role, organisation, personal_data)
        app = WatermelonApp(script, live_server.url, tablet, schema_version)
        started.append(app)
        return app.start()

    yield make
    for app in started:
        app.stop()
