"""Concurrent pushes on PostgreSQL: constraints and row locks, not a SELECT first."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from django.db import connection

from accidents.models import Accident
from fieldsync.models import RecordVersion, SyncBatch
from tests.helpers.sync import Tablet, accident, victim
from victims.models import Victim

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_threads(count: int, work) -> list:
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_same_batch_posted_five_times_in_parallel_leaves_one_row_per_record(make_tablet) -> None:
    tablet: Tablet = make_tablet()
    records = []
    for _ in range(20):
        a = accident()
        records += [a, victim(a["id"])]
    body = json.dumps(tablet.envelope(records))

    responses = _in_threads(5, lambda _i: tablet.push_raw(body))

    assert [r.status_code for r in responses] == [200] * 5
    assert len({json.dumps(r.json(), sort_keys=True) for r in responses}) == 1
    assert Accident.objects.count() == 20
    assert Victim.objects.count() == 20
    assert SyncBatch.objects.count() == 1
    assert RecordVersion.objects.count() == 40


def test_two_devices_creating_the_same_records_at_once_never_duplicate(make_tablet) -> None:
    one, two = make_tablet("one"), make_tablet("two")
    shared = [accident() for _ in range(30)]

    responses = _in_threads(2, lambda i: (one, two)[i].push(shared))

    assert [r.status_code for r in responses] == [200, 200]
    statuses = sorted(r.json()["results"][0]["status"] for r in responses)
    assert statuses == ["applied", "unchanged"]
    assert Accident.objects.count() == 30
    assert len(set(Accident.objects.values_list("reference", flat=True))) == 30


def test_concurrent_edits_of_the_same_record_lose_no_update(make_tablet) -> None:
    owner = make_tablet("owner")
    a = accident()
    owner.push_ok([a])
    editors = [make_tablet(f"editor-{i}") for i in range(4)]
    fields = ["village", "description", "time_of_day", "activity"]
    values = ["Ban Na", "Seen by the chief", "morning", "digging"]

    responses = _in_threads(
        4, lambda i: editors[i].push([accident(a["id"], base_version=1, **{fields[i]: values[i]})])
    )

    assert {r.json()["results"][0]["status"] for r in responses} <= {"applied", "merged"}
    stored = Accident.objects.get(pk=a["id"])
    assert stored.version == 5
    assert [getattr(stored, f) for f in fields] == values


def test_concurrent_accidents_get_unique_consecutive_references(make_tablet) -> None:
    tablets = [make_tablet(f"t{i}") for i in range(4)]

    _in_threads(4, lambda i: tablets[i].push([accident() for _ in range(10)]))

    numbers = sorted(
        int(r.rsplit("-", 1)[1]) for r in Accident.objects.values_list("reference", flat=True)
    )
    assert numbers == list(range(1, 41))


def test_batch_ids_are_per_device(make_tablet) -> None:
    one, two = make_tablet("one"), make_tablet("two")
    batch_id = str(uuid.uuid4())

    assert one.push([accident()], batch_id=batch_id).status_code == 200
    assert two.push([accident()], batch_id=batch_id).status_code == 200
