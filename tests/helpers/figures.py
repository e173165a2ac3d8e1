"""Shared by the figures tests and the tests that check figures elsewhere (a plugin of
tests/conftest.py): the recount of every figure straight from the records, the Celery broker
switched per test, and a real Celery worker on the test Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import kombu.pools
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from redis import Redis

from accidents.models import Accident, AccidentFigure
from config.celery import app as celery_app
from config.env import BASE_DIR
from figures import slices
from victims.choices import DISABLING_INJURIES
from victims.models import Assistance, AssistanceFigure, CasualtyFigure, Victim

Push = Callable[..., list[dict[str, Any]]]
READY_SECONDS = 60


# -- the recount: GROUP BY over the records, nothing from the figure code -------------------------
def recount_accidents() -> Counter:
    rows = (
        Accident.objects.filter(is_deleted=False)
        .exclude(status="rejected")
        .values_list(
            "occurred_on",
            "date_precision",
            "province_id",
            "district_id",
            "device_category",
            "ordnance_type_id",
            "activity",
            "classification",
            "status",
        )
        .annotate(n=Count("id"))
    )
    counts: Counter = Counter()
    for (
        occurred_on,
        precision,
        province,
        district,
        device,
        ordnance,
        activity,
        kind,
        status,
        n,
    ) in rows:
        month = None if precision == "year" else occurred_on.month
        key = (occurred_on.year, month, province, district, device, ordnance or "", activity, kind)
        counts[(*key, status == "verified")] += n
    return counts


def recount_casualties() -> Counter:
    rows = (
        Victim.objects.filter(victim_type="direct", is_deleted=False, accident__is_deleted=False)
        .exclude(accident__status="rejected")
        .values_list(
            "accident__occurred_on",
            "accident__date_precision",
            "accident__province_id",
            "accident__district_id",
            "accident__device_category",
            "accident__ordnance_type_id",
            "accident__activity",
            "accident__classification",
            "civilian_status",
            "sex",
            "age_years",
            "outcome",
            "injuries",
            "accident__status",
        )
        .annotate(n=Count("id"))
    )
    counts: Counter = Counter()
    for (
        occurred_on,
        precision,
        province,
        district,
        device,
        ordnance,
        *kind,
        status,
        sex,
        age,
        outcome,
        injuries,
        accident_status,
        n,
    ) in rows:
        month = None if precision == "year" else occurred_on.month
        age_group = "unknown" if age is None else "child" if age < 18 else "adult"
        disabled = outcome == "injured" and bool(DISABLING_INJURIES.intersection(injuries))
        place = (province, district, device, ordnance or "", *kind)
        key = (occurred_on.year, month, *place, status, sex, age_group, outcome, disabled)
        counts[(*key, accident_status == "verified")] += n
    return counts


Cells = dict[tuple, tuple[int, int]]


def recount_assistance() -> Cells:
    """(province, verified, device, year, grouping, key) -> (distinct persons, services)."""
    own = Q(victim__accident__isnull=False)
    alive = Q(is_deleted=False, victim__is_deleted=False) & (
        (own & Q(victim__accident__is_deleted=False) & ~Q(victim__accident__status="rejected"))
        | (
            ~own
            & Q(victim__related_victim__is_deleted=False)
            & Q(victim__related_victim__accident__is_deleted=False)
            & ~Q(victim__related_victim__accident__status="rejected")
        )
    )
    rows = Assistance.objects.filter(alive).annotate(
        place=Case(
            When(own, then=F("victim__accident__province_id")),
            default=F("victim__related_victim__accident__province_id"),
        ),
        accident_status=Case(
            When(own, then=F("victim__accident__status")),
            default=F("victim__related_victim__accident__status"),
        ),
        device=Case(
            When(own, then=F("victim__accident__device_category")),
            default=F("victim__related_victim__accident__device_category"),
        ),
        assistance_year=Coalesce(
            ExtractYear("started_on"),
            ExtractYear("completed_on"),
            ExtractYear("created_at", tzinfo=ZoneInfo(settings.TIME_ZONE)),
        ),
    )
    groupings = {
        "total": Value(""),
        "pillar": F("pillar"),
        "service_type": Coalesce(F("service_type_id"), Value("")),
        "provider": F("provider_organisation_id"),
        "status": F("status"),
        "need": Case(When(status="cancelled", then=Value("cancelled")), default=Value("assessed")),
    }
    counts: Cells = {}
    columns = ("place", "accident_status", "device", "assistance_year", "key")
    for grouping, key in groupings.items():
        for place, status, device, year, value, persons, services in (
            rows.annotate(key=key)
            .values_list(*columns)
            .annotate(persons=Count("victim", distinct=True), services=Count("id"))
        ):
            cell = (place, status == "verified", device, year, grouping, value)
            counts[cell] = (persons, services)
    for place, status, device, year, sex, age, persons, services in rows.values_list(
        "place",
        "accident_status",
        "device",
        "assistance_year",
        "victim__sex",
        "victim__age_group",
    ).annotate(persons=Count("victim", distinct=True), services=Count("id")):
        cell = (place, status == "verified", device, year, "sex_age", f"{sex}:{age}")
        counts[cell] = (persons, services)
    return counts


def stored_figures() -> tuple[Counter, Counter, Cells]:
    accidents: Counter = Counter()
    for row in AccidentFigure.objects.values_list(
        "year", "month", "province", "district", "device_category", "ordnance_type", "activity",
        "classification", "verified", "count",
    ):  # fmt: skip
        accidents[row[:-1]] += row[-1]
    casualties: Counter = Counter()
    for cell in CasualtyFigure.objects.values_list(
        "year", "month", "province", "district", "device_category", "ordnance_type", "activity",
        "classification", "civilian_status", "sex", "age_group", "outcome", "disabled",
        "verified", "count",
    ):  # fmt: skip
        casualties[cell[:-1]] += cell[-1]
    assisted: Cells = {}
    rows = AssistanceFigure.objects.values_list(
        "province", "verified", "device_category", "year", "grouping", "key", "persons", "services"
    )
    for *place_and_key, persons, services in rows:
        before = assisted.get(tuple(place_and_key), (0, 0))
        # A person has one accident: persons add up across slices (accident years).
        assisted[tuple(place_and_key)] = (before[0] + persons, before[1] + services)
    return accidents, casualties, assisted


def assert_figures_equal_the_records() -> None:
    accidents, casualties, assisted = stored_figures()
    assert accidents == recount_accidents()
    assert casualties == recount_casualties()
    assert assisted == recount_assistance()


# -- the Celery broker and a real worker ----------------------------------------------------------
def _reset_producers() -> None:
    """Forget broker connections made with the previous settings (tests only)."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu.pools.reset()  # kombu's registry would hand back a producer pool on the closed pool


@pytest.fixture
def broker() -> Iterator[Callable[..., None]]:
    """`broker(url, queue=...)`: tasks go to that broker (not eager) until the test ends."""
    conf = celery_app.conf
    saved = {name: conf[name] for name in ("broker_url", "task_always_eager", "task_default_queue")}

    def use(url: str, *, queue: str | None = None) -> None:
        conf.update(broker_url=url, task_always_eager=False)
        if queue is not None:
            conf.update(task_default_queue=queue)
        _reset_producers()

    cache.delete(slices.REFRESH_KEY)
    yield use
    conf.update(saved)
    _reset_producers()
    cache.delete(slices.REFRESH_KEY)


def _database_url() -> str:
    """The database pytest-django is using (its test database), as a URL for the worker."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


@contextmanager
def running_worker(queue: str, broker_url: str, log_path: Path) -> Iterator[None]:
    """`celery -A config worker` on `queue` of the test Redis, until the block ends."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url,
    }
    env.pop("CACHE_URL", None)
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--queues", queue, "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--loglevel=INFO", "--hostname", f"{queue}@%h"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + READY_SECONDS
        while " ready." not in log_path.read_text(errors="replace"):
            assert process.poll() is None, log_path.read_text(errors="replace")
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.2)
        yield
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # warm shutdown of the group we started
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        log.close()


@pytest.fixture
def worker_queue(transactional_db: None, broker) -> Iterator[str]:
    """A queue of the test Redis for this test alone; tasks go there (not eager).

    The duplicate scan has a queue of its own in production (`CELERY_TASK_ROUTES`); here it goes
    to `<queue>-duplicates`, also this test's alone, so nothing is left in the test Redis.
    """
    queue = f"statistics-test-{uuid.uuid4().hex[:8]}"
    broker_url = os.environ["TEST_REDIS_URL"]
    broker(broker_url, queue=queue)
    saved_routes = celery_app.conf.task_routes
    use_routes({"accidents_duplicates_flag": {"queue": f"{queue}-duplicates"}})
    yield queue
    use_routes(saved_routes)
    redis = Redis.from_url(broker_url)
    for name in (queue, f"{queue}-duplicates"):
        redis.delete(name, *redis.keys(f"_kombu.binding*{name}"))
    redis.close()


def use_routes(routes: object) -> None:
    """Route with `routes` from now on (Celery caches its router on first use)."""
    celery_app.conf.task_routes = routes
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)


@pytest.fixture
def worker(worker_queue: str, tmp_path: Path) -> Iterator[None]:
    with running_worker(worker_queue, os.environ["TEST_REDIS_URL"], tmp_path / "worker.log"):
        yield
