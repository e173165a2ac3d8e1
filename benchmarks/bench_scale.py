"""Benchmarks of scale: server memory during a large push, push cost as the tables grow, many
tablets at once, and a spreadsheet import."""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks import harness
from benchmarks.report import Row, row


def bench_memory() -> list[Row]:
    """Peak resident memory of a single server worker while it takes a 5,000-record push."""
    with harness.gunicorn(
        workers=1,
        threads=1,
        SYNC_MAX_BATCH_RECORDS="5000",
        SYNC_MAX_BATCH_BYTES=str(50 * 1024 * 1024),
    ) as server:
        tablet = harness.enrol(server.url, "bench-halo")
        tablet.push(harness.Records(seed=21).mixed(30))
        pid = server.worker_pids()[0]
        before = _rss_peak_mb(pid)
        response = tablet.push(harness.Records(seed=22).mixed(5000))
        response.raise_for_status()
        peak = _rss_peak_mb(pid)
    return [
        row(
            "peak memory of the server during a 5,000-record push",
            peak,
            "MB",
            "<= 200 MB",
            peak <= 200,
            before_push_mb=round(before, 1),
        )
    ]


def _rss_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_flat(server: str, sizes: list[int]) -> list[Row]:
    """Push cost per record as the tables grow: bulk-load to each size, then time pushes."""
    tablet = harness.enrol(server, "bench-halo")
    costs = []
    for size in sizes:
        _bulk_fill(size)
        harness.wait_worker_idle()
        generator = harness.Records(seed=size)
        timings = []
        for _ in range(3):
            records = generator.mixed(1000)
            started = time.perf_counter()
            tablet.push(records).raise_for_status()
            timings.append((time.perf_counter() - started) * 1000 / 1000)
        costs.append(statistics.median(timings))
    spread = max(costs) / min(costs)
    detail = {
        f"us_per_record_at_{size}": round(cost * 1000, 1)
        for size, cost in zip(sizes, costs, strict=True)
    }
    return [
        row(
            "push cost per record at " + " / ".join(f"{s:,}" for s in sizes) + " stored",
            spread,
            "x (max/min)",
            "flat (<= 1.5x)",
            spread <= 1.5,
            **detail,
        )
    ]


def _bulk_fill(size: int) -> None:
    """Bring the stored accidents+victims to `size` rows fast (SQL), with their versions and
    change-log rows (what a push stores beside each record)."""
    import psycopg

    missing = size - stored_records()
    if missing <= 0:
        return
    half = missing // 2
    with psycopg.connect(harness.BENCH_DATABASE) as conn:
        conn.execute(f"""
            INSERT INTO accidents_accident ({harness.ACCIDENT_FILL_COLUMNS})
            SELECT gen_random_uuid(), 1, now(), now(), false, 'FILL-' || g || '-' || {size},
              'reported', date '2000-01-01' + (g % 9000), 'day', 'unknown', 'LA-XI', '0901', '',
              'civilian', 'cluster_submunition', 'farming', 'unknown', 'unknown', '', 'MAG',
              date '2026-01-01', ''
            FROM generate_series(1, {half}) AS g""")
        conn.execute(f"""
            INSERT INTO victims_victim (id, version, created_at, updated_at, is_deleted,
              victim_type, accident_id, relationship, outcome, sex, age_years, age_estimated,
              civilian_status, role, injuries, full_name, phone, guardian_name, consent)
            SELECT gen_random_uuid(), 1, now(), now(), false, 'direct', a.id, '', 'injured',
              'male', 30, false, 'civilian', 'unknown', '[]', '', '', '', 'none'
            FROM accidents_accident a WHERE a.reference LIKE 'FILL-%-{size}'""")
        _fill_sequence(conn)
        for model, table in (("accident", "accidents_accident"), ("victim", "victims_victim")):
            conn.execute(f"""
                INSERT INTO fieldsync_recordversion (model, record_id, version, op, data, changes,
                  source, created_at)
                SELECT '{model}', t.id::text, 1, 'create', to_jsonb(t), '{{}}', 'sync', now()
                FROM {table} t
                WHERE NOT EXISTS (SELECT 1 FROM fieldsync_recordversion v
                                  WHERE v.model = '{model}' AND v.record_id = t.id::text)""")
        for model, table in (("accident", "accidents_accident"), ("victim", "victims_victim")):
            conn.execute(f"""
                INSERT INTO fieldsync_change (model, record_id, audience, seq, version, deleted,
                  visible)
                SELECT '{model}', t.id::text, a.aud, nextval('fill_seq'), 1, false, true
                FROM {table} t CROSS JOIN (VALUES ('MAG'), ('*all')) AS a(aud)
                WHERE NOT EXISTS (SELECT 1 FROM fieldsync_change c
                                  WHERE c.model = '{model}' AND c.record_id = t.id::text)""")
        conn.commit()
        conn.execute("ANALYZE")


def _fill_sequence(conn: Any) -> None:
    """Change-log rows for bulk-filled records take numbers above everything handed out."""
    conn.execute("CREATE SEQUENCE IF NOT EXISTS fill_seq")
    top = conn.execute("SELECT COALESCE(MAX(seq_high), 0) FROM fieldsync_synccommit").fetchone()
    conn.execute("SELECT setval('fill_seq', %s + 1000000000)", [int(top[0]) + 1])


def bench_tablets(server: str, tablets: int, records_each: int) -> list[Row]:
    """Many tablets syncing at once (enrol, push a batch, pull), bounded in count and time."""
    devices = [harness.enrol(server, f"bench-t{i}") for i in range(tablets)]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(tablets)

    def sync(index: int) -> None:
        tablet = devices[index]
        records = harness.Records(seed=1000 + index).mixed(records_each)
        barrier.wait()
        for action in ("push", "pull"):
            started = time.perf_counter()
            try:
                if action == "push":
                    response = tablet.push(records)
                    ok = response.status_code == 200 and all(
                        r["status"] == "applied" for r in response.json()["results"]
                    )
                else:
                    tablet.pull(None, 1000)
                    ok = True
            except Exception as error:
                ok = False
                with lock:
                    errors.append(f"{action}: {type(error).__name__}")
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                if not ok:
                    errors.append(action)

    threads = [threading.Thread(target=sync, args=(i,)) for i in range(tablets)]
    harness.wait_worker_idle()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    elapsed = time.perf_counter() - started
    return [
        row(
            f"{tablets} tablets syncing at once (push {records_each} + pull)",
            len(errors),
            "errors",
            "0 errors",
            not errors,
            requests_per_s=round(len(latencies) / elapsed, 1),
            records_per_s=round(tablets * records_each / elapsed),
            p50_ms=round(harness.percentile(latencies, 0.5)),
            p95_ms=round(harness.percentile(latencies, 0.95)),
            p99_ms=round(harness.percentile(latencies, 0.99)),
        )
    ]


def bench_import_rows(victims: int) -> list[Row]:
    """Historic records from a spreadsheet (issue: import and export), on a fresh database."""
    from benchmarks import bench_import

    result = bench_import.measure(victims)
    seconds = result["xlsx_s"]
    return [
        row(
            f"import of {result['victims']:,} victims + {result['accidents']:,} accidents, XLSX",
            seconds,
            "s",
            "< 60 s",
            seconds < 60,
            records_per_s=round(result["records"] / seconds),
            csv_s=round(result["csv_s"], 1),
            replay_s=round(result["replay_s"], 1),
            figures_refresh_s=round(result["refresh_s"], 1),
        )
    ]


def stored_records() -> int:
    from accidents.models import Accident
    from victims.models import Assistance, Victim

    return Accident.objects.count() + Victim.objects.count() + Assistance.objects.count()
