"""The WatermelonDB protocol spoken by hand (the real library is driven in test_app_live.py):
rows built from the v1 test records, and a device that remembers its last timestamp."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse

from tests.fieldsync.watermelon.rows import as_columns
from tests.helpers.sync import Tablet

URL = "/api/v1/sync/watermelon/"
TABLES = {"accident": "accidents", "victim": "victims", "assistance": "assistance"}
KINDS = ("created", "updated", "deleted")


def row(record: dict[str, Any], **columns: Any) -> dict[str, Any]:
    """A WatermelonDB row of a v1 test record (as a device would push it when it created it)."""
    raw = {"id": record["id"], "_status": "created", "_changed": ""}
    return raw | as_columns(record["data"]) | columns


def edited(raw: dict[str, Any], **columns: Any) -> dict[str, Any]:
    """`raw` with `columns` changed on the device (`_changed` lists them)."""
    return raw | columns | {"_status": "updated", "_changed": ",".join(columns)}


def changes(**tables: dict[str, list[Any]]) -> dict[str, Any]:
    """A Changes body: every record table, with the given lists."""
    body: dict[str, Any] = {}
    for table in TABLES.values():
        given = tables.get(table, {})
        body[table] = {
            kind: list(given.get(kind, [])) for kind in ("created", "updated", "deleted")
        }
    return body


class Melon:
    """A WatermelonDB device over the Django test client, keeping `last_pulled_at`."""

    def __init__(self, tablet: Tablet) -> None:
        self.tablet = tablet
        self.last_pulled_at: int | None = None

    def pull_raw(self, **params: Any) -> Any:
        query = {k: "null" if v is None else v for k, v in params.items()}
        response = self.tablet.client.get(f"{URL}?{urlencode(query)}", **self.tablet.headers)
        if not response.streaming:
            return response
        # A pull answer is written out as it is read: read it whole here.
        body = b"".join(response.streaming_content)
        whole = HttpResponse(body, status=response.status_code, headers=dict(response.headers))
        whole.json = lambda: json.loads(body)
        return whole

    def pull(self, **params: Any) -> dict[str, Any]:
        """Pull since the last timestamp and keep the new one."""
        response = self.pull_raw(last_pulled_at=self.last_pulled_at, **params)
        assert response.status_code == 200, response.content
        body = response.json()
        self.last_pulled_at = body["timestamp"]
        return body["changes"]

    def push_raw(self, body: Any, *, last_pulled_at: int | None = None) -> Any:
        since = last_pulled_at if last_pulled_at is not None else self.last_pulled_at
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        return self.tablet.client.post(
            f"{URL}?{urlencode({'last_pulled_at': since or 'null'})}",
            data,
            content_type="application/json",
            **self.tablet.headers,
        )

    def push(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.push_raw(body)
        assert response.status_code == 200, response.content
        return response.json()

    def sync(self, body: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        """What `synchronize()` does: pull, then push the local changes."""
        pulled = self.pull()
        pushed = self.push(body) if body is not None else {}
        return pulled, pushed


def updated_ids(pulled: dict[str, Any], table: str) -> list[str]:
    return [r["id"] for r in pulled[table]["updated"]]


def updated_row(pulled: dict[str, Any], table: str, record_id: str) -> dict[str, Any]:
    return next(r for r in pulled[table]["updated"] if r["id"] == record_id)
