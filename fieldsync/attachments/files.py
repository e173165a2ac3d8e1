"""Keeping a complete file as an `Attachment`: named by its sha256, typed from its own bytes,
stored once however many uploads or submissions bring it."""

from __future__ import annotations

import hashlib
import tempfile
from typing import IO

from django.conf import settings
from django.core.files import File
from django.utils import timezone

from fieldsync.attachments.content import HEAD_BYTES, content_type_sniff
from fieldsync.attachments.storage import attachment_storage, file_name
from fieldsync.models import Attachment, Device, User

READ_SIZE = 64 * 1024
SPOOL_MEMORY = 1024 * 1024


class FileRefused(Exception):
    """A file the server does not keep: `code` is `unsupported_type` or `file_too_large`."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def attachment_keep(
    *,
    spool: IO[bytes],
    sha256: str,
    size: int,
    name: str,
    user_id: int | None,
    device_id: int | None,
) -> str:
    """Store `spool` (whose sha256 the caller has checked) once and record its Attachment.

    Returns the content type read from the bytes; FileRefused if it is none of the four types.
    """
    spool.seek(0)
    content_type = content_type_sniff(spool.read(HEAD_BYTES))
    if content_type is None:
        raise FileRefused(
            "unsupported_type", "Only JPEG, PNG and WebP images and PDF documents are accepted."
        )
    storage = attachment_storage()
    name_stored = file_name(sha256)
    if not (Attachment.objects.filter(pk=sha256).exists() or storage.exists(name_stored)):
        spool.seek(0)
        saved = storage.save(name_stored, File(spool))
        if saved != name_stored:  # stored meanwhile by another upload of the same bytes
            storage.delete(saved)
    Attachment.objects.bulk_create(
        [
            Attachment(
                sha256=sha256,
                size=size,
                content_type=content_type,
                name=name[:255],
                received_at=timezone.now(),
                uploaded_by_id=user_id,
                device_id=device_id,
            )
        ],
        ignore_conflicts=True,  # the same file kept by two requests at once: stored once
    )
    return content_type


def attachment_store(
    *, content: IO[bytes], name: str, user: User | None, device: Device | None
) -> Attachment:
    """Keep a whole file received in one piece (an OpenRosa submission's part), read in small
    pieces into a spooled file: the sha256 is computed here, the size bounded by
    `ATTACHMENT_MAX_SIZE`."""
    limit: int = settings.FIELDSYNC["ATTACHMENT_MAX_SIZE"]
    digest = hashlib.sha256()
    size = 0
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
        while piece := content.read(READ_SIZE):
            size += len(piece)
            if size > limit:
                raise FileRefused("file_too_large", f"A file may be at most {limit} bytes.")
            digest.update(piece)
            spool.write(piece)
        sha256 = digest.hexdigest()
        attachment_keep(
            spool=spool,
            sha256=sha256,
            size=size,
            name=name,
            user_id=user.pk if user else None,
            device_id=device.pk if device else None,
        )
    return Attachment.objects.get(pk=sha256)
