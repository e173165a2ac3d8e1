"""Workers killed with SIGKILL at random moments during pushes, while a tablet retries.

Afterwards every record is stored exactly once, no batch or record is half applied, and every
answer the tablet got was a contract answer.
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time

import httpx
import pytest

from accidents.models import Accident
from fieldsync.models import Change, InboxRecord, RecordVersion, SyncBatch
from tests.helpers.servers import HttpTablet, database_url, gunicorn
from tests.helpers.sync import accident, assistance, victim
from victims.models import Assistance, Victim

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _kill_a_worker(server, rng: random.Random, killed: list[int]) -> None:
    workers = server.workers()
    if workers:
        pid = rng.choice(workers)
        try:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        except ProcessLookupError:
            pass


def _push_until_answered(tablet: HttpTablet, body: bytes, answers: list) -> dict:
    for _ in range(100):
        try:
            response = tablet.post(body)
        except httpx.TransportError:  # the worker died under the request: resend the same batch
            time.sleep(0.05)
            continue
        answers.append(
            (response.status_code, response.headers.get("content-type", ""), response.content)
        )
        if response.status_code == 200:
            return response.json()
        assert response.status_code == 503, response.content  # only "try again later"
        time.sleep(0.1)
    raise AssertionError("the batch was never answered")


def _crash_run(make_user, rounds: int, seed: int) -> None:
    make_user("crash-tablet")
    rng = random.Random(seed)
    created: dict[str, dict] = {}  # id -> record as last sent, with the version acknowledged
    answers: list = []
    killed: list[int] = []
    with gunicorn(database_url(), workers=2) as server:
        tablet = HttpTablet(server.url, "crash-tablet")
        for _ in range(rounds):
            records = []
            for _ in range(8):
                a = accident()
                v = victim(a["id"])
                records += [a, v, assistance(v["id"])]
            for record in rng.sample(list(created.values()), min(6, len(created))):
                records.append(
                    {
                        **record,
                        "base_version": record["version"],
                        "data": {**record["data"], "notes": f"n{rng.random()}"}
                        if record["model"] == "assistance"
                        else {**record["data"], "village": f"Ban {rng.randint(1, 99)}"}
                        if record["model"] == "accident"
                        else {**record["data"], "age_years": rng.randint(1, 90)},
                    }
                )
            body = tablet.body([{k: v for k, v in r.items() if k != "version"} for r in records])
            killer = threading.Timer(
                rng.uniform(0.0, 0.15), _kill_a_worker, args=(server, rng, killed)
            )
            killer.start()
            result = _push_until_answered(tablet, body, answers)
            killer.join()
            for record, outcome in zip(records, result["results"], strict=True):
                assert outcome["status"] in ("applied", "merged", "unchanged"), outcome
                created[record["id"]] = {**record, "version": outcome["version"]}

    assert len(killed) == rounds
    for status, content_type, content in answers:
        assert content_type == "application/json"
        body = json.loads(content)
        assert "results" in body if status == 200 else "code" in body
    # Every record exactly once, at the version the tablet was told.
    stored = {
        str(pk): version
        for model in (Accident, Victim, Assistance)
        for pk, version in model.objects.values_list("pk", "version")
    }
    assert stored == {record_id: record["version"] for record_id, record in created.items()}
    # Nothing half applied: every batch answered, every received record decided, every version
    # in the history and in the change log.
    assert not SyncBatch.objects.exclude(status="processed").exists()
    assert not InboxRecord.objects.filter(status="pending").exists()
    histories: dict[str, list[int]] = {}
    for record_id, version in RecordVersion.objects.values_list("record_id", "version"):
        histories.setdefault(record_id, []).append(version)
    assert {k: sorted(v) for k, v in histories.items()} == {
        k: list(range(1, v + 1)) for k, v in stored.items()
    }
    logged = dict(Change.objects.filter(audience="*all").values_list("record_id", "version"))
    assert logged == stored


def test_workers_killed_during_pushes_lose_and_duplicate_nothing(make_user, seeded) -> None:
    _crash_run(make_user, rounds=12, seed=1)


@pytest.mark.slow
def test_workers_killed_100_times_during_pushes(make_user, seeded) -> None:
    _crash_run(make_user, rounds=100, seed=2)
