"""Downloads: `GET /api/v1/attachments/<sha256>/` (and `?thumbnail=1`), scoped like records."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponseBase, HttpResponseNotModified
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from fieldsync.api.errors import APIError
from fieldsync.api.records import viewer_of
from fieldsync.api.schema import error_responses
from fieldsync.attachments.access import attachment_visible_to
from fieldsync.attachments.storage import attachment_storage, file_name
from fieldsync.attachments.thumbnails import NoThumbnail, thumbnail_open
from fieldsync.models import Attachment, AttachmentRef
from fieldsync.registry import Viewer

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
NOT_FOUND = "No such file, or not one you may see."


def attachment_response(
    request: HttpRequest, sha256: str, viewer: Viewer, *, thumbnail: bool
) -> HttpResponseBase:
    """The file (or its thumbnail) for a reader who may see it; APIError 404 otherwise.

    A file the reader may not see and one that does not exist answer alike, so that a
    download cannot tell whether a victim's consent document is on the server.
    """
    sha256 = sha256.lower()
    if not attachment_visible_to(sha256, viewer):
        raise APIError(404, "not_found", NOT_FOUND)
    attachment = Attachment.objects.filter(pk=sha256).first()
    if attachment is None:
        if AttachmentRef.objects.filter(sha256=sha256).exists():
            raise APIError(404, "not_received", "A record names this file; it has not arrived.")
        raise APIError(404, "not_found", NOT_FOUND)
    etag = f'"{sha256}{"-thumbnail" if thumbnail else ""}"'
    if etag in request.headers.get("If-None-Match", ""):
        return _private(HttpResponseNotModified(headers={"ETag": etag}))
    if thumbnail:
        try:
            handle = thumbnail_open(attachment)
        except NoThumbnail as error:
            raise APIError(404, "no_thumbnail", str(error)) from error
        response = FileResponse(handle, content_type="image/jpeg")
    else:
        handle = attachment_storage().open(file_name(sha256), "rb")
        extension = EXTENSIONS.get(attachment.content_type, "bin")
        # Named by content, never by the name a tablet gave it (it may hold a person's name).
        response = FileResponse(
            handle,
            content_type=attachment.content_type,
            filename=f"{sha256[:16]}.{extension}",
            as_attachment=attachment.content_type == "application/pdf",
        )
        response["Content-Length"] = str(attachment.size)
    response["ETag"] = etag
    return _private(response)


def _private(response: HttpResponseBase) -> HttpResponseBase:
    # Same bytes forever under this name; but who may read them can change: never shared caches.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def thumbnail_wanted(request: HttpRequest) -> bool:
    value = request.GET.get("thumbnail", "")
    if value not in ("", "0", "1", "true", "false"):
        raise APIError(400, "invalid_parameter", "thumbnail must be 1 or 0.")
    return value in ("1", "true")


class AttachmentDownloadView(APIView):
    """A file named by a record: to whoever may see that record's field (attachments.md)."""

    @extend_schema(
        operation_id="attachments_download",
        summary="Download a file by its SHA-256",
        parameters=[
            OpenApiParameter(
                "thumbnail",
                OpenApiTypes.STR,
                enum=["0", "1", "true", "false"],
                description="1: a small JPEG of an image (at most 320 px) instead of the file.",
            )
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file (or its thumbnail)."
            ),
            304: OpenApiResponse(description="Not modified (`If-None-Match`)."),
            **error_responses(
                400,
                401,
                404,
                e404="`not_found`: no such file, or one you may not see; `not_received`: a "
                "record names it but it has not been uploaded yet; `no_thumbnail`: not an image.",
            ),
        },
    )
    def get(self, request: Request, sha256: str) -> Any:
        return attachment_response(
            request, sha256, viewer_of(request), thumbnail=thumbnail_wanted(request)
        )
