"""Where attachment bytes live: Django's storage API ("attachments" in `STORAGES`).

Names are derived from content and ids only, never from what a client called its file:
- `files/ab/<sha256>`: a complete file (content-addressed: stored once);
- `incoming/<upload id>/<offset>`: the chunks of an upload in progress, one per PATCH;
- `thumbnails/ab/<sha256>.jpg`: a small JPEG of an image, made on first request.
"""

from __future__ import annotations

import uuid

from django.core.files.storage import Storage, storages


def attachment_storage() -> Storage:
    return storages["attachments"]


def file_name(sha256: str) -> str:
    return f"files/{sha256[:2]}/{sha256}"


def thumbnail_name(sha256: str) -> str:
    return f"thumbnails/{sha256[:2]}/{sha256}.jpg"


def chunk_name(upload_id: uuid.UUID | str, offset: int) -> str:
    return f"incoming/{upload_id}/{offset:012d}"
