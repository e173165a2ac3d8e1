"""Real tus clients over HTTP against a live server: tuspy (Python) and tus-js-client (Node 20),
interrupted and resumed, and over a link that drops connections mid-body."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tusclient import client as tus_client
from tusclient.exceptions import TusUploadFailed
from tusclient.uploader import Uploader

from fieldsync.models import Attachment, Upload
from tests.fieldsync.attachments.conftest import sha256_hex, stored_files
from tests.helpers.attachments import noisy_jpeg
from tests.helpers.flaky_link import CuttingProxy

pytestmark = pytest.mark.django_db(transaction=True)

PHOTO = noisy_jpeg()  # 2000 x 1500, about 3 MB
CHUNK = 256 * 1024


class Sha256Uploader(Uploader):
    """tuspy sends sha1 chunk checksums by default; this server checks sha256."""

    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


@pytest.fixture
def live(live_server: Any, make_tablet: Any, storage_dir: Path) -> dict[str, Any]:
    tablet = make_tablet()
    return {"url": live_server.url, "token": tablet.token, "user": tablet.user}


def _client(live: dict[str, Any]) -> tus_client.TusClient:
    return tus_client.TusClient(
        f"{live['url']}/api/v1/attachments/", headers={"Authorization": f"Token {live['token']}"}
    )


def _assert_stored_once(storage_dir: Path, data: bytes, user: Any) -> None:
    sha = sha256_hex(data)
    attachment = Attachment.objects.get()
    assert (attachment.sha256, attachment.size, attachment.content_type) == (
        sha,
        len(data),
        "image/jpeg",
    )
    assert attachment.uploaded_by == user
    stored = storage_dir / "files" / sha[:2] / sha
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
    assert [f for f in stored_files(storage_dir) if f.startswith("files/")] == [
        f"files/{sha[:2]}/{sha}"
    ]


def test_tuspy_interrupted_mid_file_resumes_from_the_servers_offset(
    live: dict[str, Any], storage_dir: Path
) -> None:
    meta = {"sha256": sha256_hex(PHOTO), "filename": "uxo.jpg", "filetype": "image/jpeg"}
    client = _client(live)
    first = Sha256Uploader(
        file_stream=io.BytesIO(PHOTO),
        client=client,
        chunk_size=CHUNK,
        metadata=meta,
        upload_checksum=True,
    )
    for _ in range(5):  # the tablet goes out of coverage after five chunks
        first.upload_chunk()
    url = first.url

    resumed = Sha256Uploader(
        file_stream=io.BytesIO(PHOTO),
        client=client,
        url=url,
        chunk_size=CHUNK,
        upload_checksum=True,
    )
    assert resumed.offset == 5 * CHUNK  # asked the server with HEAD
    resumed.upload()

    assert resumed.offset == len(PHOTO)
    _assert_stored_once(storage_dir, PHOTO, live["user"])
    assert Upload.objects.get().completed_at is not None


def test_tuspy_with_a_wrong_sha256_stores_nothing(live: dict[str, Any], storage_dir: Path) -> None:
    meta = {"sha256": "0" * 64, "filename": "uxo.jpg", "filetype": "image/jpeg"}
    uploader = _client(live).uploader(
        file_stream=io.BytesIO(PHOTO), chunk_size=1024 * 1024, metadata=meta
    )

    with pytest.raises(TusUploadFailed) as failed:
        uploader.upload()

    assert failed.value.status_code == 460
    assert Upload.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert stored_files(storage_dir) == []


def test_tuspy_dedupes_a_file_already_stored(live: dict[str, Any], storage_dir: Path) -> None:
    meta = {"sha256": sha256_hex(PHOTO), "filename": "uxo.jpg", "filetype": "image/jpeg"}
    client = _client(live)
    client.uploader(file_stream=io.BytesIO(PHOTO), chunk_size=4 * CHUNK, metadata=meta).upload()
    creating = client.uploader(file_stream=io.BytesIO(PHOTO), metadata=meta)

    url = creating.create_url()  # a second tablet with the same photo
    resumed = Uploader(file_stream=io.BytesIO(PHOTO), client=client, url=url)

    assert resumed.offset == len(PHOTO)  # HEAD: nothing to send
    assert Upload.objects.count() == 2
    assert Attachment.objects.count() == 1
    _assert_stored_once(storage_dir, PHOTO, live["user"])


def _node(script: Path, endpoint: str, token: str, data: bytes, tmp_path: Path, **env: str) -> dict:
    path = tmp_path / "uxo-site.jpg"
    path.write_bytes(data)
    completed = subprocess.run(
        ["node", str(script)],
        env={
            **os.environ,
            "ENDPOINT": endpoint,
            "TOKEN": token,
            "FILE": str(path),
            "SHA256": sha256_hex(data),
            "FILETYPE": "image/jpeg",
            "CHUNK_SIZE": str(CHUNK),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


@pytest.mark.node
def test_tus_js_client_aborted_at_40_percent_resumes_with_upload_url(
    live: dict[str, Any], storage_dir: Path, tus_js: Path, tmp_path: Path
) -> None:
    result = _node(
        tus_js, f"{live['url']}/api/v1/attachments/", live["token"], PHOTO, tmp_path, ABORT_AT="0.4"
    )

    accepted = result["first"]["accepted"]
    assert result["first"]["done"] is False
    assert 0.4 * len(PHOTO) <= accepted < 0.4 * len(PHOTO) + CHUNK
    assert result["second"] == {"url": result["first"]["url"], "done": True}
    assert result["resumedFrom"] == accepted  # the offset the server's HEAD gave
    _assert_stored_once(storage_dir, PHOTO, live["user"])


@pytest.mark.node
def test_tus_js_client_over_a_link_that_drops_requests_finishes(
    live: dict[str, Any], live_server: Any, storage_dir: Path, tus_js: Path, tmp_path: Path
) -> None:
    port = int(live_server.url.rsplit(":", 1)[1])
    with CuttingProxy(port, cuts=4, after=300_000) as link:
        result = _node(
            tus_js,
            f"http://127.0.0.1:{link.port}/api/v1/attachments/",
            live["token"],
            PHOTO,
            tmp_path,
        )

    assert result["first"]["done"] is True
    assert link.cuts >= 2
    # Resumed from where the cut bodies stopped: the server kept the bytes that arrived.
    assert any(offset % CHUNK for offset in result["patchOffsets"]), result["patchOffsets"]
    _assert_stored_once(storage_dir, PHOTO, live["user"])
