"""`make bench`: sync at national scale, each figure against a baseline measured in the same run.

Runs on PostgreSQL (BENCH_DATABASE_URL, default a fresh `fieldsync_bench` database), against
gunicorn on loopback. Prints one table and saves the figures under benchmarks/results/.
`--quick` uses smaller sizes (a smoke run); `--only NAME` runs some benchmarks.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"

from benchmarks import harness

os.environ["DATABASE_URL"] = harness.BENCH_DATABASE
os.environ["CELERY_BROKER_URL"] = ""

RESULTS = Path(__file__).resolve().parent / "results"
Row = dict[str, Any]


def setup_django() -> None:
    import django

    django.setup()
    setup_accounts()


def setup_accounts() -> None:
    harness.ensure_accounts(
        {
            "bench-halo": ("surveyor", "HALO"),
            "bench-office": ("surveyor", "HALO"),
            "bench-nra": ("nra_staff", "NRA"),
            **{f"bench-t{i}": ("surveyor", "MAG") for i in range(100)},
            **{name: ("surveyor", "QLA") for name in ("bench-day-a", "bench-day-b")},
            "bench-day-office": ("surveyor", "QLA"),
        }
    )


def row(name: str, figure: float, unit: str, target: str, met: bool, **details: Any) -> Row:
    return {
        "benchmark": name,
        "figure": round(figure, 2),
        "unit": unit,
        "target": target,
        "met": met,
        **details,
    }


# -- baselines ---------------------------------------------------------------------------------
def raw_executemany_rate(records: list[dict[str, Any]]) -> float:
    """The limit: the same rows written with plain psycopg executemany into equivalent tables."""
    from django.db import connection

    from fieldsync.registry import WriteContext, registry

    context = WriteContext(device=None, user=None, today=datetime.date.today())
    now = datetime.datetime.now(datetime.UTC)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    columns: dict[str, list[str]] = {}
    for number, record in enumerate(records):
        adapter = registry[record["model"]]
        adapter.load_lookups([record["data"]], context)
        data = {**adapter.defaults(context), **record["data"]}
        if record["model"] == "accident":
            data["reporting_organisation"] = "HALO"
        clean, errors = adapter.validate(data, context)
        assert not errors, errors
        instance = adapter.build(record["id"], clean, context)
        instance.created_at = instance.updated_at = now
        if record["model"] == "accident":
            instance.reference = f"RAW-{number:08d}"
        fields = [f for f in instance._meta.concrete_fields if not f.generated]
        table = f"bench_raw_{record['model']}"
        columns[table] = [f.column for f in fields]
        rows.setdefault(table, []).append(
            tuple(f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields)
        )
    import psycopg

    with psycopg.connect(harness.BENCH_DATABASE) as conn:
        for model, source in (
            ("accident", "accidents_accident"),
            ("victim", "victims_victim"),
            ("assistance", "victims_assistance"),
        ):
            conn.execute(f"DROP TABLE IF EXISTS bench_raw_{model}")
            conn.execute(f"CREATE TABLE bench_raw_{model} (LIKE {source} INCLUDING ALL)")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cursor:
            for table, values in rows.items():
                names = ", ".join(columns[table])
                marks = ", ".join(["%s"] * len(columns[table]))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)
        conn.commit()
        elapsed = time.perf_counter() - started
    return len(records) / elapsed


def naive_rate(server: str, count: int) -> float:
    """The naive build: one DRF ModelViewSet POST per record, over HTTP."""
    import httpx

    records = harness.Records(seed=99).mixed(count)
    client = httpx.Client(auth=("bench-nra", harness.PASSWORD), timeout=60)
    paths = {"accident": "accidents", "victim": "victims", "assistance": "assistance"}
    started = time.perf_counter()
    for record in records:
        body = {"id": record["id"], **record["data"]}
        if record["model"] == "accident":
            body |= {"reporting_organisation": "HALO", "reported_on": "2026-11-20"}
        response = client.post(f"{server}/naive/{paths[record['model']]}/", json=body)
        if response.status_code != 201:
            raise RuntimeError(f"naive build refused a record: {response.text[:300]}")
    return count / (time.perf_counter() - started)


# -- benchmarks ---------------------------------------------------------------------------------
def bench_push_new(server: str, batches: int) -> tuple[list[Row], list[dict[str, Any]]]:
    tablet = harness.enrol(server, "bench-halo")
    generator = harness.Records(seed=1)
    payloads = [generator.mixed(1000) for _ in range(batches)]
    tablet.push(generator.mixed(30))  # warm the worker processes
    harness.wait_worker_idle()
    elapsed = []
    for records in payloads:
        started = time.perf_counter()
        response = tablet.push(records)
        elapsed.append(time.perf_counter() - started)
        statuses = {r["status"] for r in response.json()["results"]}
        if statuses != {"applied"}:
            raise RuntimeError(f"push gave {statuses}")
    rate = 1000 * batches / sum(elapsed)
    raw = raw_executemany_rate(harness.Records(seed=3).mixed(1000 * min(batches, 3)))
    naive = naive_rate(server, 150)
    return [
        row(
            "push new records, 1,000/batch, HTTP",
            rate,
            "records/s",
            ">= 10,000",
            rate >= 10_000,
            median_batch_ms=round(statistics.median(elapsed) * 1000, 1),
        ),
        row(
            "  vs raw psycopg executemany",
            100 * rate / raw,
            "% of raw",
            ">= 25%",
            rate / raw >= 0.25,
            raw_records_per_s=round(raw),
        ),
        row(
            "  vs naive DRF ModelViewSet",
            rate / naive,
            "x naive",
            ">= 30x",
            rate / naive >= 30,
            naive_records_per_s=round(naive, 1),
        ),
    ], [r for records in payloads for r in records]


def bench_merge(server: str, stored: list[dict[str, Any]]) -> list[Row]:
    """Edits from version 1 after the server changed other fields: every one is a merge."""
    field_tablet, office = (
        harness.enrol(server, "bench-halo"),
        harness.enrol(server, "bench-office"),
    )
    chosen = stored[:3000]
    server_edit = {
        "accident": {"description": "checked by the office"},
        "victim": {"age_estimated": True},
        "assistance": {"notes": "office note"},
    }
    tablet_edit = {
        "accident": {"village": "Ban Tablet"},
        "victim": {"role": "handler"},
        "assistance": {"status": "in_progress"},
    }
    for start in range(0, len(chosen), 1000):
        office.push(
            [
                {**r, "base_version": 1, "data": server_edit[r["model"]]}
                for r in chosen[start : start + 1000]
            ]
        )
    harness.wait_worker_idle()
    elapsed = 0.0
    for start in range(0, len(chosen), 1000):
        edits = [
            {**r, "base_version": 1, "data": tablet_edit[r["model"]]}
            for r in chosen[start : start + 1000]
        ]
        started = time.perf_counter()
        response = field_tablet.push(edits)
        elapsed += time.perf_counter() - started
        statuses = {r["status"] for r in response.json()["results"]}
        if statuses != {"merged"}:
            raise RuntimeError(f"merge push gave {statuses}")
    rate = len(chosen) / elapsed
    return [
        row("push of edits needing a three-way merge", rate, "records/s", ">= 5,000", rate >= 5000)
    ]


def bench_replay(server: str) -> list[Row]:
    tablet = harness.enrol(server, "bench-halo")
    body = json.dumps(
        {
            "batch_id": str(uuid.uuid4()),
            "device_id": tablet.device_id,
            "schema_version": 1,
            "records": harness.Records(seed=5).mixed(1000),
        }
    ).encode()
    tablet.push_body(body)
    harness.wait_worker_idle()
    timings = []
    for _ in range(30):
        started = time.perf_counter()
        response = tablet.push_body(body)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    median = statistics.median(timings)
    return [
        row(
            "replay of an acknowledged 1,000-record batch",
            median,
            "ms (median)",
            "<= 20 ms",
            median <= 20,
            p95_ms=round(harness.percentile(timings, 0.95), 1),
        )
    ]


def bench_first_pull(server: str, total: int) -> list[Row]:
    tablet = harness.enrol(server, "bench-halo")
    missing = total - _stored_records()
    generator = harness.Records(seed=11)
    while missing > 0:
        tablet.push(generator.mixed(min(1000, missing)))
        missing -= 1000
    reader = harness.enrol(server, "bench-nra")
    harness.wait_worker_idle()
    started = time.perf_counter()
    cursor, received, pages = None, 0, 0
    while True:
        page = reader.pull(cursor, 1000)
        received += len(page["changes"])
        pages += 1
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    elapsed = time.perf_counter() - started
    rate = received / elapsed
    raw = _raw_read_rate()
    return [
        row(
            f"first pull of {received:,} changes, 1,000/page",
            rate,
            "records/s",
            ">= 20,000",
            rate >= 20_000,
            pages=pages,
        ),
        row(
            "  vs plain SQL read of the same rows",
            100 * rate / raw,
            "% of raw",
            "(report)",
            True,
            raw_records_per_s=round(raw),
        ),
    ]


def _stored_records() -> int:
    from accidents.models import Accident
    from victims.models import Assistance, Victim

    return Accident.objects.count() + Victim.objects.count() + Assistance.objects.count()


def _raw_read_rate() -> float:
    import psycopg

    with psycopg.connect(harness.BENCH_DATABASE) as conn:
        started = time.perf_counter()
        count = 0
        for table in ("accidents_accident", "victims_victim", "victims_assistance"):
            count += len(conn.execute(f"SELECT * FROM {table}").fetchall())
        return count / (time.perf_counter() - started)


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
    """Bring the stored accidents+victims to `size` rows fast (SQL), with their change-log rows."""
    import psycopg

    missing = size - _stored_records()
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
                INSERT INTO fieldsync_change (model, record_id, audience, seq, version, deleted,
                  visible)
                SELECT '{model}', t.id::text, a.aud, nextval('fill_seq'), 1, false, true
                FROM {table} t CROSS JOIN (VALUES ('MAG'), ('*all')) AS a(aud)
                WHERE t.id::text NOT IN (SELECT record_id FROM fieldsync_change
                                         WHERE model = '{model}')""")
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


# -- driver -------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    quick = args.quick
    harness.recreate_database()
    setup_django()
    rows: list[Row] = []
    try:
        _run(args.only, quick, rows)
    finally:  # what was measured is printed and kept, even if a later benchmark failed
        _print(rows)
        _save(rows, quick)
    return 0


def _run(only: list[str] | None, quick: bool, rows: list[Row]) -> None:
    selected = _progress(only, rows)
    with harness.celery_worker(), harness.gunicorn(workers=2, threads=4) as server:
        if selected("push"):
            push_rows, stored = bench_push_new(server.url, 3 if quick else 10)
            rows += push_rows
            if selected("merge"):
                rows += bench_merge(server.url, stored)
        if selected("replay"):
            rows += bench_replay(server.url)
        if selected("wire"):
            from benchmarks import bench_wire

            rows += bench_wire.rows(server.url, int(server.url.rsplit(":", 1)[1]))
        if selected("watermelon"):
            from benchmarks import bench_watermelon

            rows += bench_watermelon.rows(server.url, 3 if quick else 5)
        if selected("pull"):
            rows += bench_first_pull(server.url, 10_000 if quick else 100_000)
        if selected("tablets"):
            rows += bench_tablets(server.url, 20 if quick else 100, 50)
        if selected("flat"):
            sizes = [10_000, 30_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
            rows += bench_flat(server.url, sizes)
    if selected("memory"):
        rows += bench_memory()
    if selected("attachments"):
        from benchmarks import bench_attachments

        rows += bench_attachments.rows()
    if selected("figures"):
        from django.db import connections

        from benchmarks import bench_figures

        connections.close_all()
        harness.recreate_database()  # figures over realistic data, not the benchmarks' pushes
        setup_accounts()
        rows += bench_figures.bench_rebuild(100_000 if quick else 1_000_000)
        rows += bench_figures.bench_incremental()
        rows += bench_figures.bench_disclosure(stress=True)
        rows += bench_figures.bench_disclosure(stress=False)
    if selected("import"):
        rows += bench_import_rows(5_000 if quick else 50_000)


def _progress(only: list[str] | None, rows: list[Row]) -> Callable[[str], bool]:
    """Whether to run a benchmark; when it is, say so on stderr, after the rows measured since
    the last one (a full run takes the better part of an hour)."""
    started = time.perf_counter()
    shown = 0

    def selected(name: str) -> bool:
        nonlocal shown
        if only is not None and name not in only:
            return False
        for measured in rows[shown:]:
            print(
                f"    {measured['benchmark']}: {measured['figure']:,} {measured['unit']}",
                file=sys.stderr,
                flush=True,
            )
        shown = len(rows)
        minutes, seconds = divmod(int(time.perf_counter() - started), 60)
        print(f"[{minutes:02d}:{seconds:02d}] {name}…", file=sys.stderr, flush=True)
        return True

    return selected


def _print(rows: list[Row]) -> None:
    print(f"\n{'benchmark':<62} {'figure':>12} {'unit':<14} {'target':<16} met  details")
    for r in rows:
        details = {
            k: v for k, v in r.items() if k not in ("benchmark", "figure", "unit", "target", "met")
        }
        print(
            f"{r['benchmark']:<62} {r['figure']:>12,} {r['unit']:<14} {r['target']:<16} "
            f"{'yes' if r['met'] else 'NO ':<4} {details if details else ''}"
        )


def _save(rows: list[Row], quick: bool) -> None:
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    payload = {"when": stamp, "quick": quick, "cpu_count": os.cpu_count(), "rows": rows}
    for name in (f"bench-{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nsaved {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    sys.exit(main())
