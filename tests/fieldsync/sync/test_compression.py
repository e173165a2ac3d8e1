"""Compression both ways (docs/api.md, "Compression"): gzip answers to clients that accept them,
gzip push bodies limited on what they decode to, and the encodings announced by sync/info."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from typing import Any

import pytest

from accidents.models import Accident
from fieldsync.models import Role, SyncBatch
from tests.helpers.sync import Tablet, accident, assistance, victim

pytestmark = pytest.mark.django_db


def _push_gzip(tablet: Tablet, body: bytes, **headers: Any) -> Any:
    return tablet.client.post(
        "/api/v1/sync/push/",
        body,
        content_type="application/json",
        HTTP_CONTENT_ENCODING="gzip",
        **tablet.headers,
        **headers,
    )


def test_sync_info_announces_the_encodings(tablet: Tablet) -> None:
    info = tablet.client.get("/api/v1/sync/info/", **tablet.headers).json()
    assert info["compression"] == {"request": ["gzip"], "response": ["gzip"]}


def test_a_gzip_push_is_taken_as_the_same_push(tablet: Tablet) -> None:
    records = [accident() for _ in range(20)]
    envelope = json.dumps(tablet.envelope(records)).encode()
    response = _push_gzip(tablet, gzip.compress(envelope))
    assert response.status_code == 200, response.content
    assert {r["status"] for r in response.json()["results"]} == {"applied"}
    assert Accident.objects.count() == 20


def test_a_decompression_bomb_is_413_and_stores_nothing(tablet: Tablet, settings: Any) -> None:
    settings.FIELDSYNC = {**settings.FIELDSYNC, "MAX_BATCH_BYTES": 64 * 1024}
    envelope = tablet.envelope([accident(description="x" * 3000)])
    padded = json.dumps(envelope) + " " * (50 * 1024 * 1024)  # 50 MB of spaces...
    bomb = gzip.compress(padded.encode(), compresslevel=9)
    assert len(bomb) < 64 * 1024  # ...under the limit as sent
    response = _push_gzip(tablet, bomb)
    assert response.status_code == 413
    assert response.json()["code"] == "batch_too_large"
    assert not SyncBatch.objects.exists()


@pytest.mark.parametrize(
    "body",
    [b"not gzip at all", gzip.compress(b'{"a": 1}')[:-6], gzip.compress(b"{}") + b"trailing"],
    ids=["garbage", "truncated", "trailing-bytes"],
)
def test_a_broken_gzip_body_is_400(tablet: Tablet, body: bytes) -> None:
    response = _push_gzip(tablet, body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_encoding"


def test_an_encoding_the_server_does_not_take_is_415(tablet: Tablet) -> None:
    response = tablet.client.post(
        "/api/v1/sync/push/",
        b"{}",
        content_type="application/json",
        HTTP_CONTENT_ENCODING="br",
        **tablet.headers,
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_encoding"


def test_pull_pages_are_gzip_to_clients_that_accept_it(tablet: Tablet) -> None:
    tablet.push_ok([accident() for _ in range(30)])
    plain = tablet.client.get("/api/v1/sync/pull/?limit=1000", **tablet.headers)
    packed = tablet.client.get(
        "/api/v1/sync/pull/?limit=1000", HTTP_ACCEPT_ENCODING="gzip, br", **tablet.headers
    )
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    changes = json.loads(gzip.decompress(packed.content))["changes"]
    assert [c["id"] for c in changes] == [c["id"] for c in plain.json()["changes"]]
    assert len(packed.content) * 4 <= len(plain.content)


def test_a_watermelondb_pull_streams_gzip_and_its_push_takes_gzip(tablet: Tablet) -> None:
    tablet.push_ok([accident()])
    url = "/api/v1/sync/watermelon/"
    response = tablet.client.get(
        f"{url}?last_pulled_at=null", HTTP_ACCEPT_ENCODING="gzip", **tablet.headers
    )
    assert response.headers["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(b"".join(response.streaming_content)))
    assert len(body["changes"]["accidents"]["updated"]) == 1
    pushed = tablet.client.post(
        f"{url}?last_pulled_at={body['timestamp']}",
        gzip.compress(
            json.dumps({"accidents": {"created": [], "updated": [], "deleted": []}}).encode()
        ),
        content_type="application/json",
        HTTP_CONTENT_ENCODING="gzip",
        **tablet.headers,
    )
    assert (pushed.status_code, pushed.json()) == (200, {})


def test_answers_with_an_etag_stay_as_they_are(
    tablet: Tablet, make_tablet: Callable[..., Tablet]
) -> None:
    """A record's ETag is its version, sent back in If-Match: gzip would make it weak."""
    a = accident()
    v = victim(a["id"])
    help_ = assistance(v["id"], notes="n" * 2000)
    tablet.push_ok([a, v, help_])
    staff = make_tablet("nra", role=Role.NRA_STAFF, organisation="NRA")
    response = staff.client.get(
        f"/api/v1/assistance/{help_['id']}/", HTTP_ACCEPT_ENCODING="gzip", **staff.headers
    )
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"' and "Content-Encoding" not in response.headers


def test_admin_pages_are_not_compressed(admin_client: Any) -> None:
    response = admin_client.get("/admin/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
