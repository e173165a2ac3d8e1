"""The figures at national scale: a full rebuild over 1,000,000 victims against the raw GROUP BY
queries that give the same numbers, and the incremental update after a 1,000-record push.

Run by `python -m benchmarks` (rows "full rebuild …" and "incremental …"), in the benchmark
process itself: the rebuild is what the nightly task and `rebuild_statistics` run, the
incremental update what the worker runs after a push.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from typing import Any
from unittest import mock

import psycopg

from benchmarks import harness

COUNTED = "('reported', 'verified')"
# victims.choices.DISABLING_INJURIES, as SQL (the raw baseline reads no project code).
DISABLING = ", ".join(
    f"'{code}'"
    for code in (
        "amputation_arm_left", "amputation_arm_right", "amputation_leg_left",
        "amputation_leg_right", "hearing", "vision_left", "vision_right",
    )
)  # fmt: skip
DEVICES = ["cluster_submunition", "large_bomb", "landmine", "artillery_mortar", "grenade", "fuze"]
ACTIVITIES = ["farming", "digging", "fire_cooking", "playing", "scrap_metal", "forest_products"]
SERVICES = ["emergency_care", "surgery", "prosthesis", "physiotherapy", "counselling", None]
PILLARS = ["medical_care", "physical_rehabilitation", "psychosocial", "economic_inclusion"]
PROVIDERS = ["COPE", "HI", "QLA", "WE", "MOH"]


def _array(values: list[str | None]) -> str:
    return "ARRAY[" + ", ".join("NULL" if v is None else f"'{v}'" for v in values) + "]"


def fill_victims(target: int) -> dict[str, int]:
    """Bring the stored victims to `target` (SQL): direct victims of accidents spread over every
    province, district and year since 1964 (some rejected, deleted or dated to the year only),
    family members (indirect victims), and assistance for two in five victims."""
    with psycopg.connect(harness.BENCH_DATABASE) as conn:
        have = conn.execute("SELECT count(*) FROM victims_victim").fetchone()
        missing = target - int(have[0] if have else 0)
        if missing > 0:
            _fill(conn, missing)
        conn.commit()
        conn.execute("ANALYZE")
        counts = {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
            for table in ("accidents_accident", "victims_victim", "victims_assistance")
        }
    return counts


def _fill(conn: psycopg.Connection[Any], missing: int) -> None:
    tag = uuid.uuid4().hex[:8]
    indirect = missing // 20
    direct = missing - indirect
    accidents = direct * 3 // 5
    conn.execute("""
        CREATE TEMP TABLE fill_district AS
        SELECT row_number() OVER (ORDER BY code) - 1 AS n, code, province_id
        FROM accidents_district""")
    districts = conn.execute("SELECT count(*) FROM fill_district").fetchone()[0]  # type: ignore[index]
    conn.execute(f"""
        INSERT INTO accidents_accident ({harness.ACCIDENT_FILL_COLUMNS})
        SELECT md5('{tag}a' || g)::uuid, 1, now(), now(), g % 50 = 0,
          'FIG-{tag}-' || g,
          CASE WHEN g % 10 = 0 THEN 'rejected' WHEN g % 10 < 4 THEN 'verified' ELSE 'reported' END,
          date '1964-01-01' + (g::bigint * 7919 % 22950)::int,
          CASE WHEN g % 7 = 0 THEN 'year' ELSE 'day' END, 'unknown', d.province_id, d.code,
          '', CASE WHEN g % 13 = 0 THEN 'demining' ELSE 'civilian' END,
          ({_array(DEVICES)}::text[])[1 + g % {len(DEVICES)}],
          ({_array(ACTIVITIES)}::text[])[1 + g % {len(ACTIVITIES)}],
          'unknown', 'unknown', '', 'NRA', date '2026-01-01', ''
        FROM generate_series(1, {accidents}) AS g
        JOIN fill_district d ON d.n = g % {districts}""")
    conn.execute(f"""
        INSERT INTO victims_victim (id, version, created_at, updated_at, is_deleted,
          victim_type, accident_id, relationship, outcome, sex, age_years, age_estimated,
          civilian_status, role, injuries, full_name, phone, guardian_name, consent)
        SELECT md5('{tag}v' || g)::uuid, 1, now(), now(), g % 97 = 0, 'direct',
          md5('{tag}a' || (1 + g % {accidents}))::uuid, '',
          CASE WHEN g % 3 = 0 THEN 'killed' ELSE 'injured' END,
          CASE WHEN g % 5 < 3 THEN 'male' ELSE 'female' END,
          CASE WHEN g % 11 = 0 THEN NULL ELSE g % 80 END, false,
          CASE WHEN g % 17 = 0 THEN 'military' ELSE 'civilian' END, 'unknown',
          (CASE WHEN g % 7 = 0 THEN '["amputation_leg_left"]' WHEN g % 7 = 1 THEN '["burns"]'
                ELSE '[]' END)::jsonb, '', '', '', 'none'
        FROM generate_series(1, {direct}) AS g""")
    conn.execute(f"""
        INSERT INTO victims_victim (id, version, created_at, updated_at, is_deleted,
          victim_type, related_victim_id, relationship, outcome, sex, age_years, age_estimated,
          civilian_status, role, injuries, full_name, phone, guardian_name, consent)
        SELECT md5('{tag}i' || g)::uuid, 1, now(), now(), false, 'indirect',
          md5('{tag}v' || (1 + g * 7 % {direct}))::uuid, 'parent', '',
          CASE WHEN g % 2 = 0 THEN 'male' ELSE 'female' END, 30 + g % 40, false, 'civilian',
          'unknown', '[]', '', '', '', 'none'
        FROM generate_series(1, {indirect}) AS g""")
    conn.execute(f"""
        INSERT INTO victims_assistance (id, version, created_at, updated_at, is_deleted, pillar,
          status, started_on, completed_on, unit, notes, provider_organisation_id,
          service_type_id, victim_id)
        SELECT gen_random_uuid(), 1, now(), now(), g % 101 = 0,
          ({_array(PILLARS)}::text[])[1 + g % {len(PILLARS)}],
          CASE WHEN g % 4 = 0 THEN 'completed' WHEN g % 4 = 1 THEN 'in_progress'
               ELSE 'referred' END,
          CASE WHEN g % 4 < 2 THEN date '2000-01-01' + (g % 9000) END,
          CASE WHEN g % 4 = 0 THEN date '2000-01-01' + (g % 9000) + 30 END,
          '', '', ({_array(PROVIDERS)}::text[])[1 + g % {len(PROVIDERS)}],
          ({_array(SERVICES)}::text[])[1 + g % {len(SERVICES)}],
          CASE WHEN g % 10 = 0 AND g / 10 <= {indirect} THEN md5('{tag}i' || (g / 10))::uuid
               ELSE md5('{tag}v' || (1 + g * 5 / 2 % {direct}))::uuid END
        FROM generate_series(1, {direct * 2 // 5}) AS g""")


# -- the raw baseline: the same numbers straight from GROUP BY ----------------------------------
RAW_ACCIDENTS = f"""
    SELECT extract(year FROM occurred_on)::int, province_id,
      CASE WHEN date_precision = 'year' THEN NULL ELSE extract(month FROM occurred_on)::int END,
      district_id, device_category, COALESCE(ordnance_type_id, ''), activity, classification,
      status = 'verified', count(*)
    FROM accidents_accident
    WHERE NOT is_deleted AND status IN {COUNTED}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9"""

RAW_CASUALTIES = f"""
    SELECT extract(year FROM a.occurred_on)::int, a.province_id,
      CASE WHEN a.date_precision = 'year' THEN NULL ELSE extract(month FROM a.occurred_on)::int
      END,
      a.district_id, a.device_category, COALESCE(a.ordnance_type_id, ''), a.activity,
      a.classification, v.civilian_status, v.sex, v.age_group, v.outcome,
      v.outcome = 'injured' AND v.injuries ?| array[{DISABLING}], a.status = 'verified',
      count(*)
    FROM victims_victim v JOIN accidents_accident a ON a.id = v.accident_id
    WHERE NOT v.is_deleted AND v.victim_type = 'direct' AND NOT a.is_deleted
      AND a.status IN {COUNTED}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14"""

RAW_ASSISTANCE = f"""
    WITH counted AS (
      SELECT s.victim_id, s.pillar, s.status, COALESCE(s.service_type_id, '') AS service,
        s.provider_organisation_id AS provider, v.sex || ':' || v.age_group AS sex_age,
        COALESCE(a.occurred_on, ra.occurred_on) AS occurred_on,
        COALESCE(a.province_id, ra.province_id) AS province,
        COALESCE(a.status, ra.status) = 'verified' AS verified,
        COALESCE(a.device_category, ra.device_category) AS device,
        CASE WHEN s.status = 'cancelled' THEN 'cancelled' ELSE 'assessed' END AS need,
        COALESCE(extract(year FROM s.started_on), extract(year FROM s.completed_on),
                 extract(year FROM s.created_at AT TIME ZONE 'Asia/Vientiane'))::int AS year
      FROM victims_assistance s
      JOIN victims_victim v ON v.id = s.victim_id
      LEFT JOIN accidents_accident a ON a.id = v.accident_id
      LEFT JOIN victims_victim r ON r.id = v.related_victim_id
      LEFT JOIN accidents_accident ra ON ra.id = r.accident_id
      WHERE NOT s.is_deleted AND NOT v.is_deleted AND (
        (v.accident_id IS NOT NULL AND NOT a.is_deleted AND a.status IN {COUNTED})
        OR (v.accident_id IS NULL AND NOT r.is_deleted AND NOT ra.is_deleted
            AND ra.status IN {COUNTED})))
    SELECT extract(year FROM occurred_on)::int, province, verified, device, year,
      CASE WHEN GROUPING(pillar) = 0 THEN 'pillar' WHEN GROUPING(service) = 0 THEN 'service_type'
           WHEN GROUPING(provider) = 0 THEN 'provider' WHEN GROUPING(status) = 0 THEN 'status'
           WHEN GROUPING(sex_age) = 0 THEN 'sex_age' WHEN GROUPING(need) = 0 THEN 'need'
           ELSE 'total' END,
      COALESCE(pillar, service, provider, status, sex_age, need, ''),
      count(DISTINCT victim_id), count(*)
    FROM counted
    GROUP BY extract(year FROM occurred_on)::int, province, verified, device, year,
      GROUPING SETS ((), (pillar), (service), (provider), (status), (sex_age), (need))"""


def _raw_figures() -> tuple[float, dict[str, Counter[tuple[Any, ...]]]]:
    from figures.slices import REBUILD_WORK_MEM

    with psycopg.connect(harness.BENCH_DATABASE) as conn:
        conn.execute(f"SET work_mem = '{REBUILD_WORK_MEM}'")  # what the rebuild runs with
        started = time.perf_counter()
        results = {
            name: conn.execute(query).fetchall()
            for name, query in (
                ("accident", RAW_ACCIDENTS),
                ("casualty", RAW_CASUALTIES),
                ("assistance", RAW_ASSISTANCE),
            )
        }
        elapsed = time.perf_counter() - started
    return elapsed, {name: Counter(tuple(r) for r in rows) for name, rows in results.items()}


def _stored_figures() -> dict[str, Counter[tuple[Any, ...]]]:
    from accidents.models import AccidentFigure
    from victims.models import AssistanceFigure, CasualtyFigure

    accident = AccidentFigure.objects.values_list(
        "year", "province", "month", "district", "device_category", "ordnance_type", "activity",
        "classification", "verified", "count",
    )  # fmt: skip
    casualty = CasualtyFigure.objects.values_list(
        "year", "province", "month", "district", "device_category", "ordnance_type", "activity",
        "classification", "civilian_status", "sex", "age_group", "outcome", "disabled",
        "verified", "count",
    )  # fmt: skip
    assistance = AssistanceFigure.objects.values_list(
        "accident_year", "province", "verified", "device_category", "year", "grouping", "key",
        "persons", "services",
    )  # fmt: skip
    return {
        "accident": Counter(tuple(r) for r in accident.iterator(chunk_size=20_000)),
        "casualty": Counter(tuple(r) for r in casualty.iterator(chunk_size=20_000)),
        "assistance": Counter(tuple(r) for r in assistance.iterator(chunk_size=20_000)),
    }


def bench_rebuild(victims: int) -> list[dict[str, Any]]:
    from benchmarks.report import row
    from figures.slices import statistics_rebuild

    counts = fill_victims(victims)
    started = time.perf_counter()
    slices = statistics_rebuild()
    rebuild = time.perf_counter() - started
    raw, expected = _raw_figures()
    stored = _stored_figures()
    wrong = [name for name in expected if stored[name] != expected[name]]
    if wrong:
        raise RuntimeError(f"the rebuilt figures differ from the raw GROUP BY: {wrong}")
    ratio = rebuild / raw
    return [
        row(
            f"full rebuild of the figures over {counts['victims_victim']:,} victims",
            rebuild,
            "s",
            "(report)",
            True,
            slices=slices,
            accidents=counts["accidents_accident"],
            assistance=counts["victims_assistance"],
            figure_rows=sum(sum(c.values()) for c in stored.values()),
        ),
        row(
            "  vs raw GROUP BY queries giving the same numbers",
            ratio,
            "x raw",
            "<= 3x",
            ratio <= 3,
            raw_s=round(raw, 2),
        ),
    ]


def bench_incremental(pushes: int = 5) -> list[dict[str, Any]]:
    """The worker's refresh after a 1,000-record push (mixed records over three provinces)."""
    from django.contrib.auth import get_user_model

    from benchmarks.report import row
    from fieldsync.models import Device
    from fieldsync.services.push import batch_push
    from figures import slices

    user = get_user_model().objects.get(username="bench-halo")
    device = Device.objects.create(device_id=uuid.uuid4(), user=user, name="bench figures")
    generator = harness.Records(seed=77)
    timings = []
    recomputed = 0
    for _ in range(pushes):
        batch_id = uuid.uuid4()
        envelope = {
            "batch_id": str(batch_id),
            "device_id": str(device.device_id),
            "schema_version": 1,
            "records": generator.mixed(1000),
        }
        with mock.patch.object(slices, "statistics_refresh_request"):  # the worker's part, below
            batch_push(device=device, batch_id=batch_id, envelope=envelope)
        started = time.perf_counter()
        recomputed = slices.statistics_refresh()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    median = timings[len(timings) // 2]
    return [
        row(
            "incremental figure update after a 1,000-record push",
            median,
            "ms (median)",
            "<= 200 ms",
            median <= 200,
            slices_recomputed=recomputed,
            max_ms=round(timings[-1], 1),
        )
    ]


def bench_disclosure(*, stress: bool) -> list[dict[str, Any]]:
    """Disclosure control (figures.disclosure): the busiest year's protected figures computed
    from nothing (what the first partner request after a change waits for, or the warm-up
    task), against reading the base rows it starts from; then a partner's summary and
    breakdown from the cache against NRA staff's exact ones (figures.selectors).

    `stress`: on the 1,000,000 victims of bench_rebuild (about 13,000 casualties a year spread
    evenly over every district, month, device and activity: most cells under 5), reported
    only; otherwise on demo data that follows Laos' published figures (2006-2026), judged."""
    from django.core.cache import cache
    from django.db.models import Sum

    from benchmarks.report import row
    from figures.disclosure.published import BASE_COLUMNS, published
    from victims.models import CasualtyFigure

    if not stress:
        from django.db import connections

        from simulation.demo import demo_data_generate

        connections.close_all()  # the database is dropped under it
        harness.recreate_database()
        list(demo_data_generate(first_year=2006, last_year=2026, seed=2))
    years = dict(CasualtyFigure.objects.order_by().values_list("year").annotate(n=Sum("count")))
    year = max(years, key=lambda y: years[y])
    started = time.perf_counter()
    base = list(
        CasualtyFigure.objects.filter(year=year)
        .order_by()
        .values_list(*BASE_COLUMNS)
        .annotate(n=Sum("count"))
    )
    read = time.perf_counter() - started
    cache.clear()
    started = time.perf_counter()
    figures = published(year, verified_only=False)
    cold = time.perf_counter() - started
    label = "1M-victim stress year" if stress else "busiest demo year"
    details = {
        "base_rows": len(base),
        "read_base_rows_s": round(read, 3),
        "ratio": round(cold / read, 1),
        "cells": len(figures.values),
        "hidden": len(figures.marks),
        "secondary": sum(1 for mark in figures.marks.values() if mark == "x"),
    }
    if stress:
        return [row(f"disclosure control, {label} {year} ({years[year]:,} casualties)", cold,
                    "s", "(report)", True, **details)]  # fmt: skip
    started = time.perf_counter()
    for other in years:
        published(other, verified_only=False)
    every = time.perf_counter() - started + cold
    return [
        row(
            f"disclosure control, {label} {year} ({years[year]:,} casualties), from nothing",
            cold,
            "s",
            "<= 30x reading its base rows",
            cold <= 30 * read,
            every_year_s=round(every, 2),
            years=len(years),
            **details,
        ),
        *_disclosed_answer(year),
    ]


def _disclosed_answer(year: int) -> list[dict[str, Any]]:
    """A partner's summary + breakdown by month for a province (cached) and NRA staff's."""
    from benchmarks.report import row
    from figures.disclosure.published import disclosed_breakdown, disclosed_summary
    from figures.selectors import FigureQuery, figures_breakdown, figures_summary

    def median_ms(answer: Any) -> float:
        timings = []
        for _ in range(15):
            started = time.perf_counter()
            answer()
            timings.append((time.perf_counter() - started) * 1000)
        return sorted(timings)[len(timings) // 2]

    query = FigureQuery(year=year, province="LA-XI")
    exact = median_ms(
        lambda: (figures_summary(query=query), figures_breakdown(by="month", query=query))
    )
    shown = median_ms(
        lambda: (disclosed_summary(query=query), disclosed_breakdown(by="month", query=query))
    )
    ratio = shown / exact
    return [
        row(
            "  a partner's summary + breakdown (cached) vs NRA staff's exact one",
            ratio,
            "x exact",
            "<= 2x",
            ratio <= 2,
            partner_ms=round(shown, 2),
            exact_ms=round(exact, 2),
        ),
    ]
