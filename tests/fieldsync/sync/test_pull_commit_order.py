"""No change is skipped when transactions commit in another order than they started.

Two pushes on PostgreSQL: a slow one that started first and a fast one that commits before it.
A device that pulls in between must still receive the slow one's records afterwards.
"""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from fieldsync import changelog
from tests.helpers.sync import accident

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
SLOW = "slow-push"


def _pause_slow_push(
    monkeypatch, *, after_sequence: bool
) -> tuple[threading.Event, threading.Event]:
    """Stop the slow push just before (or just after) it takes its sequence numbers."""
    paused, resume = threading.Event(), threading.Event()
    original = changelog.ChangeSet.flush

    def flush(self: changelog.ChangeSet) -> int:
        if threading.current_thread().name != SLOW:
            return original(self)
        if not after_sequence:
            paused.set()
            assert resume.wait(30)
            return original(self)
        written = original(self)
        paused.set()
        assert resume.wait(30)
        return written

    monkeypatch.setattr(changelog.ChangeSet, "flush", flush)
    return paused, resume


def _push_in_thread(tablet, records: list[dict], name: str) -> threading.Thread:
    body = json.dumps(tablet.envelope(records))

    def run() -> None:
        try:
            assert tablet.push_raw(body).status_code == 200
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


@pytest.mark.parametrize("after_sequence", [False, True], ids=["before-seq", "after-seq"])
def test_a_slow_push_committing_after_a_fast_one_is_never_skipped(
    make_tablet, monkeypatch, after_sequence: bool
) -> None:
    slow_tablet, fast_tablet, reader = make_tablet("slow"), make_tablet("fast"), make_tablet("r")
    _, cursor = reader.pull_all()
    paused, resume = _pause_slow_push(monkeypatch, after_sequence=after_sequence)
    slow_record, fast_record = accident(), accident()

    slow = _push_in_thread(slow_tablet, [slow_record], SLOW)
    assert paused.wait(30)  # the slow push has written its records but not committed
    fast = _push_in_thread(fast_tablet, [fast_record], "fast-push")
    fast.join(2)
    seen_between, cursor = reader.pull_all(cursor)  # a device syncs while the slow one is open
    resume.set()
    slow.join(30)
    fast.join(30)
    seen_after, _ = reader.pull_all(cursor)

    seen = [c["id"] for c in seen_between + seen_after if c["model"] == "accident"]
    assert sorted(seen) == sorted([slow_record["id"], fast_record["id"]])
    assert slow_record["id"] not in [c["id"] for c in seen_between]
