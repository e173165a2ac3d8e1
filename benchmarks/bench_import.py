"""`python -m benchmarks.bench_import`: import 50,000 historic victims with their accidents.

On a fresh PostgreSQL database (BENCH_DATABASE_URL, default `fieldsync_bench`), a generated file
of 50,000 direct victims and their ~31,000 accidents (1964-2008, as in the national survey) is
imported through the service the admin and `import_records --confirm` use: checked (the dry run),
then applied in one transaction. Measured: the XLSX workbook (both sheets in one file, what NRA
staff upload), the same file again (a replay), and the two CSV files one after the other. The
figures refresh that follows a commit is timed on its own. Target: the import under 60 s.

`make bench` runs it as its last row (`measure`); run alone, `--victims N` changes the size and
`--profile` prints where the time of the XLSX import goes.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import resource
import sys
import time
from typing import Any

os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"

from benchmarks import harness

os.environ["DATABASE_URL"] = harness.BENCH_DATABASE
os.environ["CELERY_BROKER_URL"] = ""

ACCIDENT_HEADER = [
    "legacy_id",
    "occurred_on",
    "date_precision",
    "province",
    "district",
    "village",
    "classification",
    "device_category",
    "ordnance_type",
    "activity",
    "reporting_organisation",
    "reported_on",
]
VICTIM_HEADER = [
    "legacy_id",
    "victim_type",
    "accident_legacy_id",
    "outcome",
    "sex",
    "age_years",
    "age_estimated",
    "civilian_status",
    "role",
    "injuries",
    "full_name",
    "consent",
]
DEVICES = [
    ("cluster_submunition", "BLU-26"),
    ("cluster_submunition", "Cluster submunition"),  # a label, no ordnance type
    ("large_bomb", "MK-82"),
    ("landmine", "M14"),
    ("artillery_mortar", ""),
    ("unknown", ""),
]
ACTIVITIES = ["farming", "Farming", "digging", "scrap_metal", "playing", "Collecting scrap metal"]


def generate(victims: int, seed: int = 1964) -> tuple[list[list[Any]], list[list[Any]]]:
    """Accident and victim rows (headers first): 1.6 casualties per accident on average."""
    rng = random.Random(seed)
    from accidents.models import District

    districts = list(District.objects.values_list("code", "province_id", "name_en"))
    accidents: list[list[Any]] = [ACCIDENT_HEADER]
    people: list[list[Any]] = [VICTIM_HEADER]
    number = 0
    while len(people) - 1 < victims:
        number += 1
        code, province, name = rng.choice(districts)
        year = rng.randint(1964, 2008)
        recalled = rng.random() < 0.3
        category, ordnance = rng.choice(DEVICES)
        legacy = f"NS-{year}-{number:06d}"
        accidents.append(
            [
                legacy,
                str(year)
                if recalled
                else f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "year" if recalled else "day",
                province,
                name if rng.random() < 0.5 else code,
                f"Ban {rng.randint(1, 900)}",
                "civilian",
                category if ordnance != "Cluster submunition" else ordnance,
                ordnance if ordnance not in ("", "Cluster submunition") else "",
                rng.choice(ACTIVITIES),
                "NRA",
                "2008-06-30",
            ]
        )
        for person in range(1 + (rng.random() < 0.45) + (rng.random() < 0.15)):
            if len(people) - 1 == victims:
                break
            named = rng.random() < 0.2
            people.append(
                [
                    f"{legacy}-{person + 1}",
                    "direct",
                    legacy,
                    rng.choice(["killed", "injured", "injured", "Injured"]),
                    rng.choice(["male", "male", "female", "Female"]),
                    rng.randint(3, 75),
                    rng.choice(["yes", "no"]),
                    "civilian",
                    rng.choice(["handler", "bystander", "unknown"]),
                    rng.choice(["", "burns", "hand_fingers; burns", "amputation_leg_left"]),
                    f"Person {number}-{person}" if named else "",
                    "self" if named else "none",
                ]
            )
    return accidents, people


def xlsx_content(sheets: dict[str, list[list[Any]]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_content(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def timed_import(user: Any, content: bytes, name: str) -> tuple[float, float, dict[str, Any]]:
    """(seconds to check and apply, seconds of the figures refresh after it, the report)."""
    from exchange.imports import import_file_apply, import_file_store
    from figures.slices import statistics_refresh

    started = time.perf_counter()
    import_file = import_file_store(content=content, file_name=name, kind=None, user=user)
    import_file = import_file_apply(import_file=import_file, user=user)
    imported = time.perf_counter() - started
    if import_file.status != "applied":
        raise RuntimeError(
            f"{name} not imported: {import_file.report['file_errors'][:3]}, "
            f"{import_file.report['errors'][:3]}"
        )
    started = time.perf_counter()
    statistics_refresh()
    return imported, time.perf_counter() - started, import_file.report


def measure(victims_count: int, profile: bool = False) -> dict[str, Any]:
    """Import the generated survey (XLSX, again as a replay, then as two CSV files) on fresh
    databases; returns the seconds of each and what the XLSX import reported."""
    harness.recreate_database()
    import django

    django.setup()
    from django.db import connections

    from config.celery import app as celery_app
    from exchange.imports import system_user

    connections.close_all()
    # The figures refresh is timed apart: the commit leaves the work owed and no broker takes it.
    eager = celery_app.conf.task_always_eager
    celery_app.conf.update(task_always_eager=False, broker_url="memory://")
    try:
        accidents, victims = generate(victims_count)
        workbook = xlsx_content({"accidents": accidents, "victims": victims})
        print(
            f"{len(victims) - 1:,} victims, {len(accidents) - 1:,} accidents; "
            f"xlsx {len(workbook) / 1e6:.1f} MB"
        )
        user = system_user()
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        xlsx_seconds, refresh_seconds, report = timed_import(user, workbook, "survey.xlsx")
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        replay_seconds, _, again = timed_import(user, workbook, "survey.xlsx")
        assert again["already_imported"], "the second import should replay"

        harness.recreate_database()
        connections.close_all()
        user = system_user()
        csv_seconds = 0.0
        for name, rows in (("accidents.csv", accidents), ("victims.csv", victims)):
            seconds, _, _ = timed_import(user, csv_content(rows), name)
            csv_seconds += seconds
    finally:
        celery_app.conf.update(task_always_eager=eager, broker_url=None)
    return {
        "victims": len(victims) - 1,
        "accidents": len(accidents) - 1,
        "records": sum(counts["rows"] for counts in report["counts"].values()),
        "xlsx_s": xlsx_seconds,
        "csv_s": csv_seconds,
        "replay_s": replay_seconds,
        "refresh_s": refresh_seconds,
        "outcomes": report["outcomes"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_import")
    parser.add_argument("--victims", type=int, default=50_000)
    parser.add_argument("--profile", action="store_true", help="cProfile the XLSX import")
    args = parser.parse_args()
    result = measure(args.victims, args.profile)
    records = result["records"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{'import (check + apply)':<48} {'seconds':>8}  target < 60 s")
    for label, seconds in (
        ("xlsx, both sheets, one transaction", result["xlsx_s"]),
        ("csv, accidents.csv then victims.csv", result["csv_s"]),
        ("the same xlsx again (replay, no change)", result["replay_s"]),
        ("figures refresh after the xlsx import", result["refresh_s"]),
    ):
        print(f"{label:<48} {seconds:>8.1f}  ({records / seconds:,.0f} records/s)")
    print(f"outcomes: {result['outcomes']}; peak memory {peak:,.0f} MB")
    return 0 if max(result["xlsx_s"], result["csv_s"]) < 60 else 1


if __name__ == "__main__":
    sys.exit(main())
