"""Fixtures of the attachment tests: a storage folder per test, realistic files, a tus client
over the Django test client."""

from __future__ import annotations

import base64
import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.helpers.sync import Tablet


@pytest.fixture
def storage_dir(settings: Any, tmp_path: Path) -> Path:
    """The attachments storage of this test alone (so "nothing stored" can be listed)."""
    location = tmp_path / "attachments"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def stored_files(root: Path) -> list[str]:
    """Every file under the storage, as sorted relative paths."""
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def checksum(data: bytes) -> str:
    return "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode()


class TusClient:
    """tus requests of one tablet over the Django test client."""

    def __init__(self, tablet: Tablet) -> None:
        self.tablet = tablet
        self.client: Client = tablet.client

    def headers(self, **extra: str) -> dict[str, str]:
        return {"HTTP_TUS_RESUMABLE": "1.0.0", **self.tablet.headers, **extra}

    def create(
        self, data: bytes, *, sha256: str | None = None, filetype: str = "image/jpeg", **extra: str
    ) -> Any:
        meta = metadata(sha256=sha256 or sha256_hex(data), filename="site.jpg", filetype=filetype)
        return self.client.post(
            "/api/v1/attachments/",
            **self.headers(HTTP_UPLOAD_LENGTH=str(len(data)), HTTP_UPLOAD_METADATA=meta, **extra),
        )

    def patch(self, url: str, offset: int, chunk: bytes, **extra: str) -> Any:
        return self.client.patch(
            url,
            chunk,
            content_type="application/offset+octet-stream",
            **self.headers(HTTP_UPLOAD_OFFSET=str(offset), **extra),
        )

    def head(self, url: str) -> Any:
        return self.client.head(url, **self.headers())

    def delete(self, url: str) -> Any:
        return self.client.delete(url, **self.headers())

    def upload(self, data: bytes, chunk_size: int, **create: Any) -> Any:
        response = self.create(data, **create)
        assert response.status_code == 201, response.content
        url = response["Location"]
        offset = int(response["Upload-Offset"])
        while offset < len(data):
            response = self.patch(url, offset, data[offset : offset + chunk_size])
            if response.status_code != 204:
                return response
            offset = int(response["Upload-Offset"])
        return response


@pytest.fixture
def tus(make_tablet: Callable[..., Tablet], storage_dir: Path) -> TusClient:
    return TusClient(make_tablet())


JS_DIR = Path(__file__).resolve().parents[2] / "js"


@pytest.fixture(scope="session")
def tus_js() -> Path:
    """tests/js with its pinned node modules (`npm ci` from the committed lock file when they
    are missing): the upload script to run with node."""
    if not (JS_DIR / "node_modules" / "tus-js-client").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=JS_DIR,
            check=True,
            capture_output=True,
            timeout=600,
        )
    return JS_DIR / "upload.mjs"
