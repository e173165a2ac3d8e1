"""Scheduling and running the refresh: coalescing, a broker that is down, workers in parallel."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from accidents.models import AccidentFigure
from config.celery import app as celery_app
from figures import slices, tasks
from figures.models import DirtySlice, StatisticsSlice
from figures.selectors import FigureQuery, figures_summary
from tests.helpers.figures import Push
from tests.helpers.sync import accident, victim
from victims.models import CasualtyFigure

pytestmark = pytest.mark.django_db

PLACES = (("LA-XI", "0901"), ("LA-SV", "1301"), ("LA-HO", "0701"))


def casualties(year: int = 2026) -> int:
    return figures_summary(query=FigureQuery(year=year))["casualties"]


@pytest.fixture
def enqueued(broker, monkeypatch) -> list[dict[str, Any]]:
    """Tasks go to a (fake) broker: the calls are recorded, nothing runs."""
    broker("memory://")
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(tasks.statistics_refresh, "apply_async", lambda **kw: calls.append(kw))
    return calls


def test_a_burst_of_200_pushes_costs_one_refresh_of_each_slice(
    push: Push, enqueued, monkeypatch
) -> None:
    # given a debounce window longer than the burst, however slow this machine is
    monkeypatch.setattr(slices, "REFRESH_KEY_SECONDS", 600)

    # when 200 pushes commit within it, over three provinces
    for number in range(200):
        province, district = PLACES[number % 3]
        a = accident(province=province, district=district)
        push([a, victim(a["id"])])

    # then one refresh was enqueued, after a short countdown
    assert enqueued == [
        {
            "countdown": slices.REFRESH_DELAY_SECONDS,
            "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
        }
    ]
    assert casualties() == 0  # nothing recomputed yet

    # when the worker runs it: three slice recomputes, exact figures
    assert tasks.statistics_refresh() == 3
    assert casualties() == 200
    assert DirtySlice.objects.count() == 0

    # and a change after the refresh started schedules the next one
    a = accident()
    push([a, victim(a["id"])])
    assert len(enqueued) == 2


def test_a_broker_that_is_down_loses_nothing(push: Push, broker) -> None:
    # given a broker nobody listens on, and no eager mode
    broker("redis://127.0.0.1:1/0")

    # when a push commits
    a = accident()
    results = push([a, victim(a["id"])])

    # then the push succeeded, the work owed is stored, the figures wait
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert list(DirtySlice.objects.values_list("year", "province")) == [(2026, "LA-XI")]
    assert casualties() == 0
    assert cache.get(slices.REFRESH_KEY) is None  # the next change tries the broker again

    # when a later refresh runs (the beat sweep, once the broker is back)
    assert tasks.statistics_refresh() == 1

    # then the change is counted
    assert casualties() == 1
    assert DirtySlice.objects.count() == 0


def test_a_refresh_owing_many_slices_recounts_everything_at_once(
    push: Push, enqueued, monkeypatch
) -> None:
    # given 60 years of accidents pushed (an import), each year a slice owing a refresh
    monkeypatch.setattr(slices, "REFRESH_KEY_SECONDS", 600)
    records = []
    for year in range(1964, 2024):
        a = accident(occurred_on=f"{year}-03-01")
        records += [a, victim(a["id"]), victim(a["id"])]
    push(records)
    rebuilds = []
    rebuild = slices.statistics_rebuild

    def counted_rebuild() -> int:
        rebuilds.append(1)
        return rebuild()

    monkeypatch.setattr(slices, "statistics_rebuild", counted_rebuild)

    # when the worker refreshes
    tasks.statistics_refresh()

    # then it took the set-based rebuild, once, with exact figures and nothing left owing
    assert rebuilds == [1]
    assert [casualties(year) for year in (1964, 1999, 2023)] == [2, 2, 2]
    assert figures_summary(query=FigureQuery())["casualties"] == 120
    assert DirtySlice.objects.count() == 0


def test_rebuild_statistics_recomputes_every_figure_from_the_records(push: Push) -> None:
    # given figures for two years, then lost or corrupted figure rows
    a, b = accident(occurred_on="2025-01-05"), accident()
    push([a, b, victim(a["id"]), victim(b["id"]), victim(b["id"])])
    CasualtyFigure.objects.filter(year=2025).delete()
    CasualtyFigure.objects.filter(year=2026).update(count=99)
    AccidentFigure.objects.create(
        year=2019, province="LA-AT", district="1701", device_category="unknown",
        activity="unknown", classification="civilian", verified=False, count=3,
    )  # fmt: skip

    # when the command runs
    call_command("rebuild_statistics", verbosity=0)

    # then every figure is the records' again
    assert (casualties(2025), casualties(2026)) == (1, 2)
    assert figures_summary(query=FigureQuery(year=2019))["accidents"] == 0
    assert StatisticsSlice.objects.filter(recomputed_at__isnull=False).count() == 3


def test_beat_runs_the_sweep_every_minute_and_a_nightly_rebuild() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule["statistics-sweep"]["task"] == tasks.statistics_refresh.name
    assert schedule["statistics-sweep"]["schedule"] == 60.0
    assert schedule["statistics-rebuild"]["task"] == tasks.statistics_rebuild.name
    assert {tasks.statistics_refresh.name, tasks.statistics_rebuild.name} <= set(celery_app.tasks)


# -- PostgreSQL: real concurrency ----------------------------------------------------------------
def _in_threads(*work: Any) -> list[Any]:
    results: list[Any] = [None] * len(work)
    errors: list[BaseException] = []
    start = threading.Barrier(len(work))

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = work[index]()
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_give_exact_figures(push: Push, monkeypatch) -> None:
    # given eight slices owed a recompute, each recompute slowed down so the workers overlap
    records = []
    for year in (2023, 2024, 2025, 2026):
        for province, district in PLACES[:2]:
            a = accident(occurred_on=f"{year}-03-03", province=province, district=district)
            records += [a, victim(a["id"]), victim(a["id"], outcome="killed")]
    push(records, refresh=False)
    DirtySlice.objects.bulk_create([DirtySlice(year=2026, province="LA-XI") for _ in range(3)])
    replace = slices.casualty_figures_replace

    def slow_replace(**slice_: Any) -> int:
        threading.Event().wait(0.05)
        return replace(**slice_)

    monkeypatch.setattr(slices, "casualty_figures_replace", slow_replace)

    # when two workers refresh at the same time
    first, second = _in_threads(slices.statistics_refresh, slices.statistics_refresh)

    # then each slice was recomputed once, by one of them, and every figure is exact
    assert first + second == 8
    assert DirtySlice.objects.count() == 0
    assert [casualties(year) for year in (2023, 2024, 2025, 2026)] == [4, 4, 4, 4]
    assert CasualtyFigure.objects.count() == 16  # one row per slice and outcome: no duplicate


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_change_committed_during_a_recompute_is_never_lost(push: Push, monkeypatch) -> None:
    # given a slice owed a recompute, whose worker stops after claiming the slice
    a = accident()
    push([a, victim(a["id"])], refresh=False)
    claimed, resume = threading.Event(), threading.Event()
    replace = slices.accident_figures_replace

    def paused_replace(**slice_: Any) -> int:
        claimed.set()
        resume.wait(10)
        return replace(**slice_)

    monkeypatch.setattr(slices, "accident_figures_replace", paused_replace)

    def change_meanwhile() -> None:
        claimed.wait(10)
        push([victim(a["id"]), victim(a["id"])], refresh=False)  # commits during the recompute
        resume.set()

    # when a change of that slice commits while the worker recomputes it
    _in_threads(slices.statistics_refresh, change_meanwhile)
    monkeypatch.setattr(slices, "accident_figures_replace", replace)

    # then its dirty row survived, and the next refresh makes the figures exact
    assert DirtySlice.objects.count() == 1
    assert slices.statistics_refresh() == 1
    assert casualties() == 3
