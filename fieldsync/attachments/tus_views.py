"""`/api/v1/attachments/`: the tus 1.0.0 server (contract: attachments.md; docs/api.md).

Bodies are never parsed by DRF: a PATCH (or a POST with creation-with-upload) is read from the
request stream by `upload_append`. Errors are the API's JSON `{code, detail}`.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fieldsync.api.errors import APIError
from fieldsync.attachments import tus
from fieldsync.attachments.uploads import (
    UploadError,
    upload_append,
    upload_create,
    upload_for,
    upload_terminate,
)
from fieldsync.fields import ascii_natural
from fieldsync.models import Device, Upload, User

SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


class AuthenticatedOrOptions(BasePermission):
    """OPTIONS (what the server speaks) is public; everything else needs the device token."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method == "OPTIONS" or bool(request.user and request.user.is_authenticated)


def _user(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):  # the permission has refused anonymous requests already
        raise APIError(401, "not_authenticated", "Authentication credentials were not provided.")
    return user


def _max_size() -> int:
    return int(settings.FIELDSYNC["ATTACHMENT_MAX_SIZE"])


def _bad_request(detail: str) -> APIError:
    return APIError(400, "invalid_header", detail)


class TusView(APIView):
    permission_classes = [AuthenticatedOrOptions]
    parser_classes: list[Any] = []
    schema = None  # tus is described in docs/api.md, not in the OpenAPI document

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        override = request.headers.get("X-HTTP-Method-Override", "").upper()
        if request.method == "POST" and override in ("PATCH", "DELETE"):
            request.method = override  # tus: for clients that cannot send PATCH or DELETE
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != tus.TUS_VERSION:
            error = APIError(412, "unsupported_version", f"Send Tus-Resumable: {tus.TUS_VERSION}.")
            error.headers["Tus-Version"] = tus.TUS_VERSION
            raise error
        super().initial(request, *args, **kwargs)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Tus-Resumable"] = tus.TUS_VERSION
        if response.status_code == tus.CHECKSUM_MISMATCH:
            response.reason_phrase = "Checksum Mismatch"
        return response

    def options(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        return Response(status=204, headers=tus.options_headers(_max_size()))


def _api_error(error: UploadError, **headers: str) -> APIError:
    api_error = APIError(error.status, error.code, error.detail)
    api_error.headers.update(headers)
    if error.status == 413:
        api_error.headers["Tus-Max-Size"] = str(_max_size())
    return api_error


def _state_headers(upload: Upload) -> dict[str, str]:
    headers = {"Upload-Offset": str(upload.offset)}
    if upload.completed_at is None:
        headers["Upload-Expires"] = tus.expires_header(upload.expires_at)
    return headers


def _append(request: Request, upload: Upload, offset: int) -> Upload:
    """The request's body appended at `offset`: what PATCH and creation-with-upload share."""
    if request.headers.get("Content-Type", "").split(";")[0].strip() != tus.OFFSET_OCTET_STREAM:
        raise APIError(
            415, "unsupported_media_type", f"Send the bytes as {tus.OFFSET_OCTET_STREAM}."
        )
    body_length = ascii_natural(request.META.get("CONTENT_LENGTH") or None)
    if body_length is None:
        raise APIError(411, "length_required", "Content-Length is required.")
    try:
        checksum_header = request.headers.get("Upload-Checksum")
        checksum = tus.checksum_parse(checksum_header) if checksum_header else None
    except tus.HeaderError as error:
        raise _bad_request(str(error)) from error
    return upload_append(
        upload_id=upload.id,
        user=_user(request),
        offset=offset,
        body=request._request,
        body_length=body_length,
        checksum=checksum,
    )


class UploadCreateView(TusView):
    """POST creates an upload (creation, creation-with-upload); OPTIONS tells the protocol."""

    def post(self, request: Request) -> Response:
        if "Upload-Defer-Length" in request.headers:
            raise _bad_request("Upload-Defer-Length is not supported: send Upload-Length.")
        try:
            length = tus.natural(request.headers.get("Upload-Length"), "Upload-Length")
            raw_metadata = request.headers.get("Upload-Metadata", "")
            metadata = tus.metadata_parse(raw_metadata) if raw_metadata else {}
        except tus.HeaderError as error:
            raise _bad_request(str(error)) from error
        for key in tus.REQUIRED_METADATA:
            if not metadata.get(key):
                raise APIError(400, "invalid_metadata", f'Upload-Metadata must carry "{key}".')
            if "\x00" in metadata[key]:  # the database refuses NUL in text
                raise APIError(
                    400, "invalid_metadata", f'Upload-Metadata "{key}" holds a null character.'
                )
        if not SHA256_HEX.fullmatch(metadata["sha256"]):
            raise APIError(
                400, "invalid_metadata", 'Upload-Metadata "sha256" must be 64 hexadecimal digits.'
            )
        try:
            upload = upload_create(
                user=_user(request),
                device=request.auth if isinstance(request.auth, Device) else None,
                length=length,
                sha256=metadata["sha256"].lower(),
                filename=metadata["filename"],
                filetype=metadata["filetype"],
                metadata=raw_metadata,
            )
        except UploadError as error:
            raise _api_error(error) from error
        location = request.build_absolute_uri(
            reverse("attachments-upload", kwargs={"upload_id": upload.id})
        )
        has_body = request.headers.get("Content-Type", "").startswith(tus.OFFSET_OCTET_STREAM)
        if has_body and upload.completed_at is None:
            try:
                upload = _append(request, upload, 0)
            except UploadError as error:
                raise _api_error(error, Location=location) from error
        headers = {"Location": location, **_state_headers(upload)}
        return Response(status=201, headers=headers)


class UploadView(TusView):
    """HEAD gives the offset; PATCH appends; DELETE terminates (the user's own uploads only)."""

    def head(self, request: Request, upload_id: uuid.UUID) -> Response:
        try:
            upload = upload_for(upload_id=upload_id, user=_user(request))
        except UploadError as error:
            raise _api_error(error) from error
        headers = {
            **_state_headers(upload),
            "Upload-Length": str(upload.length),
            "Cache-Control": "no-store",
        }
        if upload.metadata:
            headers["Upload-Metadata"] = upload.metadata
        return Response(status=200, headers=headers)

    def patch(self, request: Request, upload_id: uuid.UUID) -> Response:
        try:
            offset = tus.natural(request.headers.get("Upload-Offset"), "Upload-Offset")
        except tus.HeaderError as error:
            raise _bad_request(str(error)) from error
        try:
            upload = upload_for(upload_id=upload_id, user=_user(request))
            upload = _append(request, upload, offset)
        except UploadError as error:
            raise _api_error(error) from error
        return Response(status=204, headers=_state_headers(upload))

    def delete(self, request: Request, upload_id: uuid.UUID) -> Response:
        try:
            upload_terminate(upload_id=upload_id, user=_user(request))
        except UploadError as error:
            raise _api_error(error) from error
        return Response(status=204)
