"""The tus 1.0.0 server over the Django test client: every status of the contract."""

from __future__ import annotations

import datetime
import uuid
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from django.utils import timezone

from fieldsync.models import Attachment, Upload
from tests.fieldsync.attachments.conftest import (
    TusClient,
    checksum,
    metadata,
    sha256_hex,
    stored_files,
)
from tests.helpers.attachments import noisy_jpeg, small_png

pytestmark = pytest.mark.django_db

PHOTO = noisy_jpeg(800, 600, seed=3)  # ~350 KB: the protocol, not the size
EXTENSIONS = "creation,creation-with-upload,termination,checksum,expiration"


def test_options_tells_the_protocol_without_a_token(client) -> None:
    response = client.options("/api/v1/attachments/")

    assert response.status_code == 204
    assert response["Tus-Resumable"] == "1.0.0"
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Extension"] == EXTENSIONS
    assert response["Tus-Max-Size"] == str(25 * 1024 * 1024)
    assert response["Tus-Checksum-Algorithm"] == "sha256"
    assert response.content == b""


@pytest.mark.parametrize("version", [None, "0.2.2"])
def test_a_request_without_tus_resumable_1_0_0_is_refused_412(
    tus: TusClient, version: str | None
) -> None:
    headers = {**tus.tablet.headers, "HTTP_UPLOAD_LENGTH": "10"}
    if version:
        headers["HTTP_TUS_RESUMABLE"] = version

    response = tus.client.post("/api/v1/attachments/", **headers)

    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Resumable"] == "1.0.0"
    assert response.json()["code"] == "unsupported_version"
    assert Upload.objects.count() == 0


def test_without_a_token_post_is_401(client, storage_dir: Path) -> None:
    response = client.post(
        "/api/v1/attachments/", HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH="10"
    )

    assert response.status_code == 401
    assert response["Tus-Resumable"] == "1.0.0"
    assert Upload.objects.count() == 0


def test_post_creates_an_upload_at_offset_zero(tus: TusClient) -> None:
    response = tus.create(PHOTO)

    assert response.status_code == 201
    upload = Upload.objects.get()
    assert response["Location"] == f"http://testserver/api/v1/attachments/uploads/{upload.id}/"
    assert response["Upload-Offset"] == "0"
    assert (upload.offset, upload.length, upload.sha256) == (0, len(PHOTO), sha256_hex(PHOTO))
    assert (upload.filename, upload.filetype, upload.user) == (
        "site.jpg",
        "image/jpeg",
        tus.tablet.user,
    )
    assert upload.device is not None and upload.device.device_id == tus.tablet.device_id
    expires = parsedate_to_datetime(response["Upload-Expires"])
    assert abs(expires - (upload.created_at + datetime.timedelta(hours=72))).total_seconds() < 1


def test_post_without_upload_length_is_400(tus: TusClient) -> None:
    response = tus.client.post(
        "/api/v1/attachments/",
        **tus.headers(HTTP_UPLOAD_METADATA=metadata(sha256="a" * 64, filename="a", filetype="x")),
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_header",
        "detail": "Upload-Length must be a non-negative integer.",
    }


def test_post_longer_than_the_limit_is_413(tus: TusClient, settings) -> None:
    settings.FIELDSYNC = {**settings.FIELDSYNC, "ATTACHMENT_MAX_SIZE": 1000}

    response = tus.create(b"\xff\xd8\xff" + b"x" * 1000)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert response["Tus-Max-Size"] == "1000"
    assert Upload.objects.count() == 0


@pytest.mark.parametrize("missing", ["sha256", "filename", "filetype"])
def test_post_without_a_required_metadata_key_names_it(tus: TusClient, missing: str) -> None:
    values = {"sha256": sha256_hex(PHOTO), "filename": "a.jpg", "filetype": "image/jpeg"}
    del values[missing]

    response = tus.client.post(
        "/api/v1/attachments/",
        **tus.headers(HTTP_UPLOAD_LENGTH=str(len(PHOTO)), HTTP_UPLOAD_METADATA=metadata(**values)),
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_metadata",
        "detail": f'Upload-Metadata must carry "{missing}".',
    }
    assert Upload.objects.count() == 0


def test_a_file_name_with_a_null_character_is_refused(tus: TusClient) -> None:
    values = {"sha256": sha256_hex(PHOTO), "filename": "a\x00.jpg", "filetype": "image/jpeg"}

    response = tus.client.post(
        "/api/v1/attachments/",
        **tus.headers(HTTP_UPLOAD_LENGTH=str(len(PHOTO)), HTTP_UPLOAD_METADATA=metadata(**values)),
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_metadata",
        "detail": 'Upload-Metadata "filename" holds a null character.',
    }
    assert Upload.objects.count() == 0


def test_post_of_a_type_not_taken_is_415(tus: TusClient) -> None:
    response = tus.create(b"hello", filetype="text/plain")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_type"
    assert Upload.objects.count() == 0


def test_a_file_in_three_patches_is_stored_once_as_an_attachment(
    tus: TusClient, storage_dir: Path
) -> None:
    created = tus.create(PHOTO)
    url = created["Location"]
    third = len(PHOTO) // 3

    offsets = []
    for start in (0, third, 2 * third):
        end = len(PHOTO) if start == 2 * third else start + third
        response = tus.patch(url, start, PHOTO[start:end])
        assert response.status_code == 204, response.content
        offsets.append(int(response["Upload-Offset"]))

    sha = sha256_hex(PHOTO)
    assert offsets == [third, 2 * third, len(PHOTO)]
    attachment = Attachment.objects.get()
    assert (attachment.sha256, attachment.size, attachment.content_type, attachment.name) == (
        sha,
        len(PHOTO),
        "image/jpeg",
        "site.jpg",
    )
    assert attachment.uploaded_by == tus.tablet.user
    assert stored_files(storage_dir) == [f"files/{sha[:2]}/{sha}"]
    assert (storage_dir / "files" / sha[:2] / sha).read_bytes() == PHOTO
    upload = Upload.objects.get()
    assert upload.completed_at is not None and upload.chunks == []
    assert "Upload-Expires" not in response


def test_head_gives_offset_length_and_metadata_not_cached(tus: TusClient) -> None:
    url = tus.create(PHOTO)["Location"]
    tus.patch(url, 0, PHOTO[:1000])

    response = tus.head(url)

    assert response.status_code == 200
    assert response["Upload-Offset"] == "1000"
    assert response["Upload-Length"] == str(len(PHOTO))
    assert response["Upload-Metadata"] == metadata(
        sha256=sha256_hex(PHOTO), filename="site.jpg", filetype="image/jpeg"
    )
    assert response["Cache-Control"] == "no-store"
    assert parsedate_to_datetime(response["Upload-Expires"]) > timezone.now()
    assert response.content == b""


def test_patch_at_a_wrong_offset_is_409_and_changes_nothing(tus: TusClient) -> None:
    url = tus.create(PHOTO)["Location"]
    tus.patch(url, 0, PHOTO[:100])

    response = tus.patch(url, 50, PHOTO[50:200])

    assert response.status_code == 409
    assert response.json()["detail"] == "Upload-Offset must be 100, the bytes the server has."
    assert tus.head(url)["Upload-Offset"] == "100"


def test_patch_without_the_offset_content_type_is_415(tus: TusClient) -> None:
    url = tus.create(PHOTO)["Location"]

    response = tus.client.patch(
        url, PHOTO[:100], content_type="application/json", **tus.headers(HTTP_UPLOAD_OFFSET="0")
    )

    assert response.status_code == 415
    assert tus.head(url)["Upload-Offset"] == "0"


def test_patch_past_upload_length_is_refused(tus: TusClient, storage_dir: Path) -> None:
    url = tus.create(PHOTO)["Location"]

    response = tus.patch(url, 0, PHOTO + b"extra")

    assert response.status_code == 413
    assert response.json()["code"] == "beyond_length"
    assert tus.head(url)["Upload-Offset"] == "0"
    assert stored_files(storage_dir) == []


def test_a_chunk_with_a_wrong_checksum_is_460_and_discarded(
    tus: TusClient, storage_dir: Path
) -> None:
    url = tus.create(PHOTO)["Location"]

    wrong = tus.patch(url, 0, PHOTO[:500], HTTP_UPLOAD_CHECKSUM=checksum(PHOTO[:499]))
    right = tus.patch(url, 0, PHOTO[:500], HTTP_UPLOAD_CHECKSUM=checksum(PHOTO[:500]))

    assert wrong.status_code == 460
    assert wrong.json()["code"] == "checksum_mismatch"
    assert right.status_code == 204
    assert right["Upload-Offset"] == "500"
    upload = Upload.objects.get()
    assert [(c["offset"], c["size"]) for c in upload.chunks] == [(0, 500)]
    assert stored_files(storage_dir) == [f"incoming/{upload.id}/000000000000"]


def test_an_unsupported_checksum_algorithm_is_400(tus: TusClient) -> None:
    url = tus.create(PHOTO)["Location"]

    response = tus.patch(url, 0, PHOTO[:10], HTTP_UPLOAD_CHECKSUM="sha1 AAAA")

    assert response.status_code == 400
    assert tus.head(url)["Upload-Offset"] == "0"


def test_a_file_whose_sha256_differs_from_the_metadata_is_460_and_nothing_is_stored(
    tus: TusClient, storage_dir: Path
) -> None:
    response = tus.upload(PHOTO, 100_000, sha256="0" * 64)

    assert response.status_code == 460
    assert response.json()["code"] == "checksum_mismatch"
    assert Upload.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert stored_files(storage_dir) == []
    assert list(storage_dir.rglob("*")) == [storage_dir / "incoming"]


def test_content_that_is_not_a_taken_type_is_415_once_its_first_bytes_are_in(
    tus: TusClient, storage_dir: Path
) -> None:
    text = b"This is a plain text letter, not a scan. " * 100
    url = tus.create(text, filetype="application/pdf")["Location"]

    response = tus.patch(url, 0, text[:200])

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_type"
    assert Upload.objects.count() == 0
    assert stored_files(storage_dir) == []
    assert tus.head(url).status_code == 404


def test_a_file_already_stored_is_complete_at_creation(tus: TusClient, storage_dir: Path) -> None:
    tus.upload(PHOTO, 200_000)

    response = tus.create(PHOTO)

    assert response.status_code == 201
    assert response["Upload-Offset"] == str(len(PHOTO))
    head = tus.head(response["Location"])
    assert (head["Upload-Offset"], head["Upload-Length"]) == (str(len(PHOTO)),) * 2
    assert "Upload-Expires" not in head
    assert Attachment.objects.count() == 1
    assert len(stored_files(storage_dir)) == 1


def test_creation_with_upload_appends_the_post_body(tus: TusClient, storage_dir: Path) -> None:
    png = small_png()
    meta = metadata(sha256=sha256_hex(png), filename="sign.png", filetype="image/png")

    response = tus.client.post(
        "/api/v1/attachments/",
        png,
        content_type="application/offset+octet-stream",
        **tus.headers(HTTP_UPLOAD_LENGTH=str(len(png)), HTTP_UPLOAD_METADATA=meta),
    )

    assert response.status_code == 201
    assert response["Upload-Offset"] == str(len(png))
    attachment = Attachment.objects.get()
    assert (attachment.content_type, attachment.size) == ("image/png", len(png))
    assert stored_files(storage_dir) == [f"files/{attachment.sha256[:2]}/{attachment.sha256}"]


def test_an_expired_upload_is_410(tus: TusClient) -> None:
    url = tus.create(PHOTO)["Location"]
    tus.patch(url, 0, PHOTO[:100])
    Upload.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    head = tus.head(url)
    patch = tus.patch(url, 100, PHOTO[100:200])

    assert (head.status_code, patch.status_code) == (410, 410)
    assert patch.json()["code"] == "expired"


def test_each_patch_renews_the_expiry(tus: TusClient) -> None:
    url = tus.create(PHOTO)["Location"]
    soon = timezone.now() + datetime.timedelta(minutes=5)
    Upload.objects.update(expires_at=soon)

    tus.patch(url, 0, PHOTO[:100])

    assert Upload.objects.get().expires_at > soon + datetime.timedelta(hours=71)


def test_termination_removes_the_upload_and_its_chunks(tus: TusClient, storage_dir: Path) -> None:
    url = tus.create(PHOTO)["Location"]
    tus.patch(url, 0, PHOTO[:1000])
    tus.patch(url, 1000, PHOTO[1000:2000])

    response = tus.delete(url)

    assert response.status_code == 204
    assert response["Tus-Resumable"] == "1.0.0"
    assert Upload.objects.count() == 0
    assert stored_files(storage_dir) == []
    assert tus.head(url).status_code == 404


def test_someone_elses_upload_is_404(tus: TusClient, make_tablet, storage_dir: Path) -> None:
    url = tus.create(PHOTO)["Location"]
    tus.patch(url, 0, PHOTO[:100])
    other = TusClient(make_tablet("surveyor-mag", organisation="MAG"))

    head = other.head(url)
    patch = other.patch(url, 100, PHOTO[100:200])
    delete = other.delete(url)

    assert [r.status_code for r in (head, patch, delete)] == [404, 404, 404]
    assert patch.json() == {"code": "not_found", "detail": "No such upload."}
    assert Upload.objects.get().offset == 100


def test_an_unknown_upload_is_404(tus: TusClient) -> None:
    response = tus.head(f"/api/v1/attachments/uploads/{uuid.uuid4()}/")

    assert response.status_code == 404
    assert response["Tus-Resumable"] == "1.0.0"
