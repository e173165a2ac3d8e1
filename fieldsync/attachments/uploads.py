"""tus uploads (contract: attachments.md): create, append a chunk, terminate, expire.

Each PATCH body becomes one chunk in the storage (`incoming/<upload>/<offset>`), read from the
request stream in small pieces into a spooled temporary file: a 25 MB photo never sits in memory.
When the last byte arrives the chunks are joined, checked against the sha256 the client
announced and the four types, and stored once under `files/` as an `Attachment`.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import suppress
from typing import IO, Protocol

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from fieldsync.attachments.content import HEAD_BYTES, content_type_sniff
from fieldsync.attachments.files import FileRefused, attachment_keep
from fieldsync.attachments.storage import attachment_storage, chunk_name
from fieldsync.attachments.tus import CHECKSUM_MISMATCH
from fieldsync.fields.attachments import ATTACHMENT_TYPES
from fieldsync.models import Attachment, Device, Upload, User

#: A PATCH body is read in pieces of this size, and spooled in memory up to SPOOL_MEMORY.
READ_SIZE = 64 * 1024
SPOOL_MEMORY = 1024 * 1024


class UploadError(Exception):
    """A request the upload cannot take: an HTTP status, a code and a plain English detail."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


class Body(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def _expiry() -> datetime.timedelta:
    expiry: datetime.timedelta = settings.FIELDSYNC["ATTACHMENT_UPLOAD_EXPIRY"]
    return expiry


def upload_create(
    *,
    user: User,
    device: Device | None,
    length: int,
    sha256: str,
    filename: str,
    filetype: str,
    metadata: str,
) -> Upload:
    """Open an upload of `length` bytes, or one already complete if the file is stored.

    The file is named by `sha256` (lowercase hex, checked by the caller): an `Attachment` with
    that sha256 and size means nothing needs to be sent again (the upload is complete at once).
    """
    max_size = settings.FIELDSYNC["ATTACHMENT_MAX_SIZE"]
    if length > max_size:
        raise UploadError(413, "too_large", f"A file may have at most {max_size} bytes.")
    if filetype not in ATTACHMENT_TYPES:
        raise UploadError(415, "unsupported_type", _unsupported(f'"{filetype}"'))
    if length == 0:
        raise UploadError(415, "unsupported_type", _unsupported("An empty file"))
    now = timezone.now()
    stored = Attachment.objects.filter(sha256=sha256, size=length).exists()
    return Upload.objects.create(
        sha256=sha256,
        filename=filename[:255],
        filetype=filetype,
        length=length,
        offset=length if stored else 0,
        metadata=metadata,
        user=user,
        device=device,
        created_at=now,
        expires_at=now + _expiry(),
        completed_at=now if stored else None,
    )


def upload_for(*, upload_id: uuid.UUID, user: User) -> Upload:
    """The user's own upload: anyone else's, or one removed, is not found (404); one past its
    expiry and incomplete is gone (410)."""
    upload = Upload.objects.filter(pk=upload_id, user=user).first()
    if upload is None:
        raise UploadError(404, "not_found", "No such upload.")
    _check_alive(upload)
    return upload


def _check_alive(upload: Upload) -> None:
    if upload.completed_at is None and upload.expires_at <= timezone.now():
        raise UploadError(410, "expired", "This upload has expired; start a new one.")


def upload_append(
    *,
    upload_id: uuid.UUID,
    user: User,
    offset: int,
    body: Body,
    body_length: int,
    checksum: tuple[str, bytes] | None = None,
) -> Upload:
    """Append `body_length` bytes read from `body` at `offset` (a PATCH); returns the upload.

    The offset must be the server's (409). With `checksum` (sha256 of this chunk) a mismatch
    discards the chunk (460). A client that disconnects mid-body keeps what arrived (without a
    checksum to verify), so it resumes from the true offset. The row is locked while the chunk
    is committed: of two PATCHes at the same offset, one gets 409. The last byte completes the
    file (`_upload_finish`); a whole-file sha256 mismatch (460) or content that is not one of
    the four types (415, also checked once the first bytes are in) discards the upload.
    """
    upload = upload_for(upload_id=upload_id, user=user)
    _check_offset(upload, offset)
    if offset + body_length > upload.length:
        raise UploadError(
            413, "beyond_length", f"The body would go past Upload-Length ({upload.length} bytes)."
        )
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
        received, digest = _receive(body, body_length, spool)
        if checksum is not None and (
            received != body_length or not hmac.compare_digest(digest, checksum[1])
        ):
            raise UploadError(
                CHECKSUM_MISMATCH,
                "checksum_mismatch",
                "Upload-Checksum does not match the body; this chunk was discarded.",
            )
        if received == 0:
            return upload
        spool.seek(0)
        return _commit(upload_id, offset, received, spool)


def _check_offset(upload: Upload, offset: int) -> None:
    if offset != upload.offset:
        raise UploadError(
            409,
            "offset_mismatch",
            f"Upload-Offset must be {upload.offset}, the bytes the server has.",
        )


def _receive(body: Body, length: int, spool: IO[bytes]) -> tuple[int, bytes]:
    """Copy up to `length` bytes of `body` into `spool`: (bytes received, their sha256)."""
    digest = hashlib.sha256()
    received = 0
    while received < length:
        try:
            piece = body.read(min(READ_SIZE, length - received))
        except OSError:  # the client went away mid-body: keep what arrived
            break
        if not piece:
            break
        spool.write(piece)
        digest.update(piece)
        received += len(piece)
    return received, digest.digest()


def _commit(upload_id: uuid.UUID, offset: int, size: int, spool: IO[bytes]) -> Upload:
    storage = attachment_storage()
    failure: UploadError | None = None
    with transaction.atomic():
        upload = Upload.objects.select_for_update().filter(pk=upload_id).first()
        if upload is None:  # terminated or expired while the body was read
            raise UploadError(404, "not_found", "No such upload.")
        _check_alive(upload)
        _check_offset(upload, offset)
        if upload.completed_at is not None:
            raise UploadError(409, "offset_mismatch", "This upload is complete.")
        name = storage.save(chunk_name(upload.id, offset), File(spool))
        upload.chunks = [*upload.chunks, {"offset": offset, "size": size, "name": name}]
        upload.offset = offset + size
        upload.expires_at = timezone.now() + _expiry()
        moved = Upload.objects.filter(pk=upload.pk, offset=offset).update(
            offset=upload.offset, chunks=upload.chunks, expires_at=upload.expires_at
        )
        if not moved:  # another PATCH got there first (a database without row locks)
            storage.delete(name)
            raise UploadError(409, "offset_mismatch", "Another request appended at this offset.")
        try:
            if offset < HEAD_BYTES <= upload.offset < upload.length:
                _check_head(upload)  # refused early, not after 25 MB
            if upload.offset == upload.length:
                _upload_finish(upload)
        except UploadError as error:
            Upload.objects.filter(pk=upload.pk).delete()
            failure = error
    if failure is not None or upload.completed_at is not None:
        _chunks_delete(upload.id)
    if failure is not None:
        raise failure
    return upload


def _check_head(upload: Upload) -> None:
    head = b""
    for piece in _chunks_read(upload):
        head += piece[: HEAD_BYTES - len(head)]
        if len(head) >= HEAD_BYTES:
            break
    if content_type_sniff(head) is None:
        raise UploadError(
            415, "unsupported_type", _unsupported("This content") + " The upload was discarded."
        )


def _unsupported(what: str) -> str:
    return f"{what} is not one of the file types taken: {', '.join(ATTACHMENT_TYPES)}."


def _chunks_read(upload: Upload) -> Iterator[bytes]:
    storage = attachment_storage()
    for chunk in upload.chunks:
        with storage.open(chunk["name"], "rb") as stored:
            while piece := stored.read(READ_SIZE):
                yield piece


def _upload_finish(upload: Upload) -> None:
    """Join the chunks, check the whole file's sha256, store it once, record the Attachment."""
    digest = hashlib.sha256()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as whole:
        for piece in _chunks_read(upload):
            digest.update(piece)
            whole.write(piece)
        if digest.hexdigest() != upload.sha256:
            raise UploadError(
                CHECKSUM_MISMATCH,
                "checksum_mismatch",
                "The file's sha256 does not match the sha256 in Upload-Metadata; the upload "
                "was discarded.",
            )
        try:
            attachment_keep(
                spool=whole,
                sha256=upload.sha256,
                size=upload.length,
                name=upload.filename,
                user_id=upload.user_id,
                device_id=upload.device_id,
            )
        except FileRefused as refused:
            raise UploadError(415, refused.code, _unsupported("This content")) from refused
    now = timezone.now()
    upload.completed_at = now
    upload.chunks = []
    Upload.objects.filter(pk=upload.pk).update(completed_at=now, chunks=[])


def upload_terminate(*, upload_id: uuid.UUID, user: User) -> None:
    """Remove the user's upload and its chunks (tus termination); a stored file stays."""
    with transaction.atomic():
        deleted, _ = Upload.objects.filter(pk=upload_id, user=user).delete()
    if not deleted:
        raise UploadError(404, "not_found", "No such upload.")
    _chunks_delete(upload_id)


def uploads_expire(*, now: datetime.datetime | None = None) -> int:
    """Remove the uploads past their expiry: incomplete ones with their chunks, and completed
    ones' rows (their files stay as Attachments). Returns how many; safe to run at any time."""
    moment = now or timezone.now()
    with transaction.atomic():
        expired = list(
            Upload.objects.select_for_update(skip_locked=True)
            .filter(expires_at__lte=moment)
            .values_list("pk", flat=True)
        )
        Upload.objects.filter(pk__in=expired).delete()
    for upload_id in expired:
        _chunks_delete(upload_id)
    return len(expired)


def _chunks_delete(upload_id: uuid.UUID | str) -> None:
    """Every file under the upload's folder (chunks, and any a crash left behind)."""
    storage = attachment_storage()
    folder = f"incoming/{upload_id}"
    try:
        _, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(f"{folder}/{name}")
    with suppress(NotImplementedError, OSError):  # a local folder: leave no empty directory
        os.rmdir(storage.path(folder))
