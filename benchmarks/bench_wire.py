"""Bytes on the wire and a tablet's day over a 2G link, plain and gzip, in the same run.

A 1,000-change pull page and a 1,000-record push are measured as sent; then two tablets of one
organisation, at the same cursor, each push 200 records and pull the 2,400 changes since (an
office's 2,000 and both tablets' 200) through a loopback proxy that behaves as a 2G link (50 kB/s,
300 ms), one without compression, one with gzip both ways.
"""

from __future__ import annotations

import gzip
import json
import time
import uuid
from typing import Any

import httpx

from benchmarks import harness
from benchmarks.link import SlowLink
from benchmarks.records import Records

DAY_UP, OFFICE = 200, 2000


def rows(server: str, port: int) -> list[dict[str, Any]]:
    from benchmarks.report import row

    plain_tablet = harness.enrol(server, "bench-day-a")
    gzip_tablet = harness.enrol(server, "bench-day-b")
    office = harness.enrol(server, "bench-day-office")
    cursors = {
        t.device_id: _pull_all(t.client, server, None)[1] for t in (plain_tablet, gzip_tablet)
    }
    generator = Records(seed=41)
    for _ in range(OFFICE // 1000):
        _ok(office.push(generator.mixed(1000)))

    page = gzip_tablet.client.get(
        f"{server}/api/v1/sync/pull/",
        params={"cursor": cursors[gzip_tablet.device_id], "limit": 1000},
        headers={"Accept-Encoding": "gzip"},
    )
    page_plain, page_gzip = len(page.content), page.num_bytes_downloaded
    body = json.dumps(_envelope(office, generator.mixed(1000))).encode()
    push_plain, push_gzip = len(body), len(gzip.compress(body))

    day: dict[str, float] = {}
    for tablet, packed in ((plain_tablet, False), (gzip_tablet, True)):
        with SlowLink(port) as link:
            day[str(packed)] = _day(tablet, link, cursors[tablet.device_id], generator, packed)
    plain_s, gzip_s = day["False"], day["True"]
    return [
        row(
            "bytes of a 1,000-change pull page, gzip vs plain",
            100 * page_gzip / page_plain,
            "% of plain",
            "<= 25%",
            page_gzip * 4 <= page_plain,
            plain_bytes=page_plain,
            gzip_bytes=page_gzip,
        ),
        row(
            "bytes of a 1,000-record push, gzip vs plain",
            100 * push_gzip / push_plain,
            "% of plain",
            "<= 25%",
            push_gzip * 4 <= push_plain,
            plain_bytes=push_plain,
            gzip_bytes=push_gzip,
        ),
        row(
            f"a tablet's day over 2G ({DAY_UP} up, {OFFICE + 2 * DAY_UP:,} down), gzip vs plain",
            100 * gzip_s / plain_s,
            "% of plain",
            "<= 50%",
            gzip_s * 2 <= plain_s,
            plain_s=round(plain_s, 1),
            gzip_s=round(gzip_s, 1),
            link="50 kB/s, 300 ms",
        ),
    ]


def _day(
    tablet: harness.Tablet, link: SlowLink, cursor: str, generator: Records, packed: bool
) -> float:
    """Push the day's records, then pull everything since `cursor`, through `link`."""
    headers = {"Authorization": f"Token {tablet.token}"}
    headers["Accept-Encoding"] = "gzip" if packed else "identity"
    # A connection per request: the server may close an idle one while a request is on the
    # (slow) way, which a phone's HTTP stack retries and httpx does not.
    fresh = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(headers=headers, timeout=600, limits=fresh) as client:
        body = json.dumps(_envelope(tablet, generator.mixed(DAY_UP))).encode()
        push_headers = {"Content-Type": "application/json"}
        if packed:
            body = gzip.compress(body)
            push_headers["Content-Encoding"] = "gzip"
        started = time.perf_counter()
        response = client.post(f"{link.url}/api/v1/sync/push/", content=body, headers=push_headers)
        _ok(response)
        received, _ = _pull_all(client, link.url, cursor)
        elapsed = time.perf_counter() - started
    if received < OFFICE + DAY_UP:
        raise RuntimeError(f"the day's pull brought {received} changes")
    return elapsed


def _pull_all(client: httpx.Client, server: str, cursor: str | None) -> tuple[int, str]:
    received = 0
    while True:
        params: dict[str, Any] = {"limit": 1000}
        if cursor:
            params["cursor"] = cursor
        response = client.get(f"{server}/api/v1/sync/pull/", params=params)
        response.raise_for_status()
        page = response.json()
        received += len(page["changes"])
        cursor = page["cursor"]
        if not page["has_more"]:
            return received, cursor


def _envelope(tablet: harness.Tablet, records: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "batch_id": str(uuid.uuid4()),
        "device_id": tablet.device_id,
        "schema_version": 1,
        "records": records,
    }


def _ok(response: httpx.Response) -> None:
    response.raise_for_status()
    statuses = {r["status"] for r in response.json()["results"]}
    if statuses != {"applied"}:
        raise RuntimeError(f"push gave {statuses}")
