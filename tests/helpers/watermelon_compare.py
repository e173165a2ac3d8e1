"""A WatermelonDB device's database against the truth of the v1 pull of the same user.

Written from the contracts alone (sync-v1.md, watermelondb.md), not from the server's
translation code: a v1 model is a WatermelonDB table, a record's `version` is its
`server_version` column, a reference to another record is the field name plus `_id`, a list is a
JSON-encoded string, and reference data has its code as `id`."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from django.test import Client

from tests.helpers.sync import Tablet
from tests.helpers.watermelon import SyncResult, WatermelonApp

TABLE_OF_MODEL = {
    "accident": "accidents",
    "victim": "victims",
    "assistance": "assistance",
    "province": "provinces",
    "district": "districts",
    "ordnance_type": "ordnance_types",
    "organisation": "organisations",
    "service_type": "service_types",
}
RECORD_REFERENCES = {
    "accident": "accident_id",
    "related_victim": "related_victim_id",
    "victim": "victim_id",
}
#: v1 fields a WatermelonDB app has no column for, as long as they are null: `merged_into` is
#: only set on the tombstone of a merged duplicate, which reaches a device as a deleted id.
NOT_ON_THE_DEVICE: dict[str, frozenset[str]] = {
    "accidents": frozenset({"merged_into"}),
    "victims": frozenset({"merged_into"}),
}


def server_truth(app: WatermelonApp) -> dict[str, dict[str, dict[str, Any]]]:
    """Every live row the user may see, by table and id, from a v1 pull on another device of
    theirs (a device of its own: the app's device keeps its own sync state)."""
    changes, _ = Tablet(Client(), app.user).pull_all()
    truth: dict[str, dict[str, dict[str, Any]]] = {table: {} for table in TABLE_OF_MODEL.values()}
    for change in changes:
        rows = truth[TABLE_OF_MODEL[change["model"]]]
        if change["op"] == "delete":
            rows.pop(change["id"], None)
        else:
            rows[change["id"]] = change
    return truth


def _column_value(v1_value: Any, column_value: Any) -> Any:
    """The device's value in v1 terms: lists and objects travel as JSON strings."""
    if isinstance(v1_value, list | dict) and isinstance(column_value, str):
        return json.loads(column_value)
    return column_value


def row_differences(table: str, change: dict[str, Any], row: dict[str, Any]) -> list[str]:
    differences = []
    record_table = change["model"] in ("accident", "victim", "assistance")
    if record_table and row.get("server_version") != change["version"]:
        differences.append(
            f"server_version {row.get('server_version')!r} != version {change['version']}"
        )
    compared = {"id", "_status", "_changed", "server_version"}
    for name, v1_value in change["data"].items():
        if not record_table and name == "code":
            continue  # the id
        column = RECORD_REFERENCES.get(name, name) if record_table else name
        if v1_value is None and name in NOT_ON_THE_DEVICE.get(table, frozenset()):
            continue
        compared.add(column)
        if column not in row:
            differences.append(f"{column}: no such column (v1 has {v1_value!r})")
            continue
        device_value = _column_value(v1_value, row[column])
        if device_value != v1_value:
            differences.append(f"{column}: device {row[column]!r}, server {v1_value!r}")
    for column, value in row.items():
        if column not in compared and value is not None:
            differences.append(f"{column}: device {value!r}, absent from the v1 record")
    return differences


def assert_matches_server(app: WatermelonApp, *, unsynced: Collection[str] = ()) -> None:
    """The device holds exactly the live rows the server would give this user, field for field,
    and nothing is left unsynced but the rows named in `unsynced` (left out of the comparison)."""
    truth = server_truth(app)
    tables = app.dump()["tables"]
    problems: list[str] = []
    for table, expected in truth.items():
        device = {row["id"]: row for row in tables[table]}
        for record_id, row in device.items():
            if row["_status"] != "synced" and record_id not in unsynced:
                problems.append(f"{table} {record_id}: left {row['_status']} ({row['_changed']!r})")
        device_ids = {rid for rid, row in device.items() if row["_status"] != "deleted"} - set(
            unsynced
        )
        server_ids = set(expected) - set(unsynced)
        for record_id in sorted(server_ids - device_ids):
            problems.append(f"{table} {record_id}: on the server, not on the device")
        for record_id in sorted(device_ids - server_ids):
            problems.append(f"{table} {record_id}: on the device, not on the server")
        for record_id in sorted(server_ids & device_ids):
            for difference in row_differences(table, expected[record_id], device[record_id]):
                problems.append(f"{table} {record_id}: {difference}")
    assert not problems, "device and server differ:\n" + "\n".join(problems)


def pushed_ids(result: SyncResult) -> list[str]:
    return [
        row if isinstance(row, str) else row["id"]
        for push in result.pushes
        for change in push["changes"].values()
        for rows in change.values()
        for row in rows
    ]


def assert_converged(*apps: WatermelonApp, unsynced: Collection[str] = ()) -> None:
    """Sync every device until a round in which none pushes anything (a device learns the
    server's values for what it pushed, `server_version` included, at its next pull), then
    compare each with the server."""
    for _ in range(3):
        rounds = [app.sync_ok() for app in apps]
        if all(set(pushed_ids(result)) <= set(unsynced) for result in rounds):
            break
    else:
        raise AssertionError("the devices still push after three rounds of syncs")
    for app in apps:
        assert_matches_server(app, unsynced=unsynced)
