"""The tus 1.0.0 resumable upload protocol as the client speaks it (tus.io; contract:
attachments.md): the endpoint, the headers of each request, and how an answer is read."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from tablet_client.transport import CHUNK_TYPE, Reply

ATTACHMENTS = "/api/v1/attachments/"
TUS_VERSION = "1.0.0"
#: The file types a record may name (attachments.md); the server checks the bytes, not this.
ATTACHMENT_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")
MAX_ATTACHMENTS = 20  # per field of a record
#: The tus answers after which the upload is gone from the server: start a new one.
UPLOAD_GONE = frozenset({404, 410})
CHECKSUM_MISMATCH = 460


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def create_headers(*, sha256: str, name: str, content_type: str, size: int) -> dict[str, str]:
    """`POST` (creation): the length and the metadata, each value base64 as tus wants."""
    metadata = {"sha256": sha256, "filename": name, "filetype": content_type}
    return {
        "Tus-Resumable": TUS_VERSION,
        "Upload-Length": str(size),
        "Upload-Metadata": ",".join(
            f"{key} {base64.b64encode(value.encode('utf-8')).decode('ascii')}"
            for key, value in metadata.items()
        ),
    }


def head_headers() -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION}


def patch_headers(*, offset: int, chunk: bytes) -> dict[str, str]:
    """`PATCH`: the chunk at `offset`, with its sha256 so the server can refuse a damaged one."""
    digest = base64.b64encode(hashlib.sha256(chunk).digest()).decode("ascii")
    return {
        "Tus-Resumable": TUS_VERSION,
        "Upload-Offset": str(offset),
        "Content-Type": CHUNK_TYPE,
        "Upload-Checksum": f"sha256 {digest}",
    }


def upload_offset(reply: Reply) -> int | None:
    """The server's `Upload-Offset`, or None when absent or unreadable."""
    value = reply.header("upload-offset")
    return int(value) if value is not None and value.strip().isdigit() else None


def upload_location(reply: Reply) -> str | None:
    """The new upload's URL from a `201`: a path when it is on the server the tablet talks to
    (so a base URL behind a proxy still works), else the absolute URL as given."""
    location = reply.header("location")
    if not location:
        return None
    parts = urlsplit(location)
    return parts.path if parts.path.startswith(ATTACHMENTS) else location
