"""Restoring an older backup: tablets whose cursor is newer are told to resync, and converge
without losing what they had not sent (nor what the restore lost, which they send again)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection, connections

from accidents.models import Accident
from tests.helpers.sync import Tablet, accident

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _pg(command: str, *args: str) -> None:
    settings = connection.settings_dict
    subprocess.run(
        [
            command,
            "-h",
            settings.get("HOST") or "127.0.0.1",
            "-p",
            str(settings.get("PORT") or 5432),
            "-U",
            settings.get("USER") or "postgres",
            *args,
        ],
        check=True,
        capture_output=True,
    )


def test_tablets_resync_after_a_restore_and_lose_nothing(make_tablet, tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    tablet: Tablet = make_tablet()
    a, b, c = accident(), accident(), accident()
    tablet.push_ok([a])
    _, old_cursor = tablet.pull_all()
    dump = tmp_path / "fieldsync.dump"
    name = connection.settings_dict["NAME"]
    _pg("pg_dump", "-Fc", "-f", str(dump), name)  # the nightly backup
    tablet.push_ok([b])  # acknowledged after the backup: the restore will lose it
    _, new_cursor = tablet.pull_all()

    connections.close_all()
    _pg(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "-d",
        name,
        str(dump),
    )

    stale = tablet.pull(new_cursor)
    assert (stale.status_code, stale.json()["code"]) == (409, "resync_required")
    assert tablet.pull(old_cursor).status_code == 200  # older than the backup: still good
    # The tablet keeps its outbox (c) and sends again what the server no longer has (b):
    # an edit of an unknown id is stored as a new record (contract).
    results = tablet.push_ok([c, {**b, "base_version": 1}])
    assert [r["status"] for r in results] == ["applied", "applied"]
    changes, _ = tablet.pull_all()  # from scratch
    assert sorted(ch["id"] for ch in changes if ch["model"] == "accident") == sorted(
        [a["id"], b["id"], c["id"]]
    )
    assert Accident.objects.count() == 3
