"""The WatermelonDB protocol against the v1 sync it adapts, in the same run: pushes of new
records and of edits, and a first sync, each compared with the v1 call doing the same work."""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from benchmarks import harness

URL = "/api/v1/sync/watermelon/"
BATCH = 1000


def rows(server: str, batches: int) -> list[dict[str, Any]]:
    from benchmarks.report import row

    v1 = harness.enrol(server, "bench-halo")
    melon = harness.enrol(server, "bench-office")
    generator = harness.Records(seed=21)
    last = _pull(server, melon, None)
    new_v1, new_wm, edit_v1, edit_wm = [], [], [], []
    for _ in range(batches):
        created = generator.mixed(BATCH)
        new_v1.append(_timed(lambda r=created: _ok(v1.push(r))))
        mine = generator.mixed(BATCH)
        new_wm.append(_timed(lambda r=mine: _push(server, melon, _changes(r, "created"))))
        edits = [_edit(r, base_version=1) for r in created]
        edit_v1.append(_timed(lambda r=edits: _ok(v1.push(r))))
        last = _pull(server, melon, last)  # synchronize() pulls before it pushes
        wm_edits = _changes([_edit(r, base_version=None) for r in mine], "updated")
        edit_wm.append(_timed(lambda c=wm_edits: _push(server, melon, c)))
    reader = harness.enrol(server, "bench-nra")
    pull_v1 = _timed(lambda: _pull_all_v1(reader))
    pull_wm = _timed(lambda: _pull(server, reader, None))

    def ratio(name: str, wm: list[float], base: list[float], target: float) -> dict[str, Any]:
        slower = statistics.median(wm) / statistics.median(base)
        return row(
            name,
            slower,
            "x v1 time",
            f"<= {target}x",
            slower <= target,
            watermelon_ms=round(statistics.median(wm) * 1000, 1),
            v1_ms=round(statistics.median(base) * 1000, 1),
        )

    return [
        ratio("WatermelonDB push of 1,000 new records vs v1 push", new_wm, new_v1, 1.3),
        ratio("WatermelonDB push of 1,000 field edits vs v1 push", edit_wm, edit_v1, 1.5),
        ratio("WatermelonDB first sync (one answer) vs v1 pages", [pull_wm], [pull_v1], 1.5),
    ]


def _timed(work: Any) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _ok(response: Any) -> None:
    statuses = {r["status"] for r in response.json()["results"]}
    if not statuses <= {"applied", "merged", "unchanged"}:
        raise RuntimeError(f"v1 push gave {statuses}")


def _edit(record: dict[str, Any], base_version: int | None) -> dict[str, Any]:
    data = {"description": "Seen again by the team."}
    if record["model"] == "victim":
        data = {"age_years": 30}
    elif record["model"] == "assistance":
        data = {"status": "in_progress"}
    return {**record, "base_version": base_version, "data": data}


def _changes(records: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """WatermelonDB rows of v1 records, as the app would push them."""
    from fieldsync.watermelon.tables import table_of

    body: dict[str, Any] = {}
    for record in records:
        table = table_of(record["model"])
        raw = table.row(record["id"], None, record["data"], 2)
        raw = {k: v for k, v in raw.items() if k == "id" or k in _wire_columns(table, record)}
        raw["_status"], raw["_changed"] = kind, ",".join(k for k in raw if k != "id")
        lists = body.setdefault(table.name, {"created": [], "updated": [], "deleted": []})
        lists[kind].append(raw)
    return body


def _wire_columns(table: Any, record: dict[str, Any]) -> set[str]:
    return {c.name for c in table.columns if c.wire in record["data"]}


def _push(server: str, tablet: harness.Tablet, changes: dict[str, Any]) -> None:
    response = tablet.client.post(
        f"{server}{URL}?last_pulled_at=1",
        content=json.dumps(changes).encode(),
        headers={"Content-Type": "application/json"},
    )
    response.raise_for_status()
    if response.json():
        raise RuntimeError(f"WatermelonDB push refused rows: {response.text[:300]}")


def _pull(server: str, tablet: harness.Tablet, last_pulled_at: int | None) -> int:
    """A WatermelonDB pull; its timestamp."""
    since = "null" if last_pulled_at is None else str(last_pulled_at)
    response = tablet.client.get(f"{server}{URL}", params={"last_pulled_at": since}, timeout=600)
    response.raise_for_status()
    return int(response.json()["timestamp"])


def _pull_all_v1(tablet: harness.Tablet) -> int:
    cursor, received = None, 0
    while True:
        page = tablet.pull(cursor, 1000)
        received += len(page["changes"])
        cursor = page["cursor"]
        if not page["has_more"]:
            return received
