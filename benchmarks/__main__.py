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
import time
import uuid
from typing import Any

os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"

from benchmarks import harness
from benchmarks.bench_scale import (
    bench_flat,
    bench_import_rows,
    bench_memory,
    bench_tablets,
    stored_records,
)
from benchmarks.report import Row, progress, row, save, show

os.environ["DATABASE_URL"] = harness.BENCH_DATABASE
os.environ["CELERY_BROKER_URL"] = ""


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

    def server_edit(record: dict[str, Any]) -> dict[str, Any]:  # a field the tablet keeps
        data = record["data"]
        return {
            "accident": {"description": "checked by the office"},
            "victim": {"age_estimated": not data.get("age_estimated", False)},
            "assistance": {"notes": "office note"},
        }[record["model"]]

    tablet_edit = {  # another field, which differs from every stored value
        "accident": {"village": "Ban Tablet"},
        "victim": {"civilian_status": "deminer"},
        "assistance": {"status": "in_progress"},
    }
    for start in range(0, len(chosen), 1000):
        office.push(
            [{**r, "base_version": 1, "data": server_edit(r)} for r in chosen[start : start + 1000]]
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
    missing = total - stored_records()
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


def _raw_read_rate() -> float:
    import psycopg

    with psycopg.connect(harness.BENCH_DATABASE) as conn:
        started = time.perf_counter()
        count = 0
        for table in ("accidents_accident", "victims_victim", "victims_assistance"):
            count += len(conn.execute(f"SELECT * FROM {table}").fetchall())
        return count / (time.perf_counter() - started)


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
        show(rows)
        save(rows, quick)
    return 0


def _run(only: list[str] | None, quick: bool, rows: list[Row]) -> None:
    selected = progress(only, rows)
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


if __name__ == "__main__":
    sys.exit(main())
