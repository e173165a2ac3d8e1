"""Real servers for fault tests: gunicorn on loopback against the test database, a tablet over
real HTTP, and a TCP proxy in front of PostgreSQL that a test can cut."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from django.db import connection

from tests.helpers.sync import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url(host: str = "127.0.0.1", port: int | None = None) -> str:
    settings = connection.settings_dict
    port = port or int(settings.get("PORT") or 5432)
    user = settings.get("USER") or "postgres"
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


@dataclass
class Gunicorn:
    url: str
    process: subprocess.Popen[bytes]

    def workers(self) -> list[int]:
        found = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [int(pid) for pid in found.split()]


@contextmanager
def gunicorn(database: str, workers: int = 2, **env: str) -> Iterator[Gunicorn]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--preload",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--timeout",
            "60",
            "--graceful-timeout",
            "2",
            "--log-level",
            "error",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "CELERY_BROKER_URL": "",
            "CONN_MAX_AGE": "0",
            **env,
        },
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/api/v1/sync/info/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield Gunicorn(url=url, process=process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class HttpTablet:
    """A tablet over real HTTP that resends a batch until it gets a contract answer."""

    def __init__(self, url: str, username: str) -> None:
        self.url = url
        self.device_id = str(uuid.uuid4())
        response = httpx.post(
            f"{url}/api/v1/auth/device/",
            json={
                "username": username,
                "password": PASSWORD,
                "device_id": self.device_id,
                "device_name": username,
            },
            timeout=30,
        )
        response.raise_for_status()
        self.client = httpx.Client(
            headers={"Authorization": f"Token {response.json()['token']}"}, timeout=30
        )

    def body(self, records: list[dict[str, Any]]) -> bytes:
        import json

        return json.dumps(
            {
                "batch_id": str(uuid.uuid4()),
                "device_id": self.device_id,
                "schema_version": 1,
                "records": records,
            }
        ).encode()

    def post(self, body: bytes) -> httpx.Response:
        return self.client.post(
            f"{self.url}/api/v1/sync/push/",
            content=body,
            headers={"Content-Type": "application/json"},
        )


class TcpProxy:
    """A loopback TCP proxy in front of PostgreSQL that the test can cut and restore."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._server: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def stop(self) -> None:
        """The database goes away: no new connections, existing ones cut."""
        if self._server is not None:
            with suppress(OSError):  # wakes the accepting thread, so no connection gets through
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
            self._server = None
        with self._lock:
            for sock in self._connections:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._connections.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.close()
