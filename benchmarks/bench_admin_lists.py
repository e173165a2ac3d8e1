"""The admin's accident queue, victim list and map at national scale on PostgreSQL: 100,000
accidents and 180,000 victims, each page timed in-process (Django's test client, the median of
five loads after one warm-up), and the map's payload raw and gzipped.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fs_lists_bench \\
        python -m benchmarks.bench_admin_lists [--accidents 100000]

Prints one line per page and saves benchmarks/results/admin-lists-<time>.json.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"

from benchmarks import harness

os.environ["DATABASE_URL"] = harness.BENCH_DATABASE
os.environ["CELERY_BROKER_URL"] = ""

RESULTS = Path(__file__).resolve().parent / "results"
DEVICES = ["cluster_submunition", "large_bomb", "landmine", "grenade"]
ACTIVITIES = ["farming", "digging", "playing", "scrap_metal"]


def fill(accidents: int) -> None:
    """`accidents` reports over every district of Laos, received over the past year, 1.8
    victims each on average."""
    from django.db import connection

    from accidents.models import Accident, District
    from victims.models import Victim

    rng = random.Random(18)
    districts = list(District.objects.values_list("code", "province_id"))
    today = datetime.date(2026, 12, 5)
    batch: list[Accident] = []
    for n in range(accidents):
        code, province = districts[n % len(districts)]
        occurred = today - datetime.timedelta(days=rng.randrange(3650))
        batch.append(
            Accident(
                reference=f"{province}-{occurred.year}-{n:06d}",
                status=rng.choice(["reported", "verified", "verified", "verified", "rejected"]),
                occurred_on=occurred,
                province_id=province,
                district_id=code,
                latitude=round(rng.uniform(14.5, 22.0), 6),
                longitude=round(rng.uniform(100.5, 107.5), 6),
                classification="civilian",
                device_category=rng.choice(DEVICES),
                activity=rng.choice(ACTIVITIES),
                reporting_organisation_id=rng.choice(["HALO", "MAG", "NPA", "UXO-LAO"]),
                reported_on=occurred,
            )
        )
        if len(batch) == 5000:
            Accident.objects.bulk_create(batch)
            batch = []
    Accident.objects.bulk_create(batch)
    ids = list(Accident.objects.values_list("pk", flat=True))
    victims = [
        Victim(
            victim_type="direct",
            accident_id=accident_id,
            outcome=rng.choice(["killed", "injured", "injured"]),
            sex=rng.choice(["male", "female"]),
            age_years=rng.randrange(2, 70),
            consent="given",
        )
        for accident_id in ids
        for _ in range(rng.choice([1, 1, 2, 3]))
    ]
    for start in range(0, len(victims), 5000):
        Victim.objects.bulk_create(victims[start : start + 5000])
    with connection.cursor() as cursor:
        for table in ("accidents_accident", "victims_victim"):
            cursor.execute(
                f"UPDATE {table} SET created_at = now() - random() * interval '365 days'"
            )
            cursor.execute(f"VACUUM ANALYZE {table}")


def timed(client: Any, url: str, runs: int = 5) -> tuple[float, int]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(response.content)


def measure() -> list[dict[str, Any]]:
    from django.test import Client
    from django.utils import timezone

    from accidents.models import Accident
    from fieldsync.models import User

    client = Client(HTTP_HOST="127.0.0.1")  # an allowed host of the settings
    client.force_login(User.objects.get(username="bench-nra"))
    today = timezone.localdate()
    pages = Accident.objects.count() // 100
    lists = {
        "accidents: the queue, newest received first": "/admin/accidents/accident/",
        "accidents: waiting (status reported)": "/admin/accidents/accident/?status__exact=reported",
        "accidents: a district": "/admin/accidents/accident/?province__code__exact=LA-XI&district=0901",
        "accidents: received today": f"/admin/accidents/accident/?created_at__gte={today}"
        f"+00%3A00%3A00%2B07%3A00&created_at__lt={today + datetime.timedelta(days=1)}"
        "+00%3A00%3A00%2B07%3A00",
        "accidents: occurred in 2025": "/admin/accidents/accident/?occurred_on__gte=2025-01-01"
        "&occurred_on__lte=2025-12-31",
        f"accidents: last page ({pages})": f"/admin/accidents/accident/?p={pages}",
        "victims: newest received first": "/admin/victims/victim/",
        "victims: a province": "/admin/victims/victim/?accident__province__code__exact=LA-XI",
        "map points: one year": "/admin/accidents/accident/map-points/?year=2025",
        "map points: everything (capped)": "/admin/accidents/accident/map-points/",
        "dashboard": "/admin/dashboard/?year=2025",
    }
    rows = []
    for name, url in lists.items():
        ms, size = timed(client, url)
        row: dict[str, Any] = {"page": name, "url": url, "median_ms": round(ms, 1), "bytes": size}
        if "map-points" in url:
            body = client.get(url).content
            row["points"] = len(json.loads(body)["points"])
            row["gzip_bytes"] = len(gzip.compress(body))
        rows.append(row)
        print(f"{name:48} {ms:8.1f} ms  {size:>9} B  {row.get('gzip_bytes', '')}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accidents", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="reuse the filled database")
    args = parser.parse_args()
    if not args.keep:
        harness.recreate_database()
    import django

    django.setup()
    harness.ensure_accounts({"bench-nra": ("nra_staff", "NRA")})
    if not args.keep:
        started = time.perf_counter()
        fill(args.accidents)
        print(f"filled in {time.perf_counter() - started:.0f} s")
    rows = measure()
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"admin-lists-{stamp}.json").write_text(
        json.dumps({"accidents": args.accidents, "rows": rows}, indent=2)
    )


if __name__ == "__main__":
    main()
