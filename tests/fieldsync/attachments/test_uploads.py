"""The upload services where HTTP cannot place them: a disconnect mid-body, two PATCHes at
once, the expiry and its task."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.utils import timezone

from fieldsync import tasks
from fieldsync.attachments.uploads import (
    UploadError,
    upload_append,
    upload_create,
    uploads_expire,
)
from fieldsync.models import Attachment, Upload
from tests.fieldsync.attachments.conftest import TusClient, sha256_hex, stored_files
from tests.helpers.attachments import noisy_jpeg

pytestmark = pytest.mark.django_db

PHOTO = noisy_jpeg(600, 400, seed=4)


class Disconnecting(io.BytesIO):
    """A request body whose client goes away after `keep` bytes."""

    def __init__(self, data: bytes, keep: int) -> None:
        super().__init__(data[:keep])

    def read(self, size: int | None = -1, /) -> bytes:
        piece = super().read(size)
        if not piece:
            raise OSError("client disconnected")
        return piece


def _create(user) -> Upload:
    return upload_create(
        user=user,
        device=None,
        length=len(PHOTO),
        sha256=sha256_hex(PHOTO),
        filename="ordnance.jpg",
        filetype="image/jpeg",
        metadata="",
    )


def test_a_client_that_disconnects_mid_body_resumes_from_what_arrived(
    tus: TusClient, storage_dir: Path
) -> None:
    upload = _create(tus.tablet.user)

    result = upload_append(
        upload_id=upload.id,
        user=tus.tablet.user,
        offset=0,
        body=Disconnecting(PHOTO, 70_000),
        body_length=len(PHOTO),
    )

    assert result.offset == 70_000
    assert Upload.objects.get().offset == 70_000
    rest = upload_append(
        upload_id=upload.id,
        user=tus.tablet.user,
        offset=70_000,
        body=io.BytesIO(PHOTO[70_000:]),
        body_length=len(PHOTO) - 70_000,
    )
    assert rest.completed_at is not None
    sha = sha256_hex(PHOTO)
    assert (storage_dir / "files" / sha[:2] / sha).read_bytes() == PHOTO


def test_a_disconnect_with_a_chunk_checksum_keeps_nothing(tus: TusClient, storage_dir) -> None:
    upload = _create(tus.tablet.user)

    with pytest.raises(UploadError) as error:
        upload_append(
            upload_id=upload.id,
            user=tus.tablet.user,
            offset=0,
            body=Disconnecting(PHOTO, 1000),
            body_length=5000,
            checksum=("sha256", b"x" * 32),
        )

    assert error.value.status == 460
    assert Upload.objects.get().offset == 0
    assert stored_files(storage_dir) == []


def test_of_two_patches_at_the_same_offset_one_gets_409(tus: TusClient, storage_dir) -> None:
    upload = _create(tus.tablet.user)
    user = tus.tablet.user
    inner: list[Upload] = []

    class Racing(io.BytesIO):
        """While this body is read, another request appends at the same offset."""

        def read(self, size: int | None = -1, /) -> bytes:
            if not inner:
                inner.append(
                    upload_append(
                        upload_id=upload.id,
                        user=user,
                        offset=0,
                        body=io.BytesIO(PHOTO[:300]),
                        body_length=300,
                    )
                )
            return super().read(size)

    with pytest.raises(UploadError) as error:
        upload_append(
            upload_id=upload.id, user=user, offset=0, body=Racing(PHOTO[:500]), body_length=500
        )

    assert (error.value.status, error.value.code) == (409, "offset_mismatch")
    assert inner[0].offset == 300
    stored = Upload.objects.get()
    assert (stored.offset, [c["size"] for c in stored.chunks]) == (300, [300])
    assert stored_files(storage_dir) == [f"incoming/{upload.id}/000000000000"]


def test_expiry_removes_incomplete_uploads_and_chunks_and_old_completed_rows(
    tus: TusClient, storage_dir: Path
) -> None:
    done = tus.upload(PHOTO, 100_000)
    assert done.status_code == 204
    stale = tus.create(PHOTO[:-1] + b"\x00")["Location"]
    tus.patch(stale, 0, PHOTO[:1000])
    fresh = tus.create(PHOTO[:-2] + b"\x00\x00")["Location"]
    tus.patch(fresh, 0, PHOTO[:1000])
    past = timezone.now() - datetime.timedelta(minutes=1)
    Upload.objects.exclude(pk=fresh.rstrip("/").rsplit("/", 1)[1]).update(expires_at=past)

    removed = uploads_expire()

    assert removed == 2
    assert [str(u.pk) for u in Upload.objects.all()] == [fresh.rstrip("/").rsplit("/", 1)[1]]
    sha = sha256_hex(PHOTO)
    fresh_id = fresh.rstrip("/").rsplit("/", 1)[1]
    assert stored_files(storage_dir) == [
        f"files/{sha[:2]}/{sha}",
        f"incoming/{fresh_id}/000000000000",
    ]
    assert Attachment.objects.count() == 1
    assert uploads_expire() == 0


def test_the_hourly_task_calls_the_expiry(tus: TusClient, settings) -> None:
    url = tus.create(PHOTO)["Location"]
    Upload.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    removed = tasks.attachments_expire.delay().get()

    assert removed == 1
    assert Upload.objects.count() == 0
    assert tus.head(url).status_code == 404
    assert settings.CELERY_BEAT_SCHEDULE["attachments-expire"]["task"] == "attachments_expire"
