"""What every benchmark needs: a fresh database, a real server on loopback, tablets, records."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.records import Records

__all__ = ["Records"]

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fieldsync_bench"
)
PASSWORD = "bench-password-1234"
# As in production: the figures are refreshed by a Celery worker, fed through Redis.
BENCH_BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
BENCH_CACHE = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/13")


def server_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": BENCH_DATABASE,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "CELERY_BROKER_URL": BENCH_BROKER,
        "CACHE_URL": BENCH_CACHE,
    }
    env.update(extra)
    return env


def recreate_database() -> None:
    """Drop and create the benchmark database, migrate it and load the reference data."""
    import psycopg

    name = BENCH_DATABASE.rsplit("/", 1)[1]
    admin = BENCH_DATABASE.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_reference_data", "-v", "0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=server_env(CELERY_BROKER_URL=""),
            check=True,
        )
    with psycopg.connect(BENCH_DATABASE, autocommit=True) as conn:
        # The SQL fills (bench_scale, bench_figures) name the columns a surveyor fills; the
        # rest (attachment references, later additions) take an empty value.
        columns = conn.execute(
            """SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_name IN ('accidents_accident', 'victims_victim', 'victims_assistance')
              AND is_nullable = 'NO' AND column_default IS NULL
              AND data_type IN ('jsonb', 'character varying', 'text')"""
        ).fetchall()
        for table, column, kind in columns:
            empty = "'[]'" if kind == "jsonb" else "''"
            conn.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" SET DEFAULT {empty}')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        ).stdout
        return [int(p) for p in out.split()]


# The accident columns the SQL fills write (every NOT NULL one without a default).
ACCIDENT_FILL_COLUMNS = """id, version, created_at, updated_at, is_deleted,
  reference, status, occurred_on, date_precision, time_of_day, province_id,
  district_id, village, classification, device_category, activity,
  ordnance_moved_before, prior_risk_education, description,
  reporting_organisation_id, reported_on, status_reason"""


def _flush_redis() -> None:
    import redis

    for url in (BENCH_BROKER, BENCH_CACHE):
        redis.Redis.from_url(url).flushdb()


def wait_worker_idle(timeout: float = 180) -> None:
    """Until the worker has nothing queued or in hand (a refresh waits out its countdown): a
    benchmark that follows pushes measures itself, not the background work they left."""
    import redis

    broker = redis.Redis.from_url(BENCH_BROKER)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if broker.llen("celery") == 0 and broker.hlen("unacked") == 0:
            return
        time.sleep(0.5)
    raise RuntimeError("the Celery worker did not become idle")


@contextmanager
def celery_worker() -> Iterator[subprocess.Popen[bytes]]:
    """One Celery worker process (the figures' refresh), as `make run` starts with a broker."""
    _flush_redis()
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "--quiet", "worker", "--concurrency", "1",
         "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=server_env(),
    )  # fmt: skip
    try:
        yield process
    finally:
        stop(process, 30)


@contextmanager
def gunicorn(workers: int = 2, threads: int = 4, **env: str) -> Iterator[Server]:
    """gunicorn serving the project (plus the naive build) on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "benchmarks.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env(**env),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/api/v1/health/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the benchmark server did not start")
        yield Server(url=url, process=process)
    finally:
        stop(process, 20)


def stop(process: subprocess.Popen[bytes], seconds: float) -> None:
    """SIGTERM (a graceful shutdown), then SIGKILL if it takes longer than `seconds`."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass
class Tablet:
    server: str
    token: str
    device_id: str
    client: httpx.Client = field(repr=False)

    def push(self, records: list[dict[str, Any]], batch_id: str | None = None) -> httpx.Response:
        body = {
            "batch_id": batch_id or str(uuid.uuid4()),
            "device_id": self.device_id,
            "schema_version": 1,
            "records": records,
        }
        return self.push_body(json.dumps(body).encode())

    def push_body(self, body: bytes) -> httpx.Response:
        return self.client.post(
            f"{self.server}/api/v1/sync/push/",
            content=body,
            headers={"Content-Type": "application/json"},
        )

    def pull(self, cursor: str | None, limit: int = 1000) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = self.client.get(f"{self.server}/api/v1/sync/pull/", params=params)
        response.raise_for_status()
        return dict(response.json())


def enrol(server: str, username: str) -> Tablet:
    device_id = str(uuid.uuid4())
    response = httpx.post(
        f"{server}/api/v1/auth/device/",
        json={
            "username": username,
            "password": PASSWORD,
            "device_id": device_id,
            "device_name": username,
        },
        timeout=30,
    )
    response.raise_for_status()
    token = response.json()["token"]
    client = httpx.Client(headers={"Authorization": f"Token {token}"}, timeout=300)
    return Tablet(server=server, token=token, device_id=device_id, client=client)


def ensure_accounts(usernames: dict[str, tuple[str, str]]) -> None:
    """Accounts (username -> (role, organisation)) created through the project's service."""
    from fieldsync.services.accounts import account_create_or_update

    for username, (role, organisation) in usernames.items():
        account_create_or_update(
            username=username, password=PASSWORD, role=role, organisation_code=organisation
        )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
